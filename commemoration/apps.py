from bureau.areas import AreaConfig


class CommemorationConfig(AreaConfig):
    name = "commemoration"
    verbose_name = "褒扬纪念"
    order = 5
    report_section = "commemoration.report.section"
