"""
The ledger rows of “三难” aid and of conscript families' allowances (pensions.services through
bureau.rules.payments.ledger): exact amounts and periods, following changes, none while pending or refused.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bureau.models import Payment, ReviewStatus
from bureau.rules.services import record_review, record_save
from pensions.models import ConscriptBenefit, HardshipAid
from pensions.programmes import CONSCRIPT_FAMILY, HARDSHIP_AID, programme
from pensions.services import CONSCRIPT_BENEFIT_DUPLICATE, HARDSHIP_AID_DUPLICATE
from tests.factories import BankAccountFactory, PayeeFactory
from tests.pensions.factories import ConscriptBenefitFactory, HardshipAidFactory


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


def ledger():
    return list(
        Payment.objects.order_by("pk").values_list("person_id", "programme__code", "amount", "period", "paid_on")
    )


def grant(aid, *, amount="3000.00", on=datetime.date(2021, 3, 20)):
    aid.decision = HardshipAid.Decision.GRANTED
    aid.amount_granted = Decimal(amount)
    aid.decided_on = on
    return aid


# --- “三难” aid -----------------------------------------------------------------------------------


def test_a_pending_or_refused_application_pays_nothing(bureau_user, person_a):
    pending = record_save(record=HardshipAidFactory.build(person=person_a), by=bureau_user)
    refused = HardshipAidFactory.build(person=person_a, kind=HardshipAid.Kind.MEDICAL)
    refused.decision = HardshipAid.Decision.REFUSED
    refused.decided_on = datetime.date(2021, 3, 5)
    record_save(record=refused, by=bureau_user)

    assert pending.payment_id is None
    assert ledger() == []


def test_a_granted_application_is_one_row_in_the_month_of_the_decision(bureau_user, person_a):
    aid = record_save(record=grant(HardshipAidFactory.build(person=person_a)), by=bureau_user)

    assert ledger() == [(person_a.pk, HARDSHIP_AID, Decimal("3000.00"), "2021-03", datetime.date(2021, 3, 20))]
    payment = Payment.objects.get()
    assert HardshipAid.objects.get(pk=aid.pk).payment == payment
    assert payment.note == "“三难”救助（生活难），2021-03-01申请，2021-03-20批准"


def test_the_row_follows_a_changed_grant_and_goes_when_it_is_withdrawn(bureau_user, person_a):
    aid = record_save(record=grant(HardshipAidFactory.build(person=person_a)), by=bureau_user)

    aid = HardshipAid.objects.get(pk=aid.pk)
    grant(aid, amount="2500.80", on=datetime.date(2021, 4, 2))
    record_save(record=aid, by=bureau_user)
    assert ledger() == [(person_a.pk, HARDSHIP_AID, Decimal("2500.80"), "2021-04", datetime.date(2021, 4, 2))]

    aid = HardshipAid.objects.get(pk=aid.pk)
    aid.decision, aid.amount_granted = HardshipAid.Decision.PENDING, None
    record_save(record=aid, by=bureau_user)
    assert ledger() == []
    assert HardshipAid.objects.get(pk=aid.pk).payment_id is None
    assert Payment.history.count() == 3  # created, changed, deleted


def test_a_second_grant_in_the_month_is_refused(bureau_user, person_a):
    record_save(record=grant(HardshipAidFactory.build(person=person_a)), by=bureau_user)
    second = grant(HardshipAidFactory.build(person=person_a, kind=HardshipAid.Kind.HOUSING), amount="1000.00")

    with pytest.raises(ValidationError) as refused:
        record_save(record=second, by=bureau_user)

    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [HARDSHIP_AID_DUPLICATE + Payment.objects.get().already_paid_message()]
    assert HardshipAid.objects.count() == 1
    assert [row[2] for row in ledger()] == [Decimal("3000.00")]


def test_a_stations_application_is_granted_by_the_bureau_and_paid_then(station_user_a, bureau_user, person_a):
    # The decision is the bureau's (HardshipAid.bureau_decided_fields): a station cannot grant.
    with pytest.raises(ValidationError) as refused:
        record_save(record=grant(HardshipAidFactory.build(person=person_a)), by=station_user_a)
    assert set(refused.value.message_dict) == {"decision", "amount_granted", "decided_on"}
    assert refused.value.message_dict["decision"] == ["“审批结果”由区局决定，服务站不能填写或修改。"]

    aid = record_save(record=HardshipAidFactory.build(person=person_a), by=station_user_a)
    assert aid.review_status == ReviewStatus.SUBMITTED
    assert ledger() == []

    record_save(record=grant(HardshipAid.objects.get(pk=aid.pk)), by=bureau_user)

    assert ledger() == [(person_a.pk, HARDSHIP_AID, Decimal("3000.00"), "2021-03", datetime.date(2021, 3, 20))]


# --- conscript families' allowances --------------------------------------------------------------


@pytest.fixture
def family(township_a):
    return PayeeFactory(name="王母", township=township_a, status="family")


def test_an_allowance_is_paid_once_it_has_a_paying_date(bureau_user, family):
    benefit = ConscriptBenefitFactory.build(
        family=family,
        conscript_name="王小兵",
        enlistment_year=2020,
        benefit_year=2021,
        region=ConscriptBenefit.Region.TIBET,
        amount=Decimal("26800.00"),
        supplement=Decimal("3000.00"),
        back_pay=True,
    )
    record_save(record=benefit, by=bureau_user)
    assert ledger() == []

    benefit = ConscriptBenefit.objects.get()
    benefit.paid_on = datetime.date(2021, 9, 10)
    record_save(record=benefit, by=bureau_user)

    assert ledger() == [(family.pk, CONSCRIPT_FAMILY, Decimal("29800.00"), "2021", datetime.date(2021, 9, 10))]
    payment = Payment.objects.get()
    assert ConscriptBenefit.objects.get().payment == payment
    assert payment.note == "义务兵王小兵，2020年入伍，服役地区西藏，2021年度优待金26800.00元，补助3000.00元（补发）"


def test_an_allowance_follows_its_amount(bureau_user, family):
    benefit = record_save(
        record=ConscriptBenefitFactory.build(family=family, paid_on=datetime.date(2021, 9, 10)), by=bureau_user
    )
    benefit = ConscriptBenefit.objects.get(pk=benefit.pk)
    benefit.amount = Decimal("27100.00")
    record_save(record=benefit, by=bureau_user)

    assert ledger() == [(family.pk, CONSCRIPT_FAMILY, Decimal("27100.00"), "2021", datetime.date(2021, 9, 10))]


def test_an_allowance_already_paid_by_a_list_is_refused(bureau_user, family):
    Payment.objects.create(
        person=family,
        programme=programme(CONSCRIPT_FAMILY),
        amount=Decimal("26800.00"),
        period="2021",
        paid_on=datetime.date(2021, 8, 1),
    )
    benefit = ConscriptBenefitFactory.build(family=family, paid_on=datetime.date(2021, 9, 10))

    with pytest.raises(ValidationError) as refused:
        record_save(record=benefit, by=bureau_user)

    # The record's own words, then the earlier payment named.
    assert refused.value.messages == [CONSCRIPT_BENEFIT_DUPLICATE + Payment.objects.get().already_paid_message()]
    assert ConscriptBenefit.objects.count() == 0


def test_a_stations_allowance_pays_nothing_until_approved(station_user_a, bureau_user, family):
    benefit = record_save(
        record=ConscriptBenefitFactory.build(family=family, paid_on=datetime.date(2021, 9, 10)), by=station_user_a
    )
    assert ledger() == []

    record_review(record=ConscriptBenefit.objects.get(pk=benefit.pk), by=bureau_user, approve=True)

    assert ledger() == [(family.pk, CONSCRIPT_FAMILY, Decimal("26800.00"), "2021", datetime.date(2021, 9, 10))]
