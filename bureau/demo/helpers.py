"""
What an area app's `demo.seed(*, year, scale, stdout)` builds on, so that its demo data is mostly declarations.

`seed_demo` has written the registry before any area app's seed runs, all in
one transaction. An area picks its persons from that registry with a generator
of its own seeded with the year (`demo_random`), so its picks do not shift when
another area's demo changes, and writes every row on its natural key
(`upsert`, `enterprise_upsert`, `payments_write`), so that running `seed_demo`
again updates what the first run wrote and adds nothing.

An area's `demo.seed_this_year(*, today, scale, stdout)` adds the records of the
current year up to today on top of the veterans discharged this year: its dates
come from `days_before` (never before 1 January, never after today), and what a
station has submitted and awaits review is written with `upsert_submitted`.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from django.db import models
from django.utils import timezone
from stdnum.cn import uscc

from bureau.demo.registry import build_district
from bureau.demo.writers import CLERK_USERNAME, demo_townships, submitted_by_station
from bureau.models import Enterprise, Payment, PaymentBatch, PaymentProgramme, Person, ReviewStatus, Township, User
from bureau.rules.payments.held import accounts_in_use

# Province 32, county 99xx: like the demo ID numbers, no real registration authority is named.
CREDIT_CODE_PREFIX = "91329900MA"

ModelT = TypeVar("ModelT", bound=models.Model)


# -- persons of the registry ------------------------------------------------------------------------


def demo_random(area: str, year: int) -> random.Random:
    """The area's own random generator for the demo year."""
    return random.Random(f"{area}-{year}")


def registry_people(*, year: int, scale: str) -> list[Person]:
    """
    The persons `seed_demo --year year --scale scale` wrote, as stored now, in the order they were generated.

    Their townships and preferential-care categories are loaded. The district is
    generated again (no database involved) to know which ID numbers the run wrote,
    so persons left by a run for another year are not among them.
    """
    district = build_district(year=year, scale=scale, townships=demo_townships())
    id_numbers = [demo.id_number for demo in district.people]
    stored = (
        Person.objects.select_related("township")
        .prefetch_related("categories")
        .in_bulk(id_numbers, field_name="id_number")
    )
    return [stored[number] for number in id_numbers if number in stored]


def registry_veterans(*, year: int) -> list[Person]:
    """All approved veterans discharged by the end of `year`, ordered by ID number: a stable list to pick from."""
    return list(
        Person.objects.approved()
        .veterans()
        .filter(discharged_on__lte=datetime.date(year, 12, 31))
        .select_related("township")
        .order_by("id_number")
    )


def days_before(today: datetime.date, days: int) -> datetime.date:
    """The date `days` before `today`, but not before 1 January: a date of this year's records up to today."""
    return max(today - datetime.timedelta(days=days), datetime.date(today.year, 1, 1))


# -- writing on natural keys ------------------------------------------------------------------------


def approved_by_clerk() -> dict:
    """The review fields of a record the bureau clerk approved just now, to add to a demo record's defaults."""
    clerk = User.objects.filter(username=CLERK_USERNAME).first()
    return {"review_status": ReviewStatus.APPROVED, "reviewed_by": clerk, "reviewed_at": timezone.now()}


def upsert(model: type[ModelT], *, defaults: dict | None = None, **natural_key) -> ModelT:
    """The row of `model` with this natural key, created or updated with `defaults`."""
    return model.objects.update_or_create(defaults=defaults, **natural_key)[0]


def upsert_submitted(model: type[ModelT], *, township: Township, defaults: dict, **natural_key) -> ModelT:
    """
    Like `upsert`, for a record the township's demo station has submitted: a new row awaits review,
    a row already stored keeps its review state (a second run neither approves nor resubmits it).
    """
    return model.objects.update_or_create(
        defaults=defaults, create_defaults=defaults | submitted_by_station(township), **natural_key
    )[0]


def credit_code(n: int) -> str:
    """The unified social credit code of demo enterprise number `n`, with a valid check character."""
    body = f"{CREDIT_CODE_PREFIX}{n:07d}"
    return body + uscc.calc_check_digit(body)


def enterprise_upsert(n: int, *, name: str, sector: str, township: Township, **fields) -> Enterprise:
    """Demo enterprise number `n`, keyed on the credit code made from its number."""
    return upsert(
        Enterprise,
        credit_code=credit_code(n),
        defaults={"name": name, "sector": sector, "township": township, **fields},
    )


# -- payments of a programme ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProgramme:
    code: str
    name: str
    area: str  # label of the area app that pays it
    frequency: str  # PaymentProgramme.Frequency


class DemoPayment(NamedTuple):
    person: Person
    period: str  # "2021" or "2021-03"
    amount: Decimal
    paid_on: datetime.date


def programme_upsert(programme: DemoProgramme) -> PaymentProgramme:
    # An area app may already have created the programme under its name; keep its code then.
    stored = (
        PaymentProgramme.objects.filter(code=programme.code).first()
        or PaymentProgramme.objects.filter(name=programme.name).first()
        or PaymentProgramme(code=programme.code)
    )
    stored.name, stored.area, stored.frequency = programme.name, programme.area, programme.frequency
    stored.active = True
    stored.save()
    return stored


def payments_write(programme: DemoProgramme, payments: Iterable[DemoPayment]) -> int:
    """
    Write the payments of one programme; returns how many.

    Each period gets one batch, created by the bureau clerk and dated by its
    first payment. A person is paid once per programme and period: a second run
    updates the amount, date and batch of that payment.
    """
    stored = programme_upsert(programme)
    clerk = User.objects.get(username=CLERK_USERNAME)
    batches: dict[str, PaymentBatch] = {}
    rows = []
    payments = list(payments)
    # Paid to the account in use, as every payment is (the registry's writer gave every person one).
    accounts = accounts_in_use(payment.person.pk for payment in payments)
    for payment in payments:
        if payment.period not in batches:
            batches[payment.period] = upsert(
                PaymentBatch,
                programme=stored,
                title=batch_title(stored, payment.period),
                defaults={"paid_on": payment.paid_on, "created_by": clerk},
            )
        rows.append(
            Payment(
                person=payment.person,
                programme=stored,
                period=payment.period,
                amount=payment.amount,
                paid_on=payment.paid_on,
                batch=batches[payment.period],
                bank_account_id=accounts.get(payment.person.pk),
            )
        )
    Payment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person", "programme", "period"],
        update_fields=["amount", "paid_on", "batch", "bank_account"],
    )
    return len(rows)


def batch_title(programme: PaymentProgramme, period: str) -> str:
    """The batch title: "2021年春节慰问金" for a year, "2021年3月优抚对象定期抚恤补助" for a month."""
    year, _, month = period.partition("-")
    return f"{year}年{f'{int(month)}月' if month else ''}{programme.name}"
