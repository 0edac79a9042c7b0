"""
The report's headcounts (bureau.reporting.persons): counted on the records' own person column, the
persons' own conditions looked up by primary key, never by reading the registry for the records'
persons; the count equals the drill-down queryset's.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.models import Person, PersonCategory, PreferentialCategory
from bureau.reporting.persons import person_count, persons_of
from tests.factories import PersonCategoryFactory, PersonFactory, TownshipFactory

pytestmark = pytest.mark.django_db

KOREAN = PreferentialCategory.KOREAN_WAR_VETERAN
END = datetime.date(2021, 12, 31)


@pytest.fixture
def rows():
    home, other = TownshipFactory(), TownshipFactory()
    people = [
        PersonFactory(township=home),
        PersonFactory(township=home, died_on=datetime.date(2021, 6, 1)),
        PersonFactory(township=other),
        PersonFactory(township=home, moved_in_on=datetime.date(2022, 1, 5)),
        PersonFactory(township=home),
    ]
    for person in people[:4]:
        PersonCategoryFactory(person=person, category=KOREAN, started_on=datetime.date(2010, 1, 1))
    # Twice the same person (two rows held at once), counted once.
    PersonCategoryFactory(person=people[0], category=KOREAN, started_on=datetime.date(2015, 1, 1))
    # Ended before the year's end: not held.
    PersonCategoryFactory(
        person=people[4], category=KOREAN, started_on=datetime.date(2010, 1, 1), ended_on=datetime.date(2021, 12, 30)
    )
    return home, people


def test_the_count_is_the_drill_downs(rows):
    home, people = rows
    held = PersonCategory.objects.holding(KOREAN, on=END)
    assert person_count(held) == persons_of(held).count() == 4
    present = Person.objects.present_on(END)
    assert person_count(held, among=present) == persons_of(held).filter(pk__in=present).count() == 2
    at_home = Person.objects.in_township(home).present_on(END)
    assert person_count(held, among=at_home) == 1
    assert person_count(held.none()) == 0


def test_the_count_looks_persons_up_by_key_never_over_the_registry(rows):
    held = PersonCategory.objects.holding(KOREAN, on=END)
    with CaptureQueriesContext(connection) as captured:
        person_count(held, among=Person.objects.present_on(END))
    [sql] = [query["sql"] for query in captured.captured_queries]
    # One query over the category's rows; a person looked up by the row's person id, LIMIT 1 (a scalar
    # subquery, which the database runs per row instead of joining the whole registry).
    assert sql.startswith('SELECT COUNT(DISTINCT "bureau_personcategory"."person_id")')
    assert 'JOIN "bureau_person"' not in sql
    assert " IN (SELECT" not in sql
    assert 'U0."id" = ("bureau_personcategory"."person_id")) LIMIT 1) IS NOT NULL' in sql
