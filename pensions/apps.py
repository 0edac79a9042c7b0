from bureau.areas import AreaConfig, PersonFilePart
from bureau.roles import BUREAU_STAFF


class PensionsConfig(AreaConfig):
    name = "pensions"
    verbose_name = "优待抚恤"
    order = 3
    report_section = "pensions.report.section"
    demo = "pensions.demo.seed"
    demo_this_year = "pensions.demo.seed_this_year"
    person_file = PersonFilePart(
        title="优待抚恤", template="pensions/person_file.html", context="pensions.person_file.context", order=30
    )
    # The payroll is approved by a second bureau clerk; the bank file carries whole account numbers.
    role_grants = {"approve_payrollrun": frozenset({BUREAU_STAFF}), "export_bank_file": frozenset({BUREAU_STAFF})}
