"""The Excel report: a summary of every figure, the detail rows per area, the gaps; numbers as numbers."""

import dataclasses
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bureau.models import ReviewStatus
from reports.chartdata import MONTHS, Chart, Series
from reports.compose import compose_report
from reports.registry import collect_sections
from reports.xlsx import render_xlsx
from tests.factories import PersonFactory
from tests.reports.sample_section import SAMPLE, build_records

SUMMARY_HEADER = ["部分", "条目", "指标", "数值（2021年）", "单位", "乡镇（街道）", "上年（2020年）", "增减"]
SECTION = "样例工作扎实推进"


@pytest.fixture
def records(township_a, township_b):
    return build_records(township_a, township_b)


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def workbook(*, previous_year: int | None = 2020, charts: list | None = None, **kwargs):
    """The composed report's workbook; the previous year recorded unless the test says otherwise."""
    document = dataclasses.replace(compose_report(**kwargs), previous_year=previous_year, charts=charts or [])
    return load_workbook(io.BytesIO(render_xlsx(document)))


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_summary_lists_every_figure_with_previous_year_and_change(records, sample_only):
    book = workbook(year=2021)
    summary = rows(book["汇总"])

    assert book.sheetnames == ["汇总", "样例", "数据缺项"]
    assert summary[0] == SUMMARY_HEADER
    assert summary[1:8] == [
        [SECTION, "摸清退役军人底数", "登记在册退役军人", 5, "人", "全区", 2, 3],
        [SECTION, "摸清退役军人底数", "当年退役", 3, "人", "全区", 1, 2],
        # The item without data is listed with an empty value, never "XXX".
        [SECTION, "发放创业补贴", "创业补贴发放人次", None, "人次", "全区", None, None],
        [SECTION, "各类资金发放到位", "资金发放对象", 3, "人", "全区", 1, 2],
        [SECTION, "各类资金发放到位", "发放资金", 13300, "元", "全区", 6000, 7300],
        [SECTION, "选树宣传退役军人典型", "退役军人典型", "张二、张三、李二", None, "全区", "李一", None],
        ["基本情况", "主要数据", "登记在册退役军人", 5, "人", "全区", 2, 3],
    ]
    assert ["基本情况", "主要数据", "资金发放总额", 13300, "元", "全区", 6000, 7300] in summary
    money = book["汇总"]["D6"]
    assert money.data_type == "n"
    assert money.number_format == "#,##0.00"


def test_an_unrecorded_previous_year_shows_dashes(records, sample_only):
    summary = rows(workbook(year=2021, previous_year=None)["汇总"])

    # The header still names the year the column stands for.
    assert summary[0] == SUMMARY_HEADER
    assert summary[1] == [SECTION, "摸清退役军人底数", "登记在册退役军人", 5, "人", "全区", "—", "—"]
    assert ["基本情况", "主要数据", "资金发放总额", 13300, "元", "全区", "—", "—"] in summary
    assert all(row[6:] == ["—", "—"] for row in summary[1:])


def test_chart_numbers_have_a_sheet_of_their_own(records, sample_only):
    payments = Chart(
        "payments_by_month",
        "2021年逐月资金发放",
        "line",
        MONTHS,
        [Series("发放金额", [Decimal(2500)] + [Decimal(0)] * 11, "元"), Series("发放笔数", [1] + [0] * 11, "笔")],
    )
    empty = Chart("activities_by_month", "2021年逐月业务活动", "bar", MONTHS, [Series("就业创业", [0] * 12, "次")])
    book = workbook(year=2021, charts=[payments, empty])
    sheet = rows(book["图表数据"])

    assert book.sheetnames == ["汇总", "样例", "图表数据", "数据缺项"]
    assert sheet[0][0] == "图1　2021年逐月资金发放"
    assert sheet[1][:3] == ["项目", "发放金额（元）", "发放笔数（笔）"]
    assert [row[:3] for row in sheet[2:14]] == [["1月", 2500, 1]] + [[f"{m}月", 0, 0] for m in range(2, 13)]
    assert book["图表数据"]["B3"].number_format == "#,##0.00"
    # A chart with nothing to draw is not in the report, nor here.
    assert len(sheet) == 14
    assert not any("逐月业务活动" in str(row[0]) for row in sheet)


def test_township_workbook_counts_only_that_township(records, sample_only, township_a):
    summary = rows(workbook(year=2021, township=township_a)["汇总"])

    assert summary[1] == [SECTION, "摸清退役军人底数", "登记在册退役军人", 3, "人", "甲镇", 1, 2]
    assert summary[5] == [SECTION, "各类资金发放到位", "发放资金", 12500, "元", "甲镇", 6000, 6500]
    assert summary[6][3] == "张二、张三"


def test_area_sheet_holds_the_rows_behind_each_item(records, sample_only):
    area = rows(workbook(year=2021)["样例"])

    assert area[0][0] == "（一）样例工作扎实推进"
    assert area[1][0] == "一是摸清退役军人底数"
    assert area[2][:3] == ["姓名", "乡镇（街道）", "退役日期"]
    assert [[row[0], row[1], row[2].date()] for row in area[3:8]] == [
        ["张一", "甲镇", datetime.date(2019, 9, 1)],
        ["李一", "乙镇", datetime.date(2020, 9, 1)],
        ["张二", "甲镇", datetime.date(2021, 9, 1)],
        ["张三", "甲镇", datetime.date(2021, 10, 1)],
        ["李二", "乙镇", datetime.date(2021, 11, 1)],
    ]
    start = area.index(["二是各类资金发放到位", *[None] * (len(area[0]) - 1)])
    assert [row[:4] for row in area[start + 1 : start + 5]] == [
        ["姓名", "资金项目", "期间", "金额（元）"],
        ["张二", "春节慰问金", "2021-01", 2500],
        ["张一", "定期抚恤金", "2021-03", 10000],
        ["李一", "定期抚恤金", "2021-05", 800],
    ]


def test_sheets_have_frozen_chinese_headers_and_set_widths(records, sample_only):
    book = workbook(year=2021)

    for name in book.sheetnames:
        assert book[name].freeze_panes == "A2"
    assert rows(book["数据缺项"]) == [
        ["业务领域", "条目", "缺少的指标", "乡镇（街道）"],
        ["样例", "发放创业补贴", "创业补贴发放人次", "全区"],
    ]
    assert book["汇总"].column_dimensions["A"].width == 26
    assert book["汇总"].column_dimensions["D"].width == 16


def test_a_section_repeated_gets_distinct_sheet_names(records, settings):
    settings.REPORT_SECTIONS = [SAMPLE, SAMPLE]

    assert workbook(year=2021).sheetnames == ["汇总", "样例", "样例（2）", "数据缺项"]


def test_text_is_escaped_against_formulas(records, sample_only, township_b):
    PersonFactory(name="=HYPERLINK(1)", township=township_b, discharged_on=datetime.date(2021, 12, 1))
    book = workbook(year=2021)

    names = [row[0] for row in rows(book["样例"])]
    assert "'=HYPERLINK(1)" in names
    assert "=HYPERLINK(1)" not in names
    assert all(cell.data_type != "f" for row in book["样例"].iter_rows() for cell in row)


def test_placeholder_sections_give_empty_values_and_every_gap(db):
    book = workbook(year=2021)
    summary = rows(book["汇总"])
    figure_rows = [row for row in summary[1:] if row[0] != "基本情况"]

    assert book.sheetnames == ["汇总", "数据缺项"]
    assert figure_rows
    assert all(row[3] is None and row[6] is None for row in figure_rows)
    # Every figure a sentence needs is listed; optional ones (e.g. live-stream views) are not gaps.
    needed = [f for s in collect_sections(year=2021) for item in s.items for f in item.missing_figures]
    assert len(rows(book["数据缺项"])) - 1 == len(needed)
    assert not any("XXX" in str(value) for row in summary for value in row if value is not None)


def test_draft_records_are_not_counted(records, sample_only, township_a):
    PersonFactory(
        name="张六", township=township_a, discharged_on=datetime.date(2021, 3, 1), review_status=ReviewStatus.SUBMITTED
    )

    assert rows(workbook(year=2021)["汇总"])[1][3] == 5
