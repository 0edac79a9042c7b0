from bureau.areas import AreaConfig


class SupportArmyConfig(AreaConfig):
    name = "support_army"
    verbose_name = "双拥共建"
    order = 4
    report_section = "support_army.report.section"
