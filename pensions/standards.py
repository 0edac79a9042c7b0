"""
Payment standards of the preferential-care programmes (优抚): how much a person is paid, by the categories held.

The monthly standards live in `pensions.models.BenefitStandard` (one row per category and date);
`MONTHLY_PENSION` is the reference year's table the demo enters there; who is paid how much each
month is the payroll's rule (`pensions.payroll.dues`).
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


def spring_festival_gift(categories: Iterable[str]) -> Decimal | None:
    """The Spring Festival gift of a person holding `categories`, None if they hold none."""
    held = set(categories)
    if not held:
        return None
    return SPRING_FESTIVAL_GIFT_KEY_BENEFICIARY if held & set(KEY_BENEFICIARY_CATEGORIES) else SPRING_FESTIVAL_GIFT
