"""Discovery of the five area sections, in the order of the reference report."""

from django.conf import settings
from django.utils.module_loading import import_string

from bureau.reporting import Section


def collect_sections(*, year: int, township=None) -> list[Section]:
    """Call each `<app>.report.section` listed in settings.REPORT_SECTIONS, in order."""
    return [import_string(path)(year=year, township=township) for path in settings.REPORT_SECTIONS]
