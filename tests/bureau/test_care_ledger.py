"""
A visit's 慰问金 in the ledger (bureau.rules.payments.visits, bureau.rules.payments.ledger): one row for an approved visit with
money, following its changes, gone with the money; none for a station's submission until it is
approved; a second payment of the programme in the month refused with the visit's message.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bureau.models import Payment, PendingChange, ReviewStatus, Visit
from bureau.rules.payments.visits import VISIT_DUPLICATE
from bureau.rules.services import change_review, record_review, record_save
from tests.factories import BankAccountFactory, PaymentFactory, PaymentProgrammeFactory

VISITED_ON = datetime.date(2021, 1, 28)


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


@pytest.fixture
def spring(db):
    # Paid per occasion: the period is the month of the visit.
    return PaymentProgrammeFactory(code="visit-money", name="走访慰问金", frequency="per_occasion")


def new_visit(person, programme, *, amount="800.00", visited_on=VISITED_ON, **extra) -> Visit:
    values = {
        "area": "pensions",
        "occasion": "spring_festival",
        "person": person,
        "visited_on": visited_on,
        "visitor": "局机关走访组",
        "amount": Decimal(amount) if amount is not None else None,
        "programme": programme,
        **extra,
    }
    return Visit(**values)


def ledger():
    return list(Payment.objects.order_by("pk").values_list("person_id", "programme_id", "amount", "period", "paid_on"))


def test_an_approved_visit_with_money_is_one_ledger_row(bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)

    visit.refresh_from_db()
    assert visit.review_status == ReviewStatus.APPROVED
    assert ledger() == [(person_a.pk, spring.pk, Decimal("800.00"), "2021-01", VISITED_ON)]
    payment = Payment.objects.get()
    assert visit.payment == payment
    assert payment.note == f"走访慰问：春节，2021-01-28，走访人局机关走访组（走访记录 {visit.pk}）"
    [created] = Payment.history.all()
    assert (created.history_type, created.history_user) == ("+", bureau_user)


def test_a_visit_without_money_pays_nothing(bureau_user, person_a, spring):
    record_save(record=new_visit(person_a, None, amount=None), by=bureau_user)
    record_save(record=new_visit(person_a, spring, amount="0", occasion="army_day"), by=bureau_user)

    assert ledger() == []


def test_the_row_follows_the_amount_and_date_with_history(bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)
    payment_id = Visit.objects.get().payment_id

    visit = Visit.objects.get(pk=visit.pk)
    visit.amount = Decimal("1000.50")
    visit.visited_on = datetime.date(2021, 2, 3)
    record_save(record=visit, by=bureau_user)

    assert ledger() == [(person_a.pk, spring.pk, Decimal("1000.50"), "2021-02", datetime.date(2021, 2, 3))]
    assert Visit.objects.get().payment_id == payment_id
    assert [h.amount for h in Payment.history.order_by("history_id")] == [Decimal("800.00"), Decimal("1000.50")]


def test_an_unchanged_save_writes_no_ledger_history(bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)

    visit = Visit.objects.get(pk=visit.pk)
    visit.note = "家中取暖正常。"
    record_save(record=visit, by=bureau_user)

    assert Payment.history.count() == 1


def test_money_removed_deletes_the_row_and_the_link(bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)

    visit = Visit.objects.get(pk=visit.pk)
    visit.amount = None
    record_save(record=visit, by=bureau_user)

    assert ledger() == []
    assert Visit.objects.get().payment_id is None
    assert list(Payment.history.values_list("history_type", flat=True).order_by("history_id")) == ["+", "-"]


def test_a_deleted_visit_takes_its_row_along(bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)

    Visit.objects.get(pk=visit.pk).delete()

    assert ledger() == []


def test_a_second_payment_in_the_month_is_refused_with_the_visits_message(bureau_user, person_a, spring):
    record_save(record=new_visit(person_a, spring), by=bureau_user)
    second = new_visit(person_a, spring, amount="500.00", occasion="hardship", visited_on=datetime.date(2021, 1, 30))

    with pytest.raises(ValidationError) as refused:
        record_save(record=second, by=bureau_user)

    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [VISIT_DUPLICATE + Payment.objects.get().already_paid_message()]
    assert Visit.objects.count() == 1
    assert ledger() == [(person_a.pk, spring.pk, Decimal("800.00"), "2021-01", VISITED_ON)]


def test_a_payment_written_meanwhile_refuses_the_save_and_nothing_is_kept(bureau_user, person_a, spring):
    # The form's check passed; a batch paid the person before the save: the ledger refuses the visit.
    visit = new_visit(person_a, spring)
    visit.full_clean()
    PaymentFactory(person=person_a, programme=spring, period="2021-01", amount="300.00")
    visit.approve(by=bureau_user)

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        visit.save()

    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [VISIT_DUPLICATE + Payment.objects.get().already_paid_message()]
    assert Visit.objects.count() == 0
    assert ledger() == [(person_a.pk, spring.pk, Decimal("300.00"), "2021-01", datetime.date(2021, 1, 15))]


def test_a_station_submission_pays_nothing_until_approved(station_user_a, bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring, amount="600.00"), by=station_user_a)

    assert visit.review_status == ReviewStatus.SUBMITTED
    assert ledger() == []

    record_review(record=Visit.objects.get(pk=visit.pk), by=bureau_user, approve=True)

    assert ledger() == [(person_a.pk, spring.pk, Decimal("600.00"), "2021-01", VISITED_ON)]
    assert Visit.objects.get().payment == Payment.objects.get()


def test_a_returned_submission_pays_nothing(station_user_a, bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=station_user_a)

    record_review(record=Visit.objects.get(pk=visit.pk), by=bureau_user, approve=False, reason="金额有误")

    assert ledger() == []


def test_a_station_submission_is_told_of_a_payment_already_made(station_user_a, person_a, spring):
    PaymentFactory(person=person_a, programme=spring, period="2021-01")

    with pytest.raises(ValidationError) as refused:
        record_save(record=new_visit(person_a, spring), by=station_user_a)

    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [VISIT_DUPLICATE + Payment.objects.get().already_paid_message()]


def test_an_approved_pending_change_moves_the_row(station_user_a, bureau_user, person_a, spring):
    visit = record_save(record=new_visit(person_a, spring), by=bureau_user)
    edited = Visit.objects.get(pk=visit.pk)
    edited.amount = Decimal("880.00")
    record_save(record=edited, by=station_user_a)  # a proposal: the approved 800 stays in force

    assert ledger()[0][2] == Decimal("800.00")

    change_review(change=PendingChange.objects.get(), by=bureau_user, approve=True)

    assert ledger() == [(person_a.pk, spring.pk, Decimal("880.00"), "2021-01", VISITED_ON)]


def test_a_visit_paying_an_annual_programme_pays_its_year_once(bureau_user, person_a):
    annual = PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")
    record_save(record=new_visit(person_a, annual), by=bureau_user)
    february = new_visit(person_a, annual, amount="500.00", occasion="hardship", visited_on=datetime.date(2021, 2, 10))

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        record_save(record=february, by=bureau_user)

    # The programme keys the payment: January's visit paid 春节慰问金 of 2021, February's would repeat it.
    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [
        VISIT_DUPLICATE + f"{person_a.name} 已于 2021-01-28 领取“春节慰问金”2021 年 800.00 元，不能重复发放。"
    ]
    assert ledger() == [(person_a.pk, annual.pk, Decimal("800.00"), "2021", VISITED_ON)]


def test_a_visit_cannot_pay_a_programme_paid_only_by_its_run(bureau_user, person_a):
    pension = PaymentProgrammeFactory(code="periodic", name="定期抚恤补助", frequency="monthly", paid_by_run=True)

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        record_save(record=new_visit(person_a, pension), by=bureau_user)

    assert refused.value.messages == ["“定期抚恤补助”只能通过核算发放批次发放。"]
    assert ledger() == []
