from bureau.areas import AreaConfig
from bureau.roles import BUREAU_STAFF


class ResettlementConfig(AreaConfig):
    name = "resettlement"
    verbose_name = "移交安置"
    order = 2
    report_section = "resettlement.report.section"
    demo = "resettlement.demo.seed"
    # The public selection is run by bureau staff at the session.
    role_grants = {"run_placement_session": frozenset({BUREAU_STAFF})}
