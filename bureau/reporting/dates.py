"""Dates as the annual report states and bounds them: a calendar year's period, 2月28日."""

import datetime

from bureau.reporting.numbers import chinese_number


def period(year: int) -> tuple[datetime.date, datetime.date]:
    """The report's period: the calendar year, both ends included."""
    return datetime.date(year, 1, 1), period_end(year)


def period_end(year: int) -> datetime.date:
    """31 December: what holds on it (a tenancy, a category, a discharge) counts for the year's report."""
    return datetime.date(year, 12, 31)


def month_day(day: datetime.date) -> str:
    """2021-02-28 → 2月28日: the report names the year once, in its title, and days without it."""
    return f"{day.month}月{day.day}日"


def last_working_day(year: int) -> datetime.date:
    """
    The last Monday-to-Friday of the year: the day a year's report is signed unless staff set another
    (31 December 2021 was a Friday; 2022's is Friday 30 December). Public holidays are not known here.
    """
    day = period_end(year)
    while day.weekday() >= 5:  # Saturday 5, Sunday 6
        day -= datetime.timedelta(days=1)
    return day


def five_year_plan(year: int) -> str:
    """
    The national five-year plan a year falls in, as the report names it: 2021–2025 → 十四五, 2026–2030 →
    十五五, 2016–2020 → 十三五. Plans run in fives from the third (1966–1970); 1963–1965 had none.
    """
    if year < 1966:
        raise ValueError(f"five_year_plan counts from the third plan (1966) on, not {year}")
    return f"{chinese_number((year - 1966) // 5 + 3)}五"
