from bureau.areas import AreaConfig, MenuEntry


class KitAreaConfig(AreaConfig):
    name = "tests.kit_area"
    label = "kit_area"
    verbose_name = "测试领域"
    order = 99
    station_menu = (MenuEntry("测试补助", "grant_list", match="grant"),)
    station_models = frozenset({"grant"})
    todo = ("tests.kit_area.todo.grant_once",)
