"""
Composition of the report: numbering, gaps, narrative wording and its fallback, the year's words and
signing date, year-over-year (only with a recorded year), the charts.
"""

import datetime
from decimal import Decimal

import pytest

from bureau.models import SiteProfile
from bureau.reporting import Figure
from bureau.reporting.dates import five_year_plan, last_working_day
from reports.compose import ENGINE, compose_report, display_value, format_money, render_text, tidy
from reports.models import Narrative, ReportYear
from tests.factories import PaymentFactory
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


# --- the year's words -------------------------------------------------------------------------------

OPENING_2021 = (
    "2021年以来，本区退役军人事务局在区委、区政府的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导，"
    "认真贯彻落实《江西省人民政府关于做好“六稳”工作落实“六保”任务的实施意见》文件精神，结合工作实际，"
    "积极开展相关工作，制订计划，明确责任，细化措施，持续推动各项任务落地见效，"
    "切实把“六稳六保”工作保质保量完成。现将有关情况汇报如下："
)


@pytest.fixture
def no_sections(settings, db):
    settings.REPORT_SECTIONS = []


@pytest.fixture
def province(db):
    profile = SiteProfile.get()
    profile.province_name = "江西省"
    profile.save()


def test_the_default_opening_reads_like_the_reference(no_sections, province):
    opening = compose_report(year=2021, with_charts=False).opening

    assert opening == OPENING_2021
    for phrase in [
        "坚持以习近平新时代中国特色社会主义思想为指导",
        "认真贯彻落实《江西省人民政府关于做好“六稳”工作落实“六保”任务的实施意见》文件精神",
        "切实把“六稳六保”工作保质保量完成",
    ]:
        assert phrase in opening
    # 落实 once in the bureau's own words; the second is in the document's title.
    outside_title = opening.split("《")[0] + opening.split("》")[1]
    assert outside_title.count("落实") == 1
    assert "部署要求" not in opening


def test_without_a_province_the_document_is_the_provinces(no_sections):
    assert "认真贯彻落实《省人民政府关于做好“六稳”工作" in compose_report(year=2021, with_charts=False).opening


@pytest.mark.parametrize(("year", "plan"), [(2021, "十四五"), (2025, "十四五"), (2026, "十五五"), (2020, "十三五")])
def test_the_default_closing_names_the_plan_of_its_year(no_sections, year, plan):
    assert compose_report(year=year, with_previous=False, with_charts=False).closing == (
        f"下一步，我局将继续发挥退役军人部门职责作用，结合“{plan}”规划工作，着力推进“六稳六保”工作。"
    )


def test_five_year_plans():
    assert [five_year_plan(y) for y in (1966, 2015, 2016, 2020, 2021, 2025, 2026, 2030, 2031)] == [
        "三五", "十二五", "十三五", "十三五", "十四五", "十四五", "十五五", "十五五", "十六五"
    ]  # fmt: skip
    with pytest.raises(ValueError):
        five_year_plan(1965)


def test_the_years_words_are_the_years_and_keep_their_history(records, sample_only, bureau_user):
    opening = Narrative.objects.create(year=2021, key="opening", text="{{ year }}年，{{ bureau }}扎实推进各项工作。")
    Narrative.objects.create(year=2021, key="sample.lead", text="{{ place }}的数字由登记记录统计得出。")
    Narrative.objects.create(year=2021, key="closing", text="下一步，我局将结合“{{ plan }}”规划继续努力。")
    opening.text, opening.updated_by = "{{ year }}年，{{ bureau }}稳步推进各项工作。", bureau_user
    opening.save()

    document = compose_report(year=2021, with_charts=False)
    assert document.opening == "2021年，本区退役军人事务局稳步推进各项工作。"
    assert document.sections[0].lead == "全区的数字由登记记录统计得出。"
    assert document.closing == "下一步，我局将结合“十四五”规划继续努力。"
    assert [
        (h.history_type, h.text.split("，")[1]) for h in opening.history.order_by("history_date", "history_id")
    ] == [
        ("+", "{{ bureau }}扎实推进各项工作。"),
        ("~", "{{ bureau }}稳步推进各项工作。"),
    ]
    # Another year keeps the defaults.
    other = compose_report(year=2022, with_previous=False, with_charts=False)
    assert other.opening.startswith("2022年以来，本区退役军人事务局在区委、区政府的正确领导下")
    assert other.sections[0].lead == "为检验报告生成，以下数字均由登记记录统计得出。"
    assert other.closing.endswith("结合“十四五”规划工作，着力推进“六稳六保”工作。")


def test_the_spaces_a_template_leaves_between_chinese_words_are_dropped():
    assert tidy("选树典型。 \n  开展宣传，共 38 人。Apache ECharts") == "选树典型。开展宣传，共38人。Apache ECharts"
    warnings = []
    text = render_text("{% if n %}有{{ n }}人。 {% endif %}\n其余。", "", {"n": 2}, where="x", warnings=warnings)
    assert (text, warnings) == ("有2人。其余。", [])


# --- signing date ------------------------------------------------------------------------------------


def test_the_last_working_day_of_a_year():
    assert [last_working_day(y) for y in (2021, 2022, 2023, 2024)] == [
        datetime.date(2021, 12, 31),  # Friday
        datetime.date(2022, 12, 30),  # the 31st a Saturday
        datetime.date(2023, 12, 29),  # the 31st a Sunday
        datetime.date(2024, 12, 31),  # Tuesday
    ]


def test_the_report_is_signed_on_the_years_date_never_the_day_it_is_made(no_sections):
    assert compose_report(year=2021, with_charts=False).signed_on == datetime.date(2021, 12, 31)
    assert compose_report(year=2022, with_charts=False).signed_on == datetime.date(2022, 12, 30)

    ReportYear.objects.create(year=2021, signed_on=datetime.date(2022, 1, 12))
    assert compose_report(year=2021, with_charts=False).signed_on == datetime.date(2022, 1, 12)
    # A year row without a date keeps the default.
    ReportYear.objects.create(year=2022)
    assert compose_report(year=2022, with_charts=False).signed_on == datetime.date(2022, 12, 30)


# --- the previous year, only when it is recorded -------------------------------------------------------


def test_a_previous_year_without_records_is_not_compared(records, sample_only):
    ReportYear.objects.filter(year=2020).update(records=ReportYear.Records.AUTO)  # 2020: one payment, in June
    document = compose_report(year=2021, with_charts=False)

    assert document.previous_year is None
    assert document.previous_key_figures == {}
    assert [f.previous for f in document.figures] == [None] * len(document.figures)
    assert {f.figure.label: f.change for f in document.figures}["发放资金"] is None

    ReportYear.objects.filter(year=2020).update(records=ReportYear.Records.INCOMPLETE)
    assert compose_report(year=2021, with_charts=False).previous_year is None


def test_a_year_with_payments_in_ten_months_is_recorded(records, sample_only):
    ReportYear.objects.filter(year=2020).delete()
    person = records["张一"]
    for month in range(1, 10):  # June had a payment already: 10 months with this loop
        if month != 6:
            PaymentFactory(person=person, period=f"2020-{month:02d}", paid_on=datetime.date(2020, month, 15))
    assert ReportYear.for_year(2020).ledger_months() == 9
    assert compose_report(year=2021, with_charts=False).previous_year is None

    PaymentFactory(person=person, period="2020-12", paid_on=datetime.date(2020, 12, 15))
    document = compose_report(year=2021, with_charts=False)
    assert document.previous_year == 2020
    assert document.previous_key_figures["veterans"] == 2
    assert {f.figure.label: f.previous for f in document.figures}["登记在册退役军人"] == 2


def test_staff_decide_against_the_ledger(records, sample_only):
    ReportYear.objects.filter(year=2020).update(records=ReportYear.Records.COMPLETE)
    assert compose_report(year=2021, with_charts=False).previous_year == 2020
    assert ReportYear.for_year(2020).ledger_months() == 1


# --- charts -------------------------------------------------------------------------------------------


def test_the_district_report_carries_its_charts(records, sample_only):
    charts = compose_report(year=2021, with_previous=False).charts

    assert [c.key for c in charts] == ["payments_by_month", "payments_by_programme", "townships_compared"]
    by_month = charts[0]
    assert by_month.series[0].values == [
        Decimal("2500"), 0, Decimal("10000"), 0, Decimal("800"), 0, 0, 0, 0, 0, 0, 0
    ]  # fmt: skip
    assert charts[1].categories == ["定期抚恤金", "春节慰问金"]
    assert charts[1].series[0].values == [Decimal("10800"), Decimal("2500")]


def test_a_township_report_has_no_township_comparison(records, sample_only, township_a):
    charts = compose_report(year=2021, township=township_a, with_previous=False).charts

    assert [c.key for c in charts] == ["payments_by_month", "payments_by_programme"]
    assert charts[1].series[0].values == [Decimal("10000"), Decimal("2500")]
    assert compose_report(year=2021, with_previous=False, with_charts=False).charts == []
