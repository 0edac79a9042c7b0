"""
The ledger's period year (`Payment.period_year`): the database computes it from the period on every
write, the year of a monthly or an annual period and none of an empty one, and a year's payments are
found by it (an index), not by `period LIKE '2021%'`.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from bureau.models import Payment, PaymentProgramme
from bureau.rules.payments.batches import PaymentLine, payment_batch_create
from tests.factories import PayeeFactory, PaymentProgrammeFactory

pytestmark = pytest.mark.django_db


def year_of(payment) -> int | None:
    return Payment.objects.values_list("period_year", flat=True).get(pk=payment.pk)


def test_a_payment_saved_one_by_one_has_its_period_year(person_a):
    monthly = PaymentProgrammeFactory(code="monthly", frequency=PaymentProgramme.Frequency.MONTHLY)
    annual = PaymentProgrammeFactory(code="annual", frequency=PaymentProgramme.Frequency.ANNUAL)
    once = PaymentProgrammeFactory(code="once", frequency=PaymentProgramme.Frequency.ONCE)
    paid_on = datetime.date(2022, 1, 10)

    month = Payment.objects.create(person=person_a, programme=monthly, amount=1, period="2021-12", paid_on=paid_on)
    year = Payment.objects.create(person=person_a, programme=annual, amount=1, period="2020", paid_on=paid_on)
    no_period = Payment.objects.create(person=person_a, programme=once, amount=1, period="", paid_on=paid_on)

    assert (year_of(month), year_of(year), year_of(no_period)) == (2021, 2020, None)
    month.period = "2019-05"
    month.save()
    assert year_of(month) == 2019


def test_a_batch_written_in_bulk_has_its_period_year(bureau_user, township_a):
    programme = PaymentProgrammeFactory(code="pension-monthly", name="定期抚恤金")
    people = PayeeFactory.create_batch(3, township=township_a)
    lines = [PaymentLine(person_id=person.pk, amount=Decimal("1850.00"), period="2021-03") for person in people]

    payment_batch_create(
        programme=programme,
        title="2021年3月定期抚恤金",
        paid_on=datetime.date(2021, 3, 10),
        lines=lines,
        by=bureau_user,
    )

    assert list(Payment.objects.values_list("period_year", flat=True)) == [2021, 2021, 2021]
    # The history rows written in bulk have it too, computed from their own period.
    assert list(Payment.history.values_list("period_year", flat=True)) == [2021, 2021, 2021]


def test_a_year_is_found_by_the_period_year_not_by_like(person_a):
    monthly = PaymentProgrammeFactory(code="monthly", frequency=PaymentProgramme.Frequency.MONTHLY)
    once = PaymentProgrammeFactory(code="once", frequency=PaymentProgramme.Frequency.ONCE)
    paid_on = datetime.date(2021, 6, 1)
    in_2021 = Payment.objects.create(person=person_a, programme=monthly, amount=1, period="2021-06", paid_on=paid_on)
    Payment.objects.create(person=person_a, programme=monthly, amount=1, period="2020-12", paid_on=paid_on)
    Payment.objects.create(person=person_a, programme=once, amount=1, period="", paid_on=paid_on)

    query = Payment.objects.in_year(2021).query
    sql, params = query.sql_with_params()

    assert list(Payment.objects.in_year(2021)) == [in_2021]
    assert "LIKE" not in sql.upper()
    assert connection.ops.quote_name("period_year") in sql and 2021 in params
