from bureau.areas import AreaConfig
from bureau.roles import BUREAU_STAFF


class ResettlementConfig(AreaConfig):
    name = "resettlement"
    verbose_name = "移交安置"
    order = 2
    report_section = "resettlement.report.section"
    demo = "resettlement.demo.seed"
    api = "resettlement.api_placement"  # TEMPORARY (placement-extras): resettlement/api.py will import it
    # The public selection session (resettlement.selection) is held by bureau staff.
    role_grants = {"run_placement_session": frozenset({BUREAU_STAFF})}
