"""Payment standards of resettlement (移交安置): how much a discharged soldier is paid."""

import datetime
from decimal import Decimal

# The one-off self-employment grant (自主就业金): a base plus an amount for every year served.
SELF_EMPLOYMENT_GRANT_BASE = Decimal(8000)
SELF_EMPLOYMENT_GRANT_PER_YEAR = Decimal(4500)


def years_served(*, enlisted_on: datetime.date, discharged_on: datetime.date) -> int:
    """Years of service rounded to whole years, at least one."""
    return max(1, round((discharged_on - enlisted_on).days / 365))


def self_employment_grant(*, enlisted_on: datetime.date, discharged_on: datetime.date) -> Decimal:
    """The self-employment grant of a soldier who served from `enlisted_on` to `discharged_on`."""
    served = years_served(enlisted_on=enlisted_on, discharged_on=discharged_on)
    return SELF_EMPLOYMENT_GRANT_BASE + SELF_EMPLOYMENT_GRANT_PER_YEAR * served
