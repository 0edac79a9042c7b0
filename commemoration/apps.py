from bureau.areas import AreaConfig, MenuEntry
from bureau.roles import BUREAU_STAFF


class CommemorationConfig(AreaConfig):
    name = "commemoration"
    verbose_name = "褒扬纪念"
    order = 5
    # The dashboard's monthly trend: approved inspections, upgrade projects and ceremonies, counted in
    # their township's view too. Not the online memorial's campaigns (they name no township, so they
    # would count in every township's trend) nor visits (bureau.Visit is every area's).
    activity_dates = (
        "commemoration.FacilityInspection.inspected_on",
        "commemoration.UpgradeProject.planned_on",
        "commemoration.Ceremony.start_date",
    )
    station_menu = (
        MenuEntry("典型推荐", "nominee_list", match="nominee"),
        MenuEntry("纪念设施巡查", "inspection_list", match="inspection"),
    )
    # The online memorial (网上纪念馆), no login: mounted at /memorial/, namespace "commemoration".
    public_urls = "commemoration.public_urls"
    public_path = "memorial"
    # Stations nominate their township's people and inspect the facilities in their township.
    station_models = frozenset({"nominee", "facilityinspection"})
    station_read_models = frozenset({"honourselection", "memorialfacility"})
    # The station's to-do (待办) and the bureau's completeness: each facility inspected once a quarter.
    todo = ("commemoration.todo.inspections",)
    # Bureau staff moderate the memorial's messages.
    role_grants = {"moderate_tribute": frozenset({BUREAU_STAFF})}

    def ready(self):
        super().ready()
        from django.conf import settings

        # One API schema name for the protection level, which the facility and the (optional) target level share.
        overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
        overrides["ProtectionLevelEnum"] = "commemoration.models.ProtectionLevel"
