from bureau.areas import AreaConfig, MenuEntry, PersonFilePart
from bureau.roles import BUREAU_STAFF


class ResettlementConfig(AreaConfig):
    name = "resettlement"
    verbose_name = "移交安置"
    order = 2
    station_menu = (MenuEntry("社保接续", "insurance_list", match="insurance"),)
    # Stations register their returning veterans' insurance continuation (the discharge route is on
    # the core's person form); the grant runs and the placement are the bureau's.
    station_models = frozenset({"insurancecontinuation"})
    person_file = PersonFilePart(title="移交安置", template="resettlement/person_file.html", order=20)
    # The dashboard's month-by-month trend: the public selection sessions of the placement.
    activity_dates = ("resettlement.PlacementBatch.session_on",)
    # A cohort's grants are approved and paid by a second bureau clerk, who may also download the
    # bank file (whole account numbers): see resettlement.subsidies.BANK_FILE_PERMISSION.
    # The public selection is run by bureau staff at the session.
    # The settlement route of a person paid the grant or a placement candidate stays as it was decided.
    person_guards = ("resettlement.guards.discharge_route_guard",)
    # Contradictions the 数据质量核查 lists: the two routes paid to one person, candidates not as registered.
    data_checks = (
        "resettlement.checks.PLACED_AND_PAID",
        "resettlement.checks.CANDIDATES_DIFFERING",
        "resettlement.checks.CANDIDATES_OF_ANOTHER_ROUTE",
        "resettlement.checks.GRANTS_OF_ANOTHER_ROUTE",
    )
    # The ranking for public notice (公示), from the batch's page; a paid cohort's grants for signatures.
    printouts = ("resettlement.printouts.PLACEMENT_NOTICE", "resettlement.printouts.GRANT_ROSTER")
    role_grants = {
        "approve_subsidyrun": frozenset({BUREAU_STAFF}),
        "run_placement_session": frozenset({BUREAU_STAFF}),
    }
