"""
The report's cost does not grow with the ledger and the registry: composing the demo district's 2021
report costs as many queries with many more people, categories, payments and area records, in every
area, as without them (a query per person, per payment or per record would show here); the ledger's
year is read by its indexed year column, never by `period LIKE '2021%'`; and composing does not
compose every section of the previous year again, only its key figures (the sections' previous
values are composed when a file that prints them reads them).
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.models import PaymentProgramme, PreferentialCategory, Township
from bureau.reporting.registry import registry_figures
from pensions import programmes as pension_programmes
from reports.compose import compose_report
from reports.models import ReportYear
from resettlement import programmes as resettlement_programmes
from tests.commemoration.factories import FacilityInspectionFactory
from tests.employment.factories import TraineeFactory, TrainingClassFactory
from tests.factories import PaymentFactory, PersonCategoryFactory, PersonFactory, VisitFactory
from tests.resettlement.factories import InsuranceContinuationFactory
from tests.support_army.factories import MeritNoticeFactory

pytestmark = pytest.mark.django_db

YEAR = 2021
PER_TOWNSHIP = 4
PERIOD_LIKE = re.compile(r'"period"(::\w+)? LIKE')
# A headcount read through the registry: COUNT(*) of the persons whose id is among the records' (on
# PostgreSQL a hash join over every person of the registry, for a few thousand of them).
COUNT_THROUGH_REGISTRY = re.compile(
    r'^SELECT COUNT\(\*\) AS "__count" FROM "bureau_person" WHERE \(?"bureau_person"\."id" IN \(SELECT'
)


def queries(compose, *args, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        compose(*args, **kwargs)
    return [query["sql"] for query in captured.captured_queries]


def composed_queries(township=None) -> list[str]:
    """The SQL of composing the year's report, the previous year's figures read as the Excel summary reads them."""

    def compose_and_compare():
        document = compose_report(year=YEAR, township=township)
        assert document.previous_year == YEAR - 1
        [compared.previous for compared in document.figures]

    return queries(compose_and_compare)


def grow(townships: list[Township]) -> None:
    """More of everything the report counts, in every township and every area."""
    ledger = {code: PaymentProgramme.objects.get(code=code) for code in pension_programmes.PROGRAMMES}
    grant = resettlement_programmes.programme()
    training = TrainingClassFactory()
    for township in townships:
        for _ in range(PER_TOWNSHIP):
            person = PersonFactory(township=township, discharged_on=datetime.date(YEAR, 3, 1))
            PersonCategoryFactory(person=person, category=PreferentialCategory.DISABLED_SOLDIER)
            PersonCategoryFactory(person=person, category=PreferentialCategory.KOREAN_WAR_VETERAN)
            for month in (1, 2, 3):
                PaymentFactory(
                    person=person, programme=ledger[pension_programmes.PERIODIC_PENSION], period=f"{YEAR}-{month:02d}"
                )
            PaymentFactory(person=person, programme=ledger[pension_programmes.HARDSHIP_AID], period=f"{YEAR}-05")
            PaymentFactory(person=person, programme=ledger[pension_programmes.CONSCRIPT_FAMILY], period=str(YEAR))
            PaymentFactory(person=person, programme=grant, period=str(YEAR))
            VisitFactory(person=person)
            TraineeFactory(person=person, training_class=training)
            InsuranceContinuationFactory(person=person)
            MeritNoticeFactory(soldier__township=township)
        FacilityInspectionFactory(facility__township=township)


@pytest.mark.slow(reason="composes the seeded demo district's report four times and adds ~200 records (about 6 s)")
def test_composing_the_report_costs_the_same_queries_at_two_sizes(demo_district):
    ReportYear.objects.update_or_create(year=YEAR - 1, defaults={"records": ReportYear.Records.COMPLETE})
    townships = list(Township.objects.order_by("pk"))
    district_before, township_before = composed_queries(), composed_queries(townships[0])

    grow(townships)
    district_after, township_after = composed_queries(), composed_queries(townships[0])

    assert len(district_after) == len(district_before)
    assert len(township_after) == len(township_before)
    assert [sql for sql in district_after + township_after if PERIOD_LIKE.search(sql)] == []
    # Headcounts are counted on the records' own person column (bureau.reporting.persons.person_count).
    assert [sql for sql in district_after + township_after if COUNT_THROUGH_REGISTRY.search(sql)] == []


@pytest.mark.slow(reason="composes the seeded demo district's report twice (about 3 s)")
def test_composing_leaves_the_previous_years_sections_to_the_files_that_print_them(demo_district):
    ReportYear.objects.update_or_create(year=YEAR - 1, defaults={"records": ReportYear.Records.COMPLETE})
    alone = queries(compose_report, year=YEAR, with_previous=False)
    previous_key_figures = queries(registry_figures, year=YEAR - 1)

    with CaptureQueriesContext(connection) as captured:
        document = compose_report(year=YEAR)

    # The recorded year looked up once more, and the previous year's key figures: nothing else.
    assert len(captured) == len(alone) + 1 + len(previous_key_figures)
    assert document.previous_key_figures == {figure.key: figure.value for figure in registry_figures(year=YEAR - 1)}
