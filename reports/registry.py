"""Discovery of the five area sections, in the order of the reference report."""

from importlib import import_module

from bureau.reporting import Section

# (一) 就业创业 … (五) 褒扬纪念: the order of the reference report.
SECTION_APPS = ("employment", "resettlement", "pensions", "support_army", "commemoration")


def collect_sections(*, year: int, township=None) -> list[Section]:
    sections = []
    for app_label in SECTION_APPS:
        module = import_module(f"{app_label}.report")
        sections.append(module.section(year=year, township=township))
    return sections
