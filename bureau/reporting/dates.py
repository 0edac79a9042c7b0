"""Dates as the annual report states and bounds them: a calendar year's period, 2月28日."""

import datetime


def period(year: int) -> tuple[datetime.date, datetime.date]:
    """The report's period: the calendar year, both ends included."""
    return datetime.date(year, 1, 1), period_end(year)


def period_end(year: int) -> datetime.date:
    """31 December: what holds on it (a tenancy, a category, a discharge) counts for the year's report."""
    return datetime.date(year, 12, 31)


def month_day(day: datetime.date) -> str:
    """2021-02-28 → 2月28日: the report names the year once, in its title, and days without it."""
    return f"{day.month}月{day.day}日"
