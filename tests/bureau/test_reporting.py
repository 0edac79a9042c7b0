"""
The report helpers every section writes with (bureau.reporting): Chinese numerals as the report
spells its ordinals, the year's period and 2月28日, and "recorded" figures that are unknown, not zero.
"""

import datetime

import pytest

from bureau.reporting import Figure, chinese_number, month_day, period, period_end, recorded


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (1, "一"),
        (2, "二"),
        (5, "五"),
        (8, "八"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (94, "九十四"),
        (99, "九十九"),
    ],
)
def test_numbers_below_a_hundred_drop_the_one_of_a_leading_ten(n, expected):
    assert chinese_number(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (120, "一百二十"),
        (200, "二百"),
        (999, "九百九十九"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (1234, "一千二百三十四"),
        (2021, "二千零二十一"),
        (9999, "九千九百九十九"),
    ],
)
def test_hundreds_and_thousands_keep_the_one_inside_and_read_a_gap_as_one_zero(n, expected):
    assert chinese_number(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (10_000, "一万"),
        (10_001, "一万零一"),
        (10_010, "一万零一十"),
        (10_100, "一万零一百"),
        (11_000, "一万一千"),
        (12_345, "一万二千三百四十五"),
        (20_000, "二万"),
        (20_500, "二万零五百"),
        (99_999, "九万九千九百九十九"),
        (100_000, "十万"),
        (110_000, "十一万"),
        (100_010, "十万零一十"),
        (1_000_000, "一百万"),
        (1_100_000, "一百一十万"),
        (10_000_000, "一千万"),
        (12_345_678, "一千二百三十四万五千六百七十八"),
    ],
)
def test_ten_thousands_group_by_wan(n, expected):
    assert chinese_number(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (100_000_000, "一亿"),
        (100_000_500, "一亿零五百"),
        (100_500_000, "一亿零五十万"),
        (150_000_000, "一亿五千万"),
        (1_000_010_000, "十亿零一万"),
        (1_000_000_000_000, "一万亿"),
    ],
)
def test_beyond_the_ten_thousands_yi_groups_the_wan(n, expected):
    assert chinese_number(n) == expected


def test_a_negative_number_is_refused():
    with pytest.raises(ValueError, match="-1"):
        chinese_number(-1)


def test_the_report_period_is_the_calendar_year():
    assert period(2021) == (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    assert period_end(2021) == datetime.date(2021, 12, 31)


def test_a_day_is_written_without_its_year_or_leading_zeros():
    assert month_day(datetime.date(2021, 2, 4)) == "2月4日"
    assert month_day(datetime.date(2021, 12, 31)) == "12月31日"


def test_figures_without_records_behind_them_are_unknown_not_zero():
    figures = [Figure("fairs", "招聘会场次", 0, "场"), Figure("dates", "举办日期", [])]

    assert recorded(figures, when=True) == figures
    unknown = recorded(figures, when=False)
    assert [(f.key, f.label, f.value, f.unit) for f in unknown] == [
        ("fairs", "招聘会场次", None, "场"),
        ("dates", "举办日期", None, ""),
    ]
    assert all(f.missing for f in unknown)
