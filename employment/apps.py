from bureau.areas import AreaConfig, MenuEntry, PersonFilePart


class EmploymentConfig(AreaConfig):
    name = "employment"
    verbose_name = "就业创业"
    order = 1
    station_menu = (
        MenuEntry("招聘会参加人员", "attendance_list", match="attendance"),
        MenuEntry("就业情况", "outcome_list", match="outcome"),
    )
    person_file = PersonFilePart(title="就业创业", template="employment/person_file.html", order=10)
    station_models = frozenset({"fairattendance", "employmentoutcome"})
    station_read_models = frozenset({"jobfair"})
    # The dashboard's month-by-month trend: the fairs, the adaptive training classes, the publicity events.
    activity_dates = (
        "employment.JobFair.start_date",
        "employment.TrainingClass.start_date",
        "employment.PublicityEvent.start_date",
    )
