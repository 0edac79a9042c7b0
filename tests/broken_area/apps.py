from bureau.areas import AreaConfig


class MisspeltSectionConfig(AreaConfig):
    """Declares its report section with a typo: report.py defines `section`."""

    name = "tests.broken_area"
    label = "broken_area"
    verbose_name = "拼错的领域"
    order = 98
    report_section = "tests.broken_area.report.sectoin"


class SpeltRightConfig(MisspeltSectionConfig):
    """The same app spelt right: the check passes (unless its paying model's admin does not pay through the ledger)."""

    report_section = "tests.broken_area.report.section"
