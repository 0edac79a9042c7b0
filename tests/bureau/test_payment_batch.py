"""
The core's batch ledger service (`payment_batch_create`): a whole batch in one transaction, in
bulk, nobody paid twice for a programme and period, nothing written when anything is refused.
The persons paid have a bank account in use (those without are held: test_held_payments.py).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.models import AuditEvent, Payment, PaymentBatch
from bureau.rules.payments.batches import PaymentLine, payment_batch_create
from tests.factories import PayeeFactory, PaymentFactory, PaymentProgrammeFactory

PAID_ON = datetime.date(2021, 3, 10)


@pytest.fixture
def programme(db):
    return PaymentProgrammeFactory(code="pension-monthly", name="定期抚恤金")


def lines_for(people, amount="1850.00", period="2021-03"):
    return [PaymentLine(person_id=person.pk, amount=Decimal(amount), period=period) for person in people]


def pay(programme, lines, by, **kwargs):
    return payment_batch_create(
        programme=programme, title="2021年3月定期抚恤金", paid_on=PAID_ON, lines=lines, by=by, **kwargs
    )


def test_a_batch_is_written_at_once_with_history_and_audit(bureau_user, programme, township_a):
    people = PayeeFactory.create_batch(3, township=township_a)

    result = pay(programme, lines_for(people), bureau_user)

    batch = PaymentBatch.objects.get()
    assert (result.batch, result.created, result.skipped) == (batch, 3, [])
    assert sorted(batch.payments.values_list("person_id", "amount", "period", "paid_on")) == [
        (person.pk, Decimal("1850.00"), "2021-03", PAID_ON) for person in sorted(people, key=lambda p: p.pk)
    ]
    assert Payment.history.filter(history_type="+", history_user=bureau_user).count() == 3
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CREATE, content_type__model="payment").count() == 3
    [batch_event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.CREATE, content_type__model="paymentbatch")
    assert batch_event.user == bureau_user


@pytest.mark.slow  # pays batches of two sizes to compare their queries (~4 s of CPU)
def test_the_queries_do_not_grow_with_the_batch(bureau_user, programme, township_a):
    few = PayeeFactory.create_batch(5, township=township_a)
    many = PayeeFactory.create_batch(400, township=township_a)

    assert bureau_user.has_perm("bureau.add_payment")  # the permission cache filled before counting
    with CaptureQueriesContext(connection) as small:
        pay(programme, lines_for(few), bureau_user)
    with CaptureQueriesContext(connection) as large:
        pay(programme, lines_for(many), bureau_user)

    assert Payment.objects.count() == 405
    # On SQLite the rows' INSERT is split by its limit of 999 parameters (10 columns: 99 rows a statement).
    extra_inserts = 4 if connection.vendor == "sqlite" else 0
    assert len(large) == len(small) + extra_inserts


def test_a_person_already_paid_refuses_the_whole_batch(bureau_user, programme, township_a):
    people = PayeeFactory.create_batch(3, township=township_a)
    PaymentFactory(person=people[1], programme=programme, period="2021-03")

    with pytest.raises(ValidationError) as refused:
        pay(programme, lines_for(people), bureau_user)

    # The refusal names the earlier payment: who, when, which programme and period, how much.
    assert refused.value.messages == [
        f"{people[1].name} 已于 2021-01-15 领取“定期抚恤金”2021 年 3 月 1200.00 元，不能重复发放。"
    ]
    assert Payment.objects.count() == 1
    assert not PaymentBatch.objects.exists()


def test_a_run_interrupted_and_run_again_pays_each_person_once(bureau_user, programme, township_a):
    people = PayeeFactory.create_batch(4, township=township_a)
    pay(programme, lines_for(people[:2]), bureau_user)  # the first half was written before the run died

    result = pay(programme, lines_for(people), bureau_user, already_paid="skip")

    assert result.created == 2
    assert [line.person_id for line in result.skipped] == [people[0].pk, people[1].pk]
    assert sorted(Payment.objects.values_list("person_id", flat=True)) == sorted(person.pk for person in people)
    again = pay(programme, lines_for(people), bureau_user, already_paid="skip")
    assert (again.batch, again.created, len(again.skipped)) == (None, 0, 4)
    assert Payment.objects.count() == 4


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"amount": Decimal("0")}, "第 2 笔：金额“0”须大于 0，且最多两位小数。"),
        ({"amount": Decimal("12.345")}, "第 2 笔：金额“12.345”须大于 0，且最多两位小数。"),
        ({"period": "2021-13"}, "第 2 笔：期间“2021-13”无法识别，应为年度（如 2026）或年月（如 2026-03）。"),
        ({"period": "2021"}, "第 2 笔：“定期抚恤金”按月发放，期间应为年月，如 2021-01。"),
        ({"person_id": "first"}, "第 2 笔：同一人员在同一期间出现两次。"),
    ],
    ids=["zero", "three-decimals", "bad-period", "year-of-a-monthly-programme", "twice"],
)
def test_a_bad_line_refuses_the_batch_and_names_it(bureau_user, programme, township_a, line, message):
    first, second = PayeeFactory.create_batch(2, township=township_a)
    values = {"person_id": second.pk, "amount": Decimal("100.00"), "period": "2021-03", **line}
    if values["person_id"] == "first":
        values["person_id"] = first.pk

    with pytest.raises(ValidationError) as refused:
        pay(programme, [lines_for([first])[0], PaymentLine(**values)], bureau_user)

    assert refused.value.messages == [message]
    assert not Payment.objects.exists() and not PaymentBatch.objects.exists()


def test_only_who_may_pay_pays_and_only_people_they_see(leader, station_user_a, bureau_user, programme, person_b):
    for user in (leader, station_user_a):
        with pytest.raises(PermissionDenied):
            pay(programme, lines_for([person_b]), user)
    assert not Payment.objects.exists()
    with pytest.raises(ValidationError) as refused:
        pay(programme, [PaymentLine(person_id=999_999, amount=Decimal("1.00"), period="2021-03")], bureau_user)
    assert refused.value.messages == ["1 名人员不存在或不在您的管辖范围内（编号 999999）。"]


def test_a_line_s_period_is_read_by_the_programme_s_frequency(bureau_user, programme, township_a):
    people = PayeeFactory.create_batch(2, township=township_a)

    pay(
        programme,
        [lines_for(people[:1], period="2021年3月")[0], lines_for(people[1:], period="202103")[0]],
        bureau_user,
    )

    assert sorted(Payment.objects.values_list("period", flat=True)) == ["2021-03", "2021-03"]


def test_a_programme_paid_only_by_its_run_is_paid_by_the_run_alone(bureau_user, township_a):
    grant = PaymentProgrammeFactory(code="grant", name="核算补助", frequency="annual", paid_by_run=True)
    person = PayeeFactory(township=township_a)

    with pytest.raises(ValidationError) as refused:
        pay(grant, lines_for([person], period="2021"), bureau_user)
    assert refused.value.messages == ["“核算补助”只能通过核算发放批次发放。"]
    assert not Payment.objects.exists()

    result = pay(grant, lines_for([person], period="2021"), bureau_user, by_run=True)
    assert result.created == 1
