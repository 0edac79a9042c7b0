"""
The ledger's summary (`bureau.models.ledger_summary`, kept by the triggers of migration 0034): after
writes through every path (a save, the payroll's bulk tuples, a queryset update of each counted column,
a delete, raw SQL, a person moving township, a period moved to another year) its counters equal the
same aggregates taken over the ledger itself, for the district and each township; the report's ledger
figures are read from it, not from the ledger.
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bureau.base.bulk import insert_tuples
from bureau.models import (
    LedgerPaidMonth,
    LedgerPayeeYear,
    LedgerPersonProgramme,
    LedgerPersonYear,
    LedgerProgrammeYear,
    Payment,
    PaymentProgramme,
    Person,
    ledger_summary,
)
from bureau.reporting.registry import registry_figures
from tests.factories import PaymentFactory, PaymentProgrammeFactory, PersonFactory

pytestmark = pytest.mark.django_db

YEARS = (2020, 2021, 2022)
migration = importlib.import_module("bureau.migrations.0034_ledger_summary")


def direct(year: int, township) -> dict:
    """The figures as the report took them before the summary: aggregates over the ledger."""
    rows = Payment.objects.in_township(township).in_year(year)
    by_programme = {
        row["programme"]: {"persons": row["persons"], "payments": row["payments"], "total": row["total"]}
        for row in rows.order_by()
        .values("programme")
        .annotate(persons=Count("person", distinct=True), payments=Count("pk"), total=Sum("amount"))
    }
    by_month = [
        {"paid_year": row["y"], "paid_month": row["m"], "payments": row["payments"], "total": row["total"]}
        for row in rows.annotate(y=ExtractYear("paid_on"), m=ExtractMonth("paid_on"))
        .order_by()
        .values("y", "m")
        .annotate(payments=Count("pk"), total=Sum("amount"))
        .order_by("y", "m")
    ]
    totals = rows.aggregate(payees=Count("person", distinct=True), payments=Count("pk"), total=Sum("amount"))
    return {
        "by_programme": by_programme,
        "by_month": by_month,
        "totals": {**totals, "total": totals["total"] or Decimal("0")},
    }


def summarised(year: int, township) -> dict:
    return {
        "by_programme": ledger_summary.by_programme(year=year, township=township),
        "by_month": ledger_summary.by_paid_month(year=year, township=township),
        "totals": ledger_summary.totals(year=year, township=township),
    }


def assert_summary_is_the_ledger(townships) -> None:
    for year in YEARS:
        for township in (None, *townships):
            assert summarised(year, township) == direct(year, township), (year, township)


@pytest.fixture
def ledger(township_a, township_b):
    """Two programmes, three people (two in A), payments in 2020–2022, one with no period."""
    monthly = PaymentProgrammeFactory(code="summary-monthly", frequency=PaymentProgramme.Frequency.MONTHLY)
    annual = PaymentProgrammeFactory(code="summary-annual", frequency=PaymentProgramme.Frequency.ANNUAL)
    once = PaymentProgrammeFactory(code="summary-once", frequency=PaymentProgramme.Frequency.ONCE)
    ann, bo = PersonFactory(township=township_a), PersonFactory(township=township_a)
    cai = PersonFactory(township=township_b)
    for month in (1, 2, 11):
        PaymentFactory(person=ann, programme=monthly, amount="1500.10", period=f"2021-{month:02d}")
    PaymentFactory(person=ann, programme=monthly, amount="99.99", period="2021-12", paid_on=datetime.date(2022, 1, 5))
    PaymentFactory(person=bo, programme=annual, amount="800.00", period="2021", paid_on=datetime.date(2021, 6, 1))
    PaymentFactory(person=cai, programme=annual, amount="700.05", period="2020", paid_on=datetime.date(2021, 3, 1))
    PaymentFactory(person=cai, programme=once, amount="5000.00", period="", paid_on=datetime.date(2021, 3, 1))
    return {"monthly": monthly, "annual": annual, "once": once, "people": (ann, bo, cai)}


def test_saved_payments_are_counted_by_year_programme_township_and_month(ledger, township_a, township_b):
    monthly, annual = ledger["monthly"], ledger["annual"]
    assert ledger_summary.by_programme(year=2021, township=township_a) == {
        monthly.pk: {"persons": 1, "payments": 4, "total": Decimal("4600.29")},
        annual.pk: {"persons": 1, "payments": 1, "total": Decimal("800.00")},
    }
    # The payment of 2021-12 paid in January 2022 is of 2021; the empty period is of no year.
    assert ledger_summary.totals(year=2021, township=None) == {
        "payees": 2,
        "payments": 5,
        "total": Decimal("5400.29"),
    }
    assert ledger_summary.by_paid_month(year=2021, township=township_a)[-1] == {
        "paid_year": 2022,
        "paid_month": 1,
        "payments": 1,
        "total": Decimal("99.99"),
    }
    assert ledger_summary.totals(year=2020, township=township_b)["payees"] == 1
    assert_summary_is_the_ledger([township_a, township_b])


def test_deletes_uncount_a_person_only_with_their_last_row(ledger, township_a, township_b):
    ann = ledger["people"][0]
    Payment.objects.filter(person=ann, period="2021-01").delete()
    assert ledger_summary.by_programme(year=2021, township=township_a)[ledger["monthly"].pk]["persons"] == 1
    Payment.objects.get(person=ann, period="2021-02").delete()  # the model's delete()
    Payment.objects.filter(person=ann).delete()
    assert ledger["monthly"].pk not in ledger_summary.by_programme(year=2021, township=township_a)
    assert ledger_summary.totals(year=2021, township=township_a)["payees"] == 1
    assert_summary_is_the_ledger([township_a, township_b])


def test_bulk_tuples_and_raw_sql_inserts_are_counted(ledger, township_a, township_b):
    monthly = ledger["monthly"]
    newcomers = [PersonFactory(township=township_b) for _ in range(3)]
    ann = ledger["people"][0]
    rows = [(person.pk, Decimal("10.01"), "2021-05", datetime.date(2021, 5, 20)) for person in [*newcomers, ann]]
    insert_tuples(Payment, ["person_id", "amount", "period", "paid_on"], rows, {"programme_id": monthly.pk})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bureau_payment (person_id, programme_id, amount, period, paid_on, note, created_at)"
            " VALUES (%s, %s, %s, %s, %s, '', %s), (%s, %s, %s, %s, %s, '', %s)",
            [
                *(newcomers[0].pk, monthly.pk, "3.30", "2022-01", datetime.date(2022, 1, 9), timezone.now()),
                *(newcomers[1].pk, monthly.pk, "4.40", "2021-06", datetime.date(2021, 6, 9), timezone.now()),
            ],
        )
    assert ledger_summary.by_programme(year=2021, township=township_b)[monthly.pk] == {
        "persons": 3,
        "payments": 4,
        "total": Decimal("34.43"),
    }
    assert ledger_summary.totals(year=2022, township=None) == {"payees": 1, "payments": 1, "total": Decimal("3.30")}
    assert_summary_is_the_ledger([township_a, township_b])


def test_updates_of_every_counted_column_move_the_counts(ledger, township_a, township_b):
    ann, bo, cai = ledger["people"]
    monthly, annual = ledger["monthly"], ledger["annual"]
    Payment.objects.filter(person=ann, period="2021-01").update(amount=Decimal("1.00"))
    Payment.objects.filter(person=ann, period="2021-02").update(paid_on=datetime.date(2021, 4, 30))
    assert_summary_is_the_ledger([township_a, township_b])
    # A period moved across years, a row moved to another programme and to another person (of B).
    moved = Payment.objects.get(person=ann, period="2021-11")
    moved.period = "2022-12"
    moved.save()
    Payment.objects.filter(person=bo).update(programme=monthly, period="2021-07")
    Payment.objects.filter(person=cai, programme=annual).update(person=bo)
    Payment.objects.filter(period="").update(period="2021")  # a row of no year joins one
    assert ledger_summary.totals(year=2022, township=township_a) == {
        "payees": 1,
        "payments": 1,
        "total": Decimal("1500.10"),
    }
    assert_summary_is_the_ledger([township_a, township_b])
    Payment.objects.filter(period_year=2021).update(note="无关的修改")  # nothing counted changed
    assert_summary_is_the_ledger([township_a, township_b])


def test_a_person_moving_township_takes_their_counts_along(ledger, township_a, township_b):
    ann, bo, _ = ledger["people"]
    ann.township = township_b
    ann.save()
    assert ledger_summary.totals(year=2021, township=township_a)["payees"] == 1
    assert ledger_summary.totals(year=2021, township=township_b)["payees"] == 1
    Person.objects.filter(pk__in=[ann.pk, bo.pk]).update(township=township_a)  # one statement, two people
    assert ledger_summary.totals(year=2021, township=township_a)["payees"] == 2
    assert_summary_is_the_ledger([township_a, township_b])


KEYS = {"id", "year", "programme_id", "township_id", "person_id", "paid_year", "paid_month"}


def kept_rows(model) -> list[tuple]:
    """The rows of `model` with a counter not 0 (the triggers keep a counter that came back to 0; the fill writes none)."""
    fields = [f.attname for f in model._meta.fields if f.attname != "id"]
    counters = [i for i, name in enumerate(fields) if name not in KEYS]
    return sorted(row for row in model.objects.values_list(*fields) if any(row[i] for i in counters))


def test_the_migrations_fill_from_the_ledger_equals_what_the_triggers_kept(ledger, township_a, township_b):
    Payment.objects.filter(person=ledger["people"][1]).delete()
    models = (LedgerProgrammeYear, LedgerPayeeYear, LedgerPaidMonth, LedgerPersonProgramme, LedgerPersonYear)
    kept = {model: kept_rows(model) for model in models}
    for model in models:
        model.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in migration.PG_BACKFILL if connection.vendor == "postgresql" else migration.SQLITE_BACKFILL:
            cursor.execute(statement)
    assert {model: kept_rows(model) for model in models} == kept
    assert kept[LedgerProgrammeYear]
    assert bool(kept[LedgerPersonYear]) is (connection.vendor == "postgresql")


def test_the_report_reads_the_ledger_summary_not_the_ledger(ledger, township_a):
    from pensions.report import funds_item
    from reports.chartdata import payments_by_month, payments_by_programme

    with CaptureQueriesContext(connection) as captured:
        figures = {f.key: f.value for f in registry_figures(year=2021, township=township_a)}
        payments_by_month(year=2021, township=township_a)
        payments_by_programme(year=2021)
        funds_item(year=2021, township=township_a)
    assert (figures["payees"], figures["paid_total"]) == (2, Decimal("5400.29"))
    ledger_reads = [q["sql"] for q in captured.captured_queries if 'FROM "bureau_payment"' in q["sql"]]
    # Only the conscript family allowance's own rows (back pay counts in the year paid) and the
    # conscript visits' persons are read from the ledger, each narrowed to its programme.
    assert len(ledger_reads) == 2
    assert all('"programme_id" = ' in sql or '"code" = ' in sql for sql in ledger_reads)
