from bureau.areas import AreaConfig


class PensionsConfig(AreaConfig):
    name = "pensions"
    verbose_name = "优待抚恤"
    order = 3
    report_section = "pensions.report.section"
    demo = "pensions.demo.seed"
