from bureau.areas import AreaConfig, MenuEntry


class KitAreaTwoConfig(AreaConfig):
    name = "tests.kit_area_two"
    label = "kit_area_two"
    verbose_name = "测试领域二"
    # report.section, api and urls are found by the defaults: the folder's modules of those names.
    station_menu = (MenuEntry("测试津贴", "stipend_list", match="stipend"),)
    station_models = frozenset({"stipend"})
