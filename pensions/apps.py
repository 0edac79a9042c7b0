from bureau.areas import AreaConfig
from bureau.roles import BUREAU_STAFF


class PensionsConfig(AreaConfig):
    name = "pensions"
    verbose_name = "优待抚恤"
    order = 3
    report_section = "pensions.report.section"
    demo = "pensions.demo.seed"
    # The payroll is approved by a second bureau clerk; the bank file carries whole account numbers.
    role_grants = {"approve_payrollrun": frozenset({BUREAU_STAFF}), "export_bank_file": frozenset({BUREAU_STAFF})}
