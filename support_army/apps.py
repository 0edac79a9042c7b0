from bureau.areas import AreaConfig, MenuEntry, PersonFilePart


class SupportArmyConfig(AreaConfig):
    name = "support_army"
    verbose_name = "双拥共建"
    order = 4
    station_menu = (
        MenuEntry("送喜报", "notice_list", match="notice"),
        MenuEntry("返乡报到", "homecoming_list", match="homecoming"),
    )
    person_file = PersonFilePart(title="双拥共建", template="support_army/person_file.html", order=40)
    # The alliance's public page (members and their offers), no login: mounted at /support-army/.
    public_urls = "support_army.public_urls"
    # Stations deliver their township's merit notices and keep their returning veterans' checklist.
    station_models = frozenset(
        {"meritnotice", "meritnoticebatch", "homecomingregistration", "homecomingstepcompletion"}
    )
    station_read_models = frozenset({"homecomingstep", "receptionpoint"})
    data_checks = ("support_army.checks.NOTICES_WITHOUT_FAMILY_LINK",)
    # The station's to-do (待办) and the bureau's completeness: returning veterans, merit notices.
    todo = ("support_army.todo.homecoming", "support_army.todo.merit_notices")
    # The dashboard's monthly trend: notices delivered, veterans received home, requests received,
    # joint activities, the matchmaking event and the Army Day gala.
    activity_dates = (
        "support_army.MeritNotice.delivered_on",
        "support_army.HomecomingRegistration.received_on",
        "support_army.TroopRequest.received_on",
        "support_army.JointActivity.start_date",
        "support_army.MatchmakingEvent.start_date",
        "support_army.ArmyDayGala.start_date",
    )
