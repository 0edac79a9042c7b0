"""Composition of the report: numbering, gaps, narrative wording and its fallback, year-over-year."""

from decimal import Decimal

import pytest

from bureau.reporting import Figure
from reports.compose import ENGINE, compose_report, display_value, format_money, render_text
from reports.models import Narrative
from tests.reports.sample_section import SAMPLE, build_records

PLACEHOLDERS = [
    "employment.report.section",
    "resettlement.report.section",
    "pensions.report.section",
    "support_army.report.section",
    "commemoration.report.section",
]

DISTRICT_ITEMS = [
    "一是摸清退役军人底数。全区共有5名退役军人登记在册，其中2021年退役3名。",
    "二是各类资金发放到位。全年共为3名对象发放资金1.33万元。",
    "三是选树宣传退役军人典型。选树宣传张二、张三、李二等2021年退役的退役军人典型。",
]


@pytest.fixture
def records(township_a, township_b):
    return build_records(township_a, township_b)


@pytest.fixture
def sample_only(settings):
    settings.REPORT_SECTIONS = [SAMPLE]


def texts(document):
    return [item.text for section in document.sections for item in section.items]


def test_placeholder_sections_leave_every_item_to_the_gaps(db):
    document = compose_report(year=2021)

    assert document.sections == []
    # The five areas' gaps at least: a later area's section adds its own (docs/area-apps.md, 9).
    assert {gap.area for gap in document.gaps} >= {"就业创业", "移交安置", "优待抚恤", "双拥共建", "褒扬纪念"}
    assert ("就业创业", "实现军事人力资源新转变", "参训人数", "全区") in {
        (g.area, g.item, g.figure, g.township) for g in document.gaps
    }
    assert all(f.figure.value is None for f in document.figures)


def test_sample_section_states_the_figures_of_the_records(records, sample_only):
    document = compose_report(year=2021)

    assert [s.label for s in document.sections] == ["（一）"]
    assert texts(document) == DISTRICT_ITEMS
    assert [(g.area, g.item, g.figure, g.township) for g in document.gaps] == [
        ("样例", "发放创业补贴", "创业补贴发放人次", "全区")
    ]


def test_township_report_counts_only_that_township(records, sample_only, township_a, township_b):
    assert texts(compose_report(year=2021, township=township_a)) == [
        "一是摸清退役军人底数。甲镇共有3名退役军人登记在册，其中2021年退役2名。",
        "二是各类资金发放到位。全年共为2名对象发放资金1.25万元。",
        "三是选树宣传退役军人典型。选树宣传张二、张三等2021年退役的退役军人典型。",
    ]
    document_b = compose_report(year=2021, township=township_b)
    assert texts(document_b)[1] == "二是各类资金发放到位。全年共为1名对象发放资金800元。"
    assert document_b.subtitle == "（乙镇）"
    assert {g.township for g in document_b.gaps} == {"乙镇"}


def test_numbering_never_repeats_or_skips(records, settings):
    # Placeholders drop out whole, the empty item drops out of each sample section.
    settings.REPORT_SECTIONS = [PLACEHOLDERS[0], SAMPLE, PLACEHOLDERS[1], SAMPLE]
    document = compose_report(year=2021)

    assert [s.label for s in document.sections] == ["（一）", "（二）"]
    for section in document.sections:
        assert [i.label for i in section.items] == ["一是", "二是", "三是"]


def test_edited_narrative_changes_the_wording_but_keeps_the_figures(records, sample_only):
    Narrative.objects.create(
        year=2021, key="sample.payments", text="全年累计为{{ payees }}名优抚对象发放各类资金{{ paid }}。"
    )
    document = compose_report(year=2021)

    assert texts(document)[1] == "二是各类资金发放到位。全年累计为3名优抚对象发放各类资金1.33万元。"
    assert document.warnings == []


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("{% if %}发放{{ paid }}", "各类资金发放到位：自定义文字无法生成"),
        ("发放{{ amount_total }}", "各类资金发放到位：自定义文字引用了不存在的指标“amount_total”，已改用默认文字。"),
    ],
)
def test_broken_narrative_falls_back_to_the_default_and_warns(records, sample_only, text, warning):
    Narrative.objects.create(year=2021, key="sample.payments", text=text)
    document = compose_report(year=2021)

    assert texts(document) == DISTRICT_ITEMS
    assert len(document.warnings) == 1
    assert document.warnings[0].startswith(warning)
    assert document.warnings[0].endswith("已改用默认文字。")


def test_previous_year_gives_previous_values_and_change(records, sample_only):
    document = compose_report(year=2021)
    by_label = {f.figure.label: f for f in document.figures}

    assert (by_label["登记在册退役军人"].previous, by_label["登记在册退役军人"].change) == (2, 3)
    assert (by_label["发放资金"].previous, by_label["发放资金"].change) == (Decimal("6000"), Decimal("7300"))
    assert by_label["退役军人典型"].previous == ["李一"]
    assert by_label["退役军人典型"].change is None
    assert document.previous_key_figures["veterans"] == 2
    assert document.previous_key_figures["paid_total"] == Decimal("6000")


def test_money_is_shown_in_wan_yuan_from_ten_thousand_on():
    assert format_money(Decimal("13300.00")) == "1.33万元"
    assert format_money(Decimal("10000")) == "1万元"
    assert format_money(Decimal("12345.67")) == "1.23万元"
    assert format_money(Decimal("800.00")) == "800元"
    assert format_money(Decimal("9999.50")) == "9999.5元"


def test_wording_is_plain_text_not_html():
    warnings = []
    assert render_text("", "{{ name }}", {"name": "A&B“<甲>”"}, where="x", warnings=warnings) == "A&B“<甲>”"
    assert ENGINE.string_if_invalid  # a misspelt variable is detectable, never silently empty
    assert warnings == []


def test_an_optional_figure_without_data_reads_as_nothing():
    optional = Figure("views", "直播观看", None, "人次")

    assert display_value(optional) == ""
    assert display_value(Figure("names", "典型", [], "")) == ""
