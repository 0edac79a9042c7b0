"""
The registry's summary (`bureau.models.registry_summary`, kept by the triggers of migration 0035): after
writes through every path (a save, a bulk insert, a queryset update and delete, raw SQL, a person moving
township or leaving "approved", overlapping and gapped category ranges, a range ending on 31 December
or another day, deletes) the report's registry figures read from it equal the same counts taken over
the persons and their categories directly, for the district and each township, in several years; the
set-based fill equals what the triggers kept; the report reads the summary, never the registry.
"""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from bureau.models import (
    Person,
    PersonCategory,
    PreferentialCategory,
    RegistryPersonEvent,
    RegistryYear,
    ReviewStatus,
    Township,
)
from bureau.models.registry_summary_sql import summary_fill
from bureau.reporting.dates import period_end
from bureau.reporting.registry import registry_figures, registry_figures_by_township
from reports.chartdata import townships_compared
from tests.factories import PersonCategoryFactory, PersonFactory, TownshipFactory

pytestmark = pytest.mark.django_db

YEARS = (2008, 2009, 2010, 2012, 2013, 2014, 2015, 2019, 2020, 2021, 2022, 2031)
D = datetime.date
C = PreferentialCategory
LEDGER_KEYS = ("payees", "paid_total")


def direct(year: int, township) -> dict:
    """The registry figures as `registry_figures` took them before the summary: counts over the persons."""
    year_end = period_end(year)
    people = Person.objects.approved().in_township(township)
    holding = people.filter(
        Q(categories__ended_on__isnull=True) | Q(categories__ended_on__gte=year_end),
        categories__started_on__lte=year_end,
    )
    figures = {
        "veterans": people.veterans().filter(discharged_on__lte=year_end).count(),
        "discharged": people.veterans().discharged_in(year).count(),
        "beneficiaries": holding.values("pk").distinct().count(),
    }
    holders = holding.values("categories__category").annotate(count=Count("pk", distinct=True))
    by_category = {row["categories__category"]: row["count"] for row in holders}
    for category in C:  # in the report's order, only categories with holders
        if by_category.get(category.value):
            figures[f"category.{category.value}"] = by_category[category.value]
    return figures


def summarised(year: int, township) -> dict:
    return {f.key: f.value for f in registry_figures(year=year, township=township) if f.key not in LEDGER_KEYS}


def assert_summary_is_the_registry(townships) -> None:
    for year in YEARS:
        by_township = registry_figures_by_township(year=year, townships=townships)
        for township in (None, *townships):
            want = direct(year, township)
            assert summarised(year, township) == want, (year, township)
            assert list(summarised(year, township)) == list(want)  # the report's order
            if township is not None:
                assert {f.key: f.value for f in by_township[township.pk] if f.key not in LEDGER_KEYS} == want


@pytest.fixture
def registry(township_a, township_b):
    """
    Ann (A): ranges of one category with a gap (2010–2012 ends 31 Dec, 2014–), another overlapping
    them (ends 1 May 2016: covers 2011–2015). Bo (A): a range ending 30 Dec 2020 (covers no year-end)
    and one ending 31 Dec 2021. Cai (B, a family member): two overlapping ranges of one category.
    Dan (B): submitted, not approved. Eve (B): a veteran with no discharge date.
    """
    ann = PersonFactory(township=township_a, discharged_on=D(2015, 6, 30))
    bo = PersonFactory(township=township_a, discharged_on=D(2020, 1, 1))
    cai = PersonFactory(township=township_b, status=Person.Status.FAMILY, discharged_on=D(2012, 3, 3))
    dan = PersonFactory(township=township_b, discharged_on=D(2019, 5, 5), review_status=ReviewStatus.SUBMITTED)
    eve = PersonFactory(township=township_b, discharged_on=None)
    for person, category, started, ended in [
        (ann, C.DISABLED_SOLDIER, D(2010, 1, 1), D(2012, 12, 31)),
        (ann, C.DISABLED_SOLDIER, D(2014, 3, 1), None),
        (ann, C.HARDSHIP_VETERAN, D(2011, 5, 1), D(2016, 5, 1)),
        (bo, C.CONSCRIPT_FAMILY, D(2020, 2, 1), D(2020, 12, 30)),
        (bo, C.HARDSHIP_VETERAN, D(2020, 2, 1), D(2021, 12, 31)),
        (cai, C.DUTY_DEATH_FAMILY, D(2009, 7, 1), D(2021, 6, 30)),
        (cai, C.DUTY_DEATH_FAMILY, D(2015, 1, 1), None),
        (dan, C.DISABLED_SOLDIER, D(2010, 1, 1), None),
        (eve, C.MARTYR_FAMILY, D(2013, 1, 1), D(2019, 12, 31)),
    ]:
        PersonCategoryFactory(person=person, category=category, started_on=started, ended_on=ended)
    return {"ann": ann, "bo": bo, "cai": cai, "dan": dan, "eve": eve}


def test_saved_persons_and_ranges_are_counted_by_year_end(registry, township_a, township_b):
    # Ann holds the hardship category in the disabled one's gap (2013); she was discharged in 2015.
    assert summarised(2013, township_a) == {
        "veterans": 0,
        "discharged": 0,
        "beneficiaries": 1,
        "category.hardship_veteran": 1,
    }
    # Bo's range ending 30 Dec 2020 covers no year-end; the one ending 31 Dec 2021 covers 2020 and 2021.
    assert summarised(2021, township_a)["category.hardship_veteran"] == 1
    assert "category.conscript_family" not in summarised(2020, township_a)
    assert summarised(2022, None)["beneficiaries"] == 2  # Ann, Cai (overlapping ranges, once); not Dan
    assert summarised(2020, None)["discharged"] == 1
    assert_summary_is_the_registry([township_a, township_b])


def test_bulk_creates_queryset_updates_and_raw_sql_are_counted(registry, township_a, township_b):
    ann, bo, cai, eve = registry["ann"], registry["bo"], registry["cai"], registry["eve"]
    PersonCategory.objects.bulk_create(
        [
            PersonCategory(person=bo, category=C.CONSCRIPT_FAMILY, started_on=D(2020, 12, 31), ended_on=D(2022, 1, 1)),
            PersonCategory(person=eve, category=C.MARTYR_FAMILY, started_on=D(2020, 1, 1)),  # a gap in 2020
            PersonCategory(person=cai, category=C.MARTYR_CHILD, started_on=D(2008, 1, 1), ended_on=D(2008, 12, 31)),
        ]
    )
    assert_summary_is_the_registry([township_a, township_b])
    # One statement over several persons: ranges closed, moved, reopened.
    PersonCategory.objects.filter(category=C.HARDSHIP_VETERAN, person__in=[ann, cai]).update(ended_on=D(2014, 12, 31))
    PersonCategory.objects.filter(person=ann, ended_on__isnull=True).update(started_on=D(2013, 1, 1))
    PersonCategory.objects.filter(person=cai, ended_on=D(2021, 6, 30)).update(ended_on=None)
    PersonCategory.objects.filter(person=eve).update(person=bo)  # rows moved to another person
    assert_summary_is_the_registry([township_a, township_b])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bureau_personcategory (person_id, category, started_on, ended_on, note)"
            " VALUES (%s, %s, %s, NULL, ''), (%s, %s, %s, %s, '')",
            [ann.pk, C.KOREAN_WAR_VETERAN, D(2019, 12, 31), eve.pk, C.MARTYR_FAMILY, D(2012, 2, 2), D(2022, 12, 31)],
        )
        cursor.execute(
            "UPDATE bureau_personcategory SET ended_on = %s WHERE person_id = %s AND started_on < %s",
            [D(2019, 12, 30), ann.pk, D(2019, 1, 1)],
        )
        cursor.execute(
            "DELETE FROM bureau_personcategory WHERE person_id = %s AND category = %s", [bo.pk, C.CONSCRIPT_FAMILY]
        )
    assert_summary_is_the_registry([township_a, township_b])
    PersonCategory.objects.filter(person=bo).delete()
    PersonCategory.objects.get(person=cai, started_on=D(2015, 1, 1)).delete()  # the model's delete()
    assert_summary_is_the_registry([township_a, township_b])


def test_a_persons_own_changes_move_their_counts(registry, township_a, township_b):
    ann, bo, cai, dan, eve = (registry[name] for name in ("ann", "bo", "cai", "dan", "eve"))
    ann.township = township_b  # a move takes the person's counts along
    ann.save()
    assert summarised(2021, township_b)["category.disabled_soldier"] == 1
    assert_summary_is_the_registry([township_a, township_b])
    Person.objects.filter(pk__in=[ann.pk, cai.pk]).update(township=township_a)  # one statement, two people
    bo.review_status = ReviewStatus.RETURNED  # approved -> returned: no longer counted
    bo.save()
    Person.objects.filter(pk=dan.pk).update(review_status=ReviewStatus.APPROVED)
    Person.objects.filter(pk=eve.pk).update(discharged_on=D(2009, 12, 31))
    Person.objects.filter(pk=cai.pk).update(status=Person.Status.VETERAN)
    assert_summary_is_the_registry([township_a, township_b])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bureau_person SET discharged_on = %s WHERE id = %s", [D(2021, 1, 1), ann.pk])
        cursor.execute("UPDATE bureau_person SET status = %s WHERE id = %s", [Person.Status.FAMILY, dan.pk])
    Person.objects.filter(pk=bo.pk).update(review_status=ReviewStatus.APPROVED, phone="13900000000")
    assert_summary_is_the_registry([township_a, township_b])


def test_new_and_deleted_persons(registry, township_a, township_b):
    newcomers = Person.objects.bulk_create(
        [
            PersonFactory.build(township=township_b, discharged_on=D(2022, 12, 31)),
            PersonFactory.build(township=township_a, discharged_on=D(2008, 1, 1), review_status=ReviewStatus.DRAFT),
        ]
    )
    PersonCategoryFactory(person=Person.objects.get(pk=newcomers[0].pk), started_on=D(2021, 1, 1))
    assert_summary_is_the_registry([township_a, township_b])
    registry["ann"].delete()  # its categories first, then the person
    Person.objects.filter(pk=registry["eve"].pk).delete()
    assert summarised(2021, township_a)["veterans"] == 1
    assert_summary_is_the_registry([township_a, township_b])
    assert not RegistryPersonEvent.objects.filter(person_id__in=[registry["ann"].pk, registry["eve"].pk]).exists()


def kept_rows(model) -> list[tuple]:
    """The rows of `model` with a delta not 0 (the triggers keep a counter that came back to 0; the fill writes none)."""
    fields = [f.attname for f in model._meta.fields if f.attname != "id"]
    return sorted(row for row in model.objects.values_list(*fields) if row[-1])


def test_the_fill_equals_what_the_triggers_kept(registry, township_a, township_b):
    PersonCategory.objects.filter(person=registry["cai"], started_on__lt=D(2012, 1, 1)).update(ended_on=D(2012, 12, 31))
    Person.objects.filter(pk=registry["bo"].pk).update(township=township_b)
    kept = {model: kept_rows(model) for model in (RegistryPersonEvent, RegistryYear)}
    RegistryPersonEvent.objects.all().delete()
    RegistryYear.objects.all().delete()
    assert summarised(2021, None)["veterans"] == 0
    summary_fill(connection)
    assert {model: kept_rows(model) for model in (RegistryPersonEvent, RegistryYear)} == kept
    assert len(kept[RegistryYear]) > 10
    assert_summary_is_the_registry([township_a, township_b])


def test_the_report_reads_the_summary_not_the_registry(registry, township_a, township_b):
    townships = [township_a, township_b, *(TownshipFactory() for _ in range(3))]
    with CaptureQueriesContext(connection) as one:
        registry_figures(year=2021, township=township_a)
    with CaptureQueriesContext(connection) as district:
        registry_figures(year=2021)
    with CaptureQueriesContext(connection) as compared:
        chart = townships_compared(year=2021)
    # One query of the registry summary and two of the ledger's, for a township or the district;
    # the comparison reads the townships, then every township's figures in three.
    assert (len(one), len(district), len(compared)) == (3, 3, 4)
    sql = [q["sql"] for q in [*one.captured_queries, *district.captured_queries, *compared.captured_queries]]
    assert not [s for s in sql if '"bureau_person"' in s or '"bureau_personcategory"' in s]
    veterans = next(s for s in chart.series if s.name == "登记在册退役军人")
    beneficiaries = next(s for s in chart.series if s.name == "优抚对象")
    assert chart.categories == [t.name for t in Township.objects.all()]
    by_name = dict(zip(chart.categories, zip(veterans.values, beneficiaries.values, strict=True), strict=True))
    for township in townships:
        want = direct(2021, township)
        assert by_name[township.name] == (want["veterans"], want["beneficiaries"])
