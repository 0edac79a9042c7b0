"""
The payroll that streams (`pensions.payroll`): generated part by part of PERSON_CHUNK persons and paid
part by part of PAYROLL_PAY_CHUNK lines, whatever the part sizes the same lines and the same ledger;
one audit event per part written, on the batch, summarising its payments (no ID or bank numbers);
the ledger's history still one row per payment, copied by the database from the rows written.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bureau import roles
from bureau.models import AuditEvent, BankAccount, Payment
from pensions import payroll
from pensions.models import PayrollLine, PayrollRun
from tests.factories import PayeeFactory, PaymentFactory, PersonCategoryFactory, UserFactory
from tests.pensions.factories import BenefitStandardFactory

JAN_1 = datetime.date(2021, 1, 1)
LEDGER = ("person_id", "programme_id", "amount", "period", "paid_on", "bank_account_id", "note")


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def people(db, township_a):
    """Five beneficiaries with an account in use: three disabled soldiers, two martyrs' families."""
    BenefitStandardFactory(category="disabled_soldier", monthly_amount="2150.00", valid_from=JAN_1)
    BenefitStandardFactory(category="martyr_family", monthly_amount="2380.00", valid_from=JAN_1)
    holders = []
    for category in ["disabled_soldier", "martyr_family", "disabled_soldier", "martyr_family", "disabled_soldier"]:
        holder = PayeeFactory(township=township_a)
        PersonCategoryFactory(person=holder, category=category, started_on=JAN_1)
        holders.append(holder)
    return holders


def run_month(period, clerk, approver, django_capture_on_commit_callbacks) -> PayrollRun:
    """Generate, approve and pay (the tasks, queued on commit, run here, eagerly)."""
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period=period, paid_on=None, by=clerk)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.GENERATED, run.error
    with django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_approve(run=run, by=approver)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID, run.error
    return run


def part_events(run):
    return AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CREATE, content_type__model="paymentbatch", object_id=str(run.batch_id)
    ).exclude(detail="")


def test_a_paid_run_has_one_audit_event_per_part_and_one_history_row_per_payment(
    people, bureau_user, approver, django_capture_on_commit_callbacks
):
    with override_settings(PAYROLL_PAY_CHUNK=2):
        run = run_month("2021-03", bureau_user, approver, django_capture_on_commit_callbacks)

    ids = [person.pk for person in people]
    assert [event.detail for event in part_events(run).order_by("pk")] == [
        f"写入发放明细：2 笔，合计 4530.00 元（2150.00 元×1、2380.00 元×1）；人员编号 {ids[0]}–{ids[1]}",
        f"写入发放明细：2 笔，合计 4530.00 元（2150.00 元×1、2380.00 元×1）；人员编号 {ids[2]}–{ids[3]}",
        f"写入发放明细：1 笔，合计 2150.00 元（2150.00 元×1）；人员编号 {ids[4]}–{ids[4]}",
    ]
    assert {event.user for event in part_events(run)} == {approver}
    # No event per payment; nothing personal in the batch's events.
    assert not AuditEvent.objects.filter(content_type__model="payment").exists()
    numbers = [person.id_number for person in people]
    numbers += list(BankAccount.objects.values_list("account_number", flat=True))
    assert not [n for n in numbers for detail in AuditEvent.objects.values_list("detail", flat=True) if n in detail]

    # The ledger's history: one "+" row per payment, by the approver, holding the payment's values.
    payments = Payment.objects.filter(batch=run.batch)
    assert payments.count() == 5
    history = Payment.history.filter(batch_id=run.batch_id)
    assert set(history.values_list("history_type", "history_user", "history_change_reason")) == {("+", approver.pk, "")}
    fields = ("id", *LEDGER, "batch_id", "created_at")
    assert sorted(history.values_list(*fields)) == sorted(payments.values_list(*fields))
    assert (run.persons, run.total) == (5, Decimal("11210.00"))


def test_paying_in_small_parts_writes_the_same_ledger_as_one_part(
    people, bureau_user, approver, django_capture_on_commit_callbacks
):
    def ledger(run):
        rows = Payment.objects.filter(batch=run.batch)
        history = Payment.history.filter(batch_id=run.batch_id).values_list(*LEDGER, "history_type")
        return sorted(rows.values_list(*LEDGER)), sorted(history), len(part_events(run)), (run.persons, run.total)

    with transaction.atomic():
        with override_settings(PAYROLL_PAY_CHUNK=2):
            parts = ledger(run_month("2021-03", bureau_user, approver, django_capture_on_commit_callbacks))
        transaction.set_rollback(True)
    assert not Payment.objects.exists()
    one = ledger(run_month("2021-03", bureau_user, approver, django_capture_on_commit_callbacks))

    assert parts[:2] == one[:2]
    assert len(parts[0]) == 5
    assert (parts[2], one[2]) == (3, 1)
    assert parts[3] == one[3] == (5, Decimal("11210.00"))


def test_generating_in_small_parts_finds_the_same_changes(
    people, bureau_user, approver, django_capture_on_commit_callbacks, monkeypatch, township_a
):
    """New, stopped, changed and unchanged people across the parts' boundaries: the same lines as one part."""
    for person in people[:4]:  # February paid to the first four; the fifth is new in March
        PaymentFactory(
            person=person,
            programme=payroll.programme(payroll.PERIODIC_PENSION),
            period="2021-02",
            amount=Decimal("2150.00"),
        )
    gone = PayeeFactory(township=township_a)  # paid in February, holds nothing in March: stopped
    PaymentFactory(
        person=gone, programme=payroll.programme(payroll.PERIODIC_PENSION), period="2021-02", amount=Decimal("2150.00")
    )

    def lines():
        with django_capture_on_commit_callbacks(execute=True):
            run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
        run.refresh_from_db()
        fields = ("person_id", "category", "amount", "previous_amount", "change", "reason")
        return sorted(PayrollLine.objects.filter(run=run).values_list(*fields)), (run.steps, run.persons, run.total)

    with transaction.atomic():
        monkeypatch.setattr(payroll, "PERSON_CHUNK", 2)
        parts = lines()
        transaction.set_rollback(True)
    monkeypatch.setattr(payroll, "PERSON_CHUNK", 5000)
    one = lines()

    assert parts == one
    changes = sorted(change for _, _, _, _, change, _ in one[0])
    Change = PayrollLine.Change
    assert changes == sorted(
        [Change.UNCHANGED, Change.AMOUNT_CHANGED, Change.UNCHANGED, Change.AMOUNT_CHANGED, Change.NEW, Change.STOPPED]
    )
    assert one[1] == (6, 5, Decimal("11210.00"))


def test_the_payment_writes_the_ledger_from_the_lines_by_sql_with_queries_constant_in_the_lines(
    people, bureau_user, approver, django_capture_on_commit_callbacks, township_a
):
    """
    Each part's payments and their history rows are copied by the database from the run's lines
    (`INSERT … SELECT`): no payment row is built in Python or sent as VALUES, and the payment of 5
    lines and of 12 costs the same statements.
    """

    def pay_queries():
        with django_capture_on_commit_callbacks(execute=True):
            run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
        run.refresh_from_db()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            payroll.payroll_approve(run=run, by=approver)
        run.refresh_from_db()
        assert run.status == PayrollRun.Status.PAID, run.error
        return [query["sql"] for query in queries.captured_queries], run.persons

    for _ in range(2):  # the second time: the permissions and programme read once per process already cached
        with transaction.atomic():
            small, paid = pay_queries()
            transaction.set_rollback(True)
    for _ in range(7):
        PersonCategoryFactory(person=PayeeFactory(township=township_a), category="disabled_soldier", started_on=JAN_1)
    large, paid_large = pay_queries()

    assert (paid, paid_large) == (5, 12)
    assert len(small) == len(large)
    ledger = [sql for sql in large if sql.startswith('INSERT INTO "bureau_payment"')]
    history = [sql for sql in large if sql.startswith('INSERT INTO "bureau_historicalpayment"')]
    assert len(ledger) == len(history) == 1
    assert " SELECT " in ledger[0] and 'FROM "pensions_payrollline"' in ledger[0]
    assert " SELECT " in history[0] and 'FROM "bureau_payment"' in history[0]
    assert not [
        sql for sql in large if "VALUES" in sql and ('"bureau_payment"' in sql or '"bureau_historicalpayment"' in sql)
    ]
