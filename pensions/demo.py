"""
Demo records of section (三) for `manage.py seed_demo`: the preferential-care payments and records of the demo year.

Payments are computed from the categories the demo registry's persons hold: the periodic pension of every
month by the standards in force (`BenefitStandard`, the reference table entered for the year), the Spring
Festival gift, the key beneficiaries' medical subsidy and the military retirees' allowance. Payments are
written on person + programme + period, so a second run updates them.

The records behind the rest of the section come from `pensions.demo_records` (visits, problems,
check-ups, oral history, “三难” aid and conscript family benefits, whose money is in the ledger too).
"""

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

from bureau.demo.helpers import DemoPayment, DemoProgramme, payments_write, registry_people
from bureau.models import PaymentProgramme, Person, PreferentialCategory
from bureau.models.people import KEY_BENEFICIARY_CATEGORIES
from pensions import demo_records
from pensions.models import BenefitStandard
from pensions.standards import MONTHLY_PENSION, monthly_pension, spring_festival_gift

Frequency = PaymentProgramme.Frequency

PERIODIC_PENSION = DemoProgramme("periodic-pension", "优抚对象定期抚恤补助", "pensions", Frequency.MONTHLY)
SPRING_FESTIVAL = DemoProgramme("spring-festival", "春节慰问金", "pensions", Frequency.ANNUAL)
KEY_MEDICAL_SUBSIDY = DemoProgramme("key-medical-subsidy", "重点优抚对象医疗补助", "pensions", Frequency.ONE_OFF)
MILITARY_RETIREE = DemoProgramme("military-retiree", "军休人员经费", "pensions", Frequency.ONE_OFF)

MONTHLY_PAY_DAY = 10  # the pension of a month is paid on its 10th, to whoever holds a category by its end
MEDICAL_SUBSIDY = Decimal("1500.00")  # a key beneficiary's yearly medical subsidy
RETIREE_ALLOWANCE = Decimal("36000.00")  # a military retiree's yearly allowance paid by the district


def medical_subsidy(categories: set[str]) -> Decimal | None:
    return MEDICAL_SUBSIDY if categories & set(KEY_BENEFICIARY_CATEGORIES) else None


def retiree_allowance(categories: set[str]) -> Decimal | None:
    return RETIREE_ALLOWANCE if PreferentialCategory.MILITARY_RETIREE in categories else None


# Yearly payments: (programme, standard, held by (month, day), paid on (month, day)).
YEARLY_PAYMENTS = [
    (SPRING_FESTIVAL, spring_festival_gift, (1, 15), (1, 25)),
    (KEY_MEDICAL_SUBSIDY, medical_subsidy, (6, 30), (7, 15)),
    (MILITARY_RETIREE, retiree_allowance, (6, 30), (7, 15)),
]


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the standards and the preferential-care payments of the demo year (idempotent)."""
    standards_seed(year=year)
    people = [person for person in registry_people(year=year, scale=scale) if person.status != Person.Status.DECEASED]
    counts = {PERIODIC_PENSION: payments_write(PERIODIC_PENSION, monthly_pensions(people, year=year))}
    for programme, standard, held_by, paid_on in YEARLY_PAYMENTS:
        payments = yearly_payments(
            people, standard, year=year, held_by=datetime.date(year, *held_by), paid_on=datetime.date(year, *paid_on)
        )
        counts[programme] = payments_write(programme, payments)
    detail = "，".join(f"{programme.name} {count} 笔" for programme, count in counts.items())
    stdout.write(f"优待抚恤演示数据已就绪：{year} 年资金发放 {sum(counts.values())} 笔（{detail}）。")
    demo_records.seed(year=year, people=people, stdout=stdout)


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """This year's visits, the stations' problems and “三难” applications awaiting review (idempotent)."""
    demo_records.seed_this_year(today=today, stdout=stdout)


def standards_seed(*, year: int) -> None:
    """The reference table (`MONTHLY_PENSION`) as the standards in force from 1 January of the demo year."""
    for category, amount in MONTHLY_PENSION.items():
        BenefitStandard.objects.get_or_create(
            category=category,
            disability_grade=None,
            valid_from=datetime.date(year, 1, 1),
            defaults={"monthly_amount": amount, "document": "演示数据"},
        )


def monthly_pensions(people: list[Person], *, year: int) -> Iterator[DemoPayment]:
    month_ends = [
        datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1) for month in range(1, 13)
    ]
    standards = [BenefitStandard.objects.in_force(month_end) for month_end in month_ends]
    for person in people:
        for month, month_end in enumerate(month_ends, start=1):
            if amount := monthly_pension(categories_held(person, on=month_end), standards[month - 1]):
                paid_on = datetime.date(year, month, MONTHLY_PAY_DAY)
                yield DemoPayment(person=person, period=f"{year}-{month:02d}", amount=amount, paid_on=paid_on)


def yearly_payments(
    people: list[Person],
    standard: Callable[[set[str]], Decimal | None],
    *,
    year: int,
    held_by: datetime.date,
    paid_on: datetime.date,
) -> Iterator[DemoPayment]:
    """The `standard` amount, paid on `paid_on` to each person it grants for the categories held on `held_by`."""
    for person in people:
        if amount := standard(categories_held(person, on=held_by)):
            yield DemoPayment(person=person, period=str(year), amount=amount, paid_on=paid_on)


def categories_held(person: Person, *, on: datetime.date) -> set[str]:
    """The categories `person` holds on `on`: `PersonQuerySet.holding` on the prefetched categories."""
    return {
        held.category
        for held in person.categories.all()
        if held.started_on <= on and (held.ended_on is None or held.ended_on >= on)
    }
