"""
Demo records of section (二) for `manage.py seed_demo`.

The demo year: the year's self-employment grant standard, the cohort's grants calculated by the
demo clerk and approved and paid by the second clerk, as staff do it (`resettlement.subsidies`),
the insurance continued for the year's returning veterans and the staff medical insurance of a
few retirees (some paid), then the placement batch (`resettlement.demo_placement`). The current
year: a few continuations each station has registered, awaiting review, and this year's batch.

Every row is written on its natural key, and a cohort already paid is left as it is, so a second
`seed_demo` adds nothing.
"""

import datetime
from decimal import Decimal

from bureau.demo.helpers import (
    approved_by_clerk,
    days_before,
    demo_random,
    registry_people,
    registry_veterans,
    upsert,
    upsert_submitted,
)
from bureau.demo.writers import CLERK_USERNAME, SECOND_CLERK_USERNAME
from bureau.models import Person, Township, User
from resettlement import demo_placement, subsidies
from resettlement.models import InsuranceContinuation, SubsidyRun, SubsidyStandard

Kind = InsuranceContinuation.Kind
State = InsuranceContinuation.State
GRANT_BASE = Decimal("8000.00")
GRANT_PER_YEAR = Decimal("4500.00")
PAY_DAY = (12, 15)
HANDLED_AFTER = datetime.timedelta(days=30)
LAST_HANDLED = (12, 20)
# Monthly contributions of a continuation: (personal, fiscal) per month, by kind.
MONTHLY_SHARES = {
    Kind.PENSION: (Decimal("160.00"), Decimal("400.00")),
    Kind.MEDICAL: (Decimal("60.00"), Decimal("150.00")),
    Kind.UNEMPLOYMENT: (Decimal("10.00"), Decimal("25.00")),
    Kind.STAFF_MEDICAL: (Decimal("150.00"), Decimal("450.00")),
}
RETIREES_ACCOUNTED = 8
RETIREES_PAID = 6


def seed(*, year: int, scale: str, stdout) -> None:
    """The demo year's grants, continuations and staff medical insurance, then its placement batch (idempotent)."""
    run = grant_seed(year=year)
    stdout.write(f"移交安置演示数据：{year} 年自主就业金已发放 {run.persons} 人，共 {run.total} 元。")
    people = registry_people(year=year, scale=scale)
    continued, retirees = continuations_seed(year=year, people=people)
    stdout.write(f"移交安置演示数据：{year} 年社保接续 {continued} 人，退休人员职工医疗保险 {retirees} 人。")
    demo_placement.seed(year=year, scale=scale, stdout=stdout)


def grant_seed(*, year: int) -> SubsidyRun:
    """The standard of the year, and the cohort's run calculated by the clerk and paid by the second clerk."""
    upsert(
        SubsidyStandard,
        year=year,
        defaults={"base_amount": GRANT_BASE, "per_year_amount": GRANT_PER_YEAR, "document": "演示数据"},
    )
    run = SubsidyRun.objects.filter(cohort_year=year).first()
    if run is None:
        run = subsidies.calculate(cohort_year=year, by=User.objects.get(username=CLERK_USERNAME))
    if run.status != SubsidyRun.Status.PAID and run.persons:
        run = subsidies.approve_and_pay(
            run=run, by=User.objects.get(username=SECOND_CLERK_USERNAME), paid_on=datetime.date(year, *PAY_DAY)
        )
    return run


def shares(kind: str, months: int) -> dict:
    personal, fiscal = MONTHLY_SHARES[kind]
    return {"months": months, "personal_share": personal * months, "fiscal_share": fiscal * months}


def continuations_seed(*, year: int, people: list[Person]) -> tuple[int, int]:
    """
    Pension and medical insurance continued for every veteran discharged in the year (unemployment
    insurance for one in three), a month after discharge; staff medical insurance for a few retirees.
    """
    rng = demo_random("resettlement", year)
    approved = approved_by_clerk()
    last = datetime.date(year, *LAST_HANDLED)
    returning = [
        person
        for person in people
        if person.discharged_on
        and person.discharged_on.year == year
        and person.discharge_route != Person.DischargeRoute.RETIRED
        and person.status == Person.Status.VETERAN
    ]
    for person in returning:
        handled_on = min(person.discharged_on + HANDLED_AFTER, last)
        months = rng.randint(6, 36)
        kinds = [Kind.PENSION, Kind.MEDICAL] + ([Kind.UNEMPLOYMENT] if rng.random() < 1 / 3 else [])
        for kind in kinds:
            upsert(
                InsuranceContinuation,
                person=person,
                kind=kind,
                handled_on=handled_on,
                defaults={**shares(kind, months), "state": State.TRANSFERRED, **approved},
            )
    retirees = sorted(
        (p for p in people if p.discharge_route == Person.DischargeRoute.RETIRED and p.status == Person.Status.VETERAN),
        key=lambda p: p.id_number,
    )[:RETIREES_ACCOUNTED]
    for n, person in enumerate(retirees):
        upsert(
            InsuranceContinuation,
            person=person,
            kind=Kind.STAFF_MEDICAL,
            handled_on=datetime.date(year, 3, 1 + n),
            defaults={
                **shares(Kind.STAFF_MEDICAL, 12),
                "state": State.PAID if n < RETIREES_PAID else State.ACCOUNTED,
                **approved,
            },
        )
    return len(returning), len(retirees)


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """This year's continuations each station has registered, awaiting review, and this year's placement batch."""
    year = today.year
    veterans = [p for p in registry_veterans(year=year) if p.discharged_on and p.discharged_on.year == year]
    submitted = 0
    for township in Township.objects.order_by("order"):
        residents = [p for p in veterans if p.township_id == township.pk]
        if not residents:
            continue
        upsert_submitted(
            InsuranceContinuation,
            township=township,
            person=residents[0],
            kind=Kind.PENSION,
            handled_on__year=year,
            defaults={**shares(Kind.PENSION, 12), "handled_on": days_before(today, 5), "state": State.ACCOUNTED},
        )
        submitted += 1
    stdout.write(f"移交安置 {year} 年演示数据：服务站登记社保接续、待审核 {submitted} 条。")
    demo_placement.seed_this_year(today=today, scale=scale, stdout=stdout)
