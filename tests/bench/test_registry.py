"""
The bench's SQL loader (bench/registry.py) at a tiny scale: exact rows per table, valid ID numbers.

`make bench` times the admin lists and the report on what this loader writes, so what it writes
must be what the portal would hold: approved persons in a township with valid, unique ID numbers,
their categories, bank accounts and payments, and the area records the report counts.
"""

import pytest
from django.db import transaction
from django.db.models import F
from stdnum.cn import ric

from bench import registry
from bureau.models import BankAccount, Payment, Person, PersonCategory, ReviewStatus, Visit
from bureau.validators import parse_resident_id
from employment.models import FairAttendance
from reports.registry import collect_sections
from support_army.models import HomecomingRegistration

pytestmark = pytest.mark.django_db

YEAR = 2021
PERSONS = 200
PAYMENTS = 1_950  # ten months for most, nine for the last 50: the ledger stops at its size


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The loader at 200 persons in three townships, rolled back after the module (docs/testing.md)."""
    from tests.factories import TownshipFactory

    with django_db_blocker.unblock(), transaction.atomic():
        townships = [TownshipFactory(code=f"L{n:02d}", name=f"载{n}镇", order=n) for n in (1, 2, 3)]
        # Half, then topped up to the whole (as a district topped up to a city): no ID number twice.
        first = registry.registry_fill(year=YEAR, persons=PERSONS // 2, payments=1_000)
        second = registry.registry_fill(year=YEAR, persons=PERSONS, payments=PAYMENTS)
        written = {key: first.get(key, 0) + second.get(key, 0) for key in {*first, *second}}
        yield townships, written
        transaction.set_rollback(True)


def test_rows_written_per_table(loaded):
    _, written = loaded
    per_kind = registry.area_record_count(PERSONS, 1)
    assert per_kind == 4
    assert written == {
        "persons": PERSONS,
        "categories": 68,  # every third of each hundred, from the first: 34 + 34
        "bank accounts": PERSONS,
        "payments": PAYMENTS,
        "employment.FairAttendance": per_kind,
        "employment.Trainee": per_kind,
        "resettlement.InsuranceContinuation": per_kind,
        "bureau.CheckUp": per_kind,
        "bureau.Visit": per_kind,
        "support_army.HomecomingRegistration": per_kind,
    }
    assert Person.objects.count() == PERSONS
    assert PersonCategory.objects.count() == 68
    assert Payment.objects.count() == PAYMENTS
    assert Payment.objects.filter(period=f"{YEAR}-10").count() == 150
    assert Payment.objects.values("person", "programme", "period").distinct().count() == PAYMENTS
    assert BankAccount.objects.filter(active=True).values("person").distinct().count() == PERSONS
    assert FairAttendance.objects.approved().count() == 4
    assert Visit.objects.approved().filter(visited_on__year=YEAR).count() == 4
    # Each record is in its person's township.
    assert not HomecomingRegistration.objects.exclude(township=F("person__township")).exists()


def test_persons_are_valid_for_the_portal(loaded):
    townships, _ = loaded
    rows = list(Person.objects.values_list("id_number", "gender", "birth_date", "township", "review_status"))
    numbers = [row[0] for row in rows]
    assert len(set(numbers)) == PERSONS
    for number, gender, birth_date, _township, review_status in rows:
        assert ric.is_valid(number), number
        resident = parse_resident_id(number)
        assert (resident.gender, resident.birth_date) == (gender, birth_date)
        assert review_status == ReviewStatus.APPROVED
    assert {row[3] for row in rows} == {t.pk for t in townships}
    assert Person.objects.approved().veterans().count() == PERSONS


def test_the_report_counts_the_loaded_records(loaded):
    """The report's sections see the loaded area records (what makes its growth with size measurable)."""
    figures = {
        (item.key, figure.key): figure.value
        for section in collect_sections(year=YEAR)
        for item in section.items
        for figure in item.figures
    }
    assert figures[("employment.job_fairs", "attendees")] == 4
    assert figures[("employment.training", "trainees")] == 4
    # Each fill gives its first two a pension and a medical continuation (kinds cycle every 200 persons).
    assert figures[("resettlement.funds", "insurance_continuations")] == 4
