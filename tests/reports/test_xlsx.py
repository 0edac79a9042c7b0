"""The Excel report: a summary of every figure, the detail rows per area, the gaps; numbers as numbers."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from bureau.models import ReviewStatus
from reports.compose import compose_report
from reports.registry import collect_sections
from reports.xlsx import render_xlsx
from tests.factories import PersonFactory
from tests.reports.sample_section import SAMPLE, build_records

SUMMARY_HEADER = ["部分", "条目", "指标", "数值", "单位", "乡镇（街道）", "上年", "增减"]
SECTION = "样例工作扎实推进"


@pytest.fixture
def records(township_a, township_b):
    return build_records(township_a, township_b)


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def workbook(**kwargs):
    return load_workbook(io.BytesIO(render_xlsx(compose_report(**kwargs))))


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
