"""
The registry summary's "present" scopes (`bureau.models.registry_summary_sql.PRESENT_CATEGORIES`): the
holders of a category living in the district on 31 December (`Person.objects.holding(...).present_on(...)`,
the living Korean War veterans of the report) equal the direct count after deaths, moves in and out, a
death recorded without a date, overlapping and gapped ranges, writes by save, queryset update and raw
SQL, a move of township and deletes; the fill equals what the triggers kept.
"""

import datetime

import pytest
from django.db import connection

from bureau.models import (
    Person,
    PersonCategory,
    PreferentialCategory,
    RegistryPersonEvent,
    RegistryYear,
    registry_summary,
)
from bureau.models.registry_summary_sql import summary_fill
from bureau.reporting.dates import period_end
from tests.factories import PersonCategoryFactory, PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date
KOREAN = PreferentialCategory.KOREAN_WAR_VETERAN
YEARS = (2008, 2009, 2011, 2012, 2013, 2015, 2016, 2017, 2019, 2020, 2021, 2030)


def direct(year: int, township) -> int:
    end = period_end(year)
    return Person.objects.approved().in_township(township).holding(KOREAN, on=end).present_on(end).count()


def summarised(year: int, township) -> int:
    return registry_summary.counts(year=year, township=township)["present"].get(KOREAN.value, 0)


def assert_present_is_the_registry(townships) -> None:
    for year in YEARS:
        for township in (None, *townships):
            assert summarised(year, township) == direct(year, township), (year, township)


@pytest.fixture
def veterans(township_a, township_b):
    """
    Fay (A): moved in 3 Mar 2012, died 31 Dec 2019 (alive that day). Gus (A): recorded deceased, no date.
    Hal (B): two overlapping ranges, moved out 30 Dec 2015. Ivy (B): a gap (2014–2016, from 2018).
    Jo (B): holds another category only.
    """
    fay = PersonFactory(township=township_a, moved_in_on=D(2012, 3, 1), died_on=D(2019, 12, 31))
    gus = PersonFactory(township=township_a, status=Person.Status.DECEASED)
    hal = PersonFactory(township=township_b, moved_out_on=D(2015, 12, 30))
    ivy = PersonFactory(township=township_b)
    jo = PersonFactory(township=township_b)
    for person, category, started, ended in [
        (fay, KOREAN, D(2010, 1, 1), None),
        (gus, KOREAN, D(2010, 1, 1), None),
        (hal, KOREAN, D(2009, 5, 1), D(2020, 12, 31)),
        (hal, KOREAN, D(2013, 1, 1), None),
        (ivy, KOREAN, D(2014, 2, 2), D(2016, 12, 31)),
        (ivy, KOREAN, D(2018, 1, 1), None),
        (jo, PreferentialCategory.DISABLED_SOLDIER, D(2010, 1, 1), None),
    ]:
        PersonCategoryFactory(person=person, category=category, started_on=started, ended_on=ended)
    return {"fay": fay, "gus": gus, "hal": hal, "ivy": ivy}


def test_living_holders_by_year_end(veterans, township_a, township_b):
    # 2011: Hal only (Fay moves in 2012); 2013: Fay, Hal; 2015: Fay, Ivy (Hal left the day before);
    # 2017: Fay (Ivy's gap); 2019: Fay (died on the 31st), Ivy; 2020: Ivy.
    assert [summarised(year, None) for year in (2008, 2011, 2013, 2015, 2017, 2019, 2020)] == [0, 1, 2, 2, 1, 2, 1]
    assert [summarised(year, township_a) for year in (2011, 2013, 2019, 2020)] == [0, 1, 1, 0]
    assert_present_is_the_registry([township_a, township_b])


def test_deaths_and_moves_by_every_path(veterans, township_a, township_b):
    fay, gus, hal, ivy = (veterans[name] for name in ("fay", "gus", "hal", "ivy"))
    fay.died_on = None  # the date struck off by a save: Fay stays recorded deceased, now without a date
    fay.save()
    assert summarised(2013, township_a) == direct(2013, township_a) == 0
    Person.objects.filter(pk=ivy.pk).update(moved_out_on=D(2019, 6, 1))  # a queryset update
    assert_present_is_the_registry([township_a, township_b])
    with connection.cursor() as cursor:  # raw SQL: Hal recorded deceased without a date, Gus alive again
        cursor.execute("UPDATE bureau_person SET status = %s WHERE id = %s", [Person.Status.DECEASED, hal.pk])
        cursor.execute("UPDATE bureau_person SET status = %s WHERE id = %s", [Person.Status.VETERAN, gus.pk])
    assert_present_is_the_registry([township_a, township_b])
    assert summarised(2013, None) == 1  # Gus
    Person.objects.filter(pk=gus.pk).update(moved_in_on=D(2016, 1, 1), township=township_b)
    assert_present_is_the_registry([township_a, township_b])
    PersonCategory.objects.filter(person=ivy).update(ended_on=D(2018, 12, 31))
    PersonCategory.objects.filter(person=fay).delete()
    assert_present_is_the_registry([township_a, township_b])
    assert [summarised(year, None) for year in (2013, 2016, 2018, 2020)] == [0, 2, 2, 1]


def test_the_fill_equals_what_the_triggers_kept(veterans, township_a, township_b):
    Person.objects.filter(pk=veterans["ivy"].pk).update(died_on=D(2021, 3, 3))

    def kept():
        return {
            model: sorted(r for r in model.objects.values_list(*fields) if r[-1])
            for model, fields in (
                (RegistryPersonEvent, ("person_id", "township_id", "scope", "year", "delta")),
                (RegistryYear, ("township_id", "scope", "year", "delta")),
            )
        }

    by_triggers = kept()
    assert any(row[2] == f"~{KOREAN.value}" for row in by_triggers[RegistryPersonEvent])
    RegistryPersonEvent.objects.all().delete()
    RegistryYear.objects.all().delete()
    summary_fill(connection)
    assert kept() == by_triggers
    assert_present_is_the_registry([township_a, township_b])
