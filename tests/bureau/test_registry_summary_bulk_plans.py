"""
PostgreSQL: a statement touching many persons (an import's chunk) recomputes their registry events with
a plan made for its own persons (migration 0036): its reads of the registry follow the persons it
touched, not every approved person of the table, whatever plan the session's earlier saves cached
while the tables were small. The figures stay the registry's.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from bureau.models import Person, PersonCategory, PreferentialCategory, ReviewStatus
from bureau.models.registry_summary_sql import PLAN_EACH_ABOVE
from tests.factories import PersonFactory, TownshipFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's triggers are row-level: one person each"),
]

ALREADY = 1200
TOUCHED = 60


def reads() -> dict[str, int]:
    """This transaction's index scans and rows read of the registry's tables (pg_stat_xact_user_tables)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, COALESCE(idx_scan, 0), COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname IN ('bureau_person', 'bureau_personcategory')"
        )
        rows = cursor.fetchall()
    return {f"{name}.{kind}": value for name, scans, read in rows for kind, value in (("scans", scans), ("read", read))}


def test_a_bulk_statement_reads_the_persons_it_touched_not_the_whole_registry():
    assert TOUCHED > PLAN_EACH_ABOVE
    township = TownshipFactory()
    # The session's prepared plans are made by the first save, while the registry is one person.
    PersonFactory(township=township, review_status=ReviewStatus.APPROVED)
    Person.objects.bulk_create(
        PersonFactory.build(township=township, review_status=ReviewStatus.APPROVED, discharged_on=None)
        for _ in range(ALREADY)
    )
    touched = list(Person.objects.order_by("-pk")[:TOUCHED])
    before = reads()

    PersonCategory.objects.bulk_create(
        PersonCategory(
            person=person, category=PreferentialCategory.DISABLED_SOLDIER, started_on=datetime.date(2015, 3, 1)
        )
        for person in touched
    )

    after = reads()
    grown = {key: after.get(key, 0) - before.get(key, 0) for key in after}
    # Each touched person is looked up a few times (each kind of event); the 1,200 others are never read.
    assert grown["bureau_person.read"] <= 8 * TOUCHED, grown
    assert grown["bureau_personcategory.scans"] <= 8 * TOUCHED, grown
    call_command("registry_summary", "--check")
