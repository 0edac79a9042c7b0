from bureau.areas import AreaConfig, MenuEntry, PersonFilePart
from bureau.roles import BUREAU_STAFF


class PensionsConfig(AreaConfig):
    name = "pensions"
    verbose_name = "优待抚恤"
    order = 3
    station_menu = (
        MenuEntry("走访慰问", "visit_list", match="visit"),
        MenuEntry("困难问题", "problem_list", match="problem"),
        MenuEntry("体检", "checkup_list", match="checkup"),
    )
    # Stations follow up their township's problems; visits and check-ups are core models
    # (bureau.roles.CORE_STATION_MODELS). The standards and the visiting rounds are district-wide
    # decisions of the bureau every station reads.
    station_models = frozenset({"problem"})
    station_read_models = frozenset({"benefitstandard", "visitround"})
    person_file = PersonFilePart(title="优待抚恤", template="pensions/person_file.html", order=30)
    # The payroll is approved by a second bureau clerk; the bank file carries whole account numbers.
    role_grants = {"approve_payrollrun": frozenset({BUREAU_STAFF}), "export_bank_file": frozenset({BUREAU_STAFF})}
    # The dated work of the area's own records, for the dashboard's monthly trend. Visits and check-ups
    # are core records shared with other areas (Visit.area, CheckUpBatch.population), which a
    # "app.Model.field" path cannot tell apart, so they are not declared here.
    activity_dates = (
        "pensions.OralHistoryInterview.interviewed_on",
        "pensions.OralHistoryExhibition.start_date",
        "pensions.Problem.reported_on",
    )
    # The station's to-do (待办): beneficiaries due a visit in an open visiting round, problems past
    # their deadline (pensions.todo).
    todo = ("pensions.todo.visits_due", "pensions.todo.problems_due")
    # The roster of a paid month for signatures (发放花名册), from the run's page.
    printouts = ("pensions.printouts.PAYROLL_ROSTER",)
