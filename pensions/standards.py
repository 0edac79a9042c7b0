"""
Payment standards of the preferential-care programmes (优抚): how much a person is paid, by the categories held.

The monthly standards live in `pensions.models.BenefitStandard` (one row per category and date);
`MONTHLY_PENSION` is the reference year's table the demo enters there. The demo payments
(`pensions.demo`) are computed from the standards in force each month.
"""

from collections.abc import Iterable
from decimal import Decimal

from bureau.models import PreferentialCategory
from bureau.models.people import KEY_BENEFICIARY_CATEGORIES

C = PreferentialCategory

# The reference year's monthly amounts of the periodic pension (定期抚恤补助) by category, as the demo
# enters them; a person holding several categories gets the highest.
MONTHLY_PENSION = {
    C.DISABLED_SOLDIER: Decimal("2150.00"),
    C.MARTYR_FAMILY: Decimal("2380.00"),
    C.DUTY_DEATH_FAMILY: Decimal("1960.00"),
    C.ILLNESS_DEATH_FAMILY: Decimal("1880.00"),
    C.DEMOBILISED_RURAL: Decimal("1320.00"),
    C.RETURNED_WITH_ILLNESS: Decimal("960.00"),
    C.WAR_OR_TEST_VETERAN: Decimal("870.00"),
}
# Spring Festival gift (春节慰问金): key beneficiaries get more than the holders of other categories.
SPRING_FESTIVAL_GIFT_KEY_BENEFICIARY = Decimal("1000.00")
SPRING_FESTIVAL_GIFT = Decimal("600.00")
# Yearly allowance of a conscript's family (义务兵家庭优待金).
CONSCRIPT_FAMILY_ALLOWANCE = Decimal("26800.00")


def monthly_pension(categories: Iterable[str], standards: dict[tuple[str, int | None], Decimal]) -> Decimal | None:
    """
    The monthly periodic pension of a person holding `categories` by `standards` (the
    `BenefitStandard.objects.in_force(day)` of the month), None if none of them is pensioned.
    """
    return max((amount for category in categories if (amount := standards.get((category, None)))), default=None)


def spring_festival_gift(categories: Iterable[str]) -> Decimal | None:
    """The Spring Festival gift of a person holding `categories`, None if they hold none."""
    held = set(categories)
    if not held:
        return None
    return SPRING_FESTIVAL_GIFT_KEY_BENEFICIARY if held & set(KEY_BENEFICIARY_CATEGORIES) else SPRING_FESTIVAL_GIFT


def conscript_family_allowance(categories: Iterable[str]) -> Decimal | None:
    """The yearly allowance of a person holding `categories`, None unless they are a conscript's family."""
    return CONSCRIPT_FAMILY_ALLOWANCE if C.CONSCRIPT_FAMILY in set(categories) else None
