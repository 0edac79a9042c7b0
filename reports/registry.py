"""Discovery of the area sections, in the order of the reference report."""

from django.conf import settings
from django.utils.module_loading import import_string

from bureau.areas import area_configs
from bureau.reporting import Section


def section_paths() -> list[str]:
    """
    Dotted paths of the section functions: each area app's declared `report_section`
    in the areas' order. `settings.REPORT_SECTIONS`, when set (tests, a trimmed
    installation), replaces the list.
    """
    configured = getattr(settings, "REPORT_SECTIONS", None)
    if configured is not None:
        return list(configured)
    return [area.report_section for area in area_configs() if area.report_section]


def collect_sections(*, year: int, township=None) -> list[Section]:
    """Call each section function, in order."""
    return [import_string(path)(year=year, township=township) for path in section_paths()]
