"""
Every figure of the demo's 2021 report that names its records (the dashboard's drill-down, "which 38?")
counts or sums exactly those records: in the district report and in each township's.
"""

import pytest

from bureau.models import Township
from reports.registry import collect_sections
from tests.report_checks import recount

pytestmark = pytest.mark.django_db

AREAS = {"employment", "resettlement", "pensions", "support_army", "commemoration"}


def figures_with_records(township):
    for section in collect_sections(year=2021, township=township):
        for item in section.items:
            if township is not None:
                if item.district_only:
                    continue
                item = item.for_township()
            for figure in item.figures:
                if figure.records is not None:
                    yield item, figure


@pytest.mark.slow(reason="composes the five sections nine times over the seeded demo district (about 4 s)")
def test_every_figure_with_records_counts_exactly_its_records(demo_district):
    scopes = [None, *Township.objects.all()]
    checked, wrong = 0, []
    for township in scopes:
        for item, figure in figures_with_records(township):
            checked += 1
            if recount(figure) != figure.value:
                wrong.append((township, item.key, figure.key, figure.value, recount(figure)))
    assert wrong == []
    # The five areas name the records of their counted figures: far more than a handful per scope.
    assert checked > 9 * 40


@pytest.mark.slow(reason="composes the five sections of the seeded demo district twice (about 2 s)")
def test_every_headline_figure_opens_its_records(demo_district):
    for township in (None, Township.objects.get(code="dongcheng")):
        for section in collect_sections(year=2021, township=township):
            if section.app_label not in AREAS:
                continue  # the test suite's own kit areas
            headlines = [figure for item in section.items for figure in item.figures if figure.headline]
            assert headlines, f"{section.area} declares no headline figure"
            for figure in headlines:
                if figure.value is not None and figure.value != 0:
                    # A fair's attendees counted without names (60 in the demo) cannot be listed: the
                    # district's attendee figure has records only when everyone came with a name.
                    assert figure.records is not None or figure.key == "attendees", (section.area, figure.key)
