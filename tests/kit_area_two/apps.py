from bureau.areas import AreaConfig, MenuEntry


class KitAreaTwoConfig(AreaConfig):
    name = "tests.kit_area_two"
    label = "kit_area_two"
    verbose_name = "测试领域二"
    report_section = "tests.kit_area_two.report.section"
    api = "tests.kit_area_two.api"
    station_urls = "tests.kit_area_two.urls"
    station_menu = (MenuEntry("测试津贴", "stipend_list", match="stipend"),)
    station_models = frozenset({"stipend"})
