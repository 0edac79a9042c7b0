"""
How long a discharged soldier served, for the self-employment grant (自主就业金). The amounts
are not here: they are the year's `SubsidyStandard`, entered by bureau staff in the admin.
"""

import datetime


def years_served(*, enlisted_on: datetime.date, discharged_on: datetime.date) -> int:
    """Years of service rounded to whole years, at least one."""
    return max(1, round((discharged_on - enlisted_on).days / 365))
