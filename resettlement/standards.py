"""
How long a discharged soldier served, for the self-employment grant (自主就业金). The amounts
are not here: they are the year's `SubsidyStandard`, entered by bureau staff in the admin.
"""

import datetime


def years_served(*, enlisted_on: datetime.date, discharged_on: datetime.date) -> int:
    """Years of service rounded to whole years, at least one."""
    return max(1, round((discharged_on - enlisted_on).days / 365))


def completed_years(*, enlisted_on: datetime.date, discharged_on: datetime.date) -> int:
    """
    Whole years of service completed (周年), for a government-arranged job: the anniversaries of the
    enlistment date reached on the discharge date. 2009-09-10 → 2021-09-09 is 11 years, → 2021-09-10
    is 12 (服现役满12年). An enlistment on 29 February reaches its anniversary on 28 February.
    """
    years = discharged_on.year - enlisted_on.year
    anniversary = (enlisted_on.month, min(enlisted_on.day, 28 if enlisted_on.month == 2 else enlisted_on.day))
    if (discharged_on.month, discharged_on.day) < anniversary:
        years -= 1
    return max(0, years)
