from bureau.areas import AreaConfig, MenuEntry, PersonFilePart


class EmploymentConfig(AreaConfig):
    name = "employment"
    verbose_name = "就业创业"
    order = 1
    report_section = "employment.report.section"
    api = "employment.api"
    demo = "employment.demo.seed"
    demo_this_year = "employment.demo.seed_this_year"
    station_urls = "employment.urls"
    station_menu = (
        MenuEntry("招聘会参加人员", "attendance_list", match="attendance"),
        MenuEntry("就业情况", "outcome_list", match="outcome"),
    )
    person_file = PersonFilePart(
        title="就业创业", template="employment/person_file.html", context="employment.person_file.context", order=10
    )
    station_models = frozenset({"fairattendance", "employmentoutcome"})
    station_read_models = frozenset({"jobfair"})
