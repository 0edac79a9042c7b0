"""
Section (三) for the district and for each township of a constructed year: each township's report states its
own figures in its own name, never the district's exhibitions nor 全区; a clause whose figure is zero is left
out; every counted or summed figure carries exactly the rows it counts; no item repeats a phrase.

The year: 甲镇 pays a monthly pension and a “三难” aid, has two Korean War veterans (both filmed), two
Spring Festival visits with aid and no problem, two on-site check-ups with results; 乙镇 pays a monthly
pension, a conscript visit and a Tibet family allowance, has one Korean War veteran and films a veteran
of another war too, one visit without aid whose two problems are half solved, one home check-up without
result, and one exhibition of its own; the bureau holds one district-wide exhibition (no township).
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Sum

from bureau.models import CheckUp, HardshipCategory, Payment, Person, PreferentialCategory
from bureau.reporting import TOWNSHIP
from pensions import programmes
from pensions.models import ConscriptBenefit, OralHistoryExhibition, Problem, War
from pensions.report import section
from reports.compose import compose_report
from tests.factories import (
    CheckUpBatchFactory,
    CheckUpFactory,
    PaymentFactory,
    PersonCategoryFactory,
    PersonFactory,
    TownshipFactory,
    VisitFactory,
)
from tests.pensions.factories import (
    ConscriptBenefitFactory,
    OralHistoryExhibitionFactory,
    OralHistoryInterviewFactory,
    ProblemFactory,
)
from tests.report_checks import repeats

pytestmark = pytest.mark.django_db

D = datetime.date
CLOSING = "实现了应发尽发，实现了社会稳定，推动了经济发展。"
CARE = "认真做好照顾救助和长期帮扶工作，把党和政府的温暖送到他们心坎上，让他们深切感受到党和政府的关心关怀。"
ORAL = "为充分挖掘参战老兵所承载的珍贵历史片段，我局以"
STORIES = "进行口述历史纪实视频拍摄，记录那些战火纷飞岁月中，老兵舍生忘死的战斗故事。"
CHECKUP = "开展免费健康体检活动，"
REACH = "名重点优抚对象参加。为让健康体检落到实处，不落一人，我们通过"

DISTRICT_TEXT = {
    "pensions.funds": "截至目前，共为全区1名优抚对象解决“三难”（住房难、医疗难、生活难）问题共计5000元；"
    "按月发放各类优抚对象人数2名，资金4.2万元；走访慰问2020年入伍义务兵走访人数1名，慰问金共计1000元；"
    f"发放2020年入伍的义务兵家属优待金，人数1名，共计3.18万元。{CLOSING}",
    "pensions.oral_history": f"{ORAL}全区3位健在的抗美援朝老兵为主体，进行口述历史纪实视频拍摄，2021年拍摄4位老兵，"
    "记录那些战火纷飞岁月中，老兵舍生忘死的战斗故事。拍摄完成后在校园、社区举办红色展陈宣讲活动两场，"
    "动员社会力量关注关爱现存老兵。",
    "pensions.spring_visits": f"{CARE}2021年春节全区走访慰问困难军队退役人员1人、荣立三等功以上退役军人1人、"
    "军休人员1人，共发放帮扶资金1300元，收集的困难问题数2件，已解决1件。",
    "pensions.checkups": f"{CHECKUP}3{REACH}现场体检2人、上门体检1人等多种灵活的方式，让每一名优抚对象都能参加健康体检，"
    "同时为其中2人建立了个人健康电子档案。",
}
TOWNSHIP_TEXT = {
    "甲镇": {
        "pensions.funds": "截至目前，共为甲镇1名优抚对象解决“三难”（住房难、医疗难、生活难）问题共计5000元；"
        f"按月发放各类优抚对象人数1名，资金2.4万元。{CLOSING}",
        # Both of its veterans filmed: the filming is not stated twice; the district's exhibition is not 甲镇's.
        "pensions.oral_history": f"{ORAL}甲镇2位健在的抗美援朝老兵为主体，{STORIES}",
        # No problem collected: no clause of problems.
        "pensions.spring_visits": f"{CARE}2021年春节甲镇走访慰问困难军队退役人员1人、荣立三等功以上退役军人1人，"
        "共发放帮扶资金1300元。",
        "pensions.checkups": f"{CHECKUP}2{REACH}现场体检的方式，让每一名优抚对象都能参加健康体检，"
        "同时为每位参检人员建立了个人健康电子档案，实现“一人一档”和“一站式服务”。",
    },
    "乙镇": {
        "pensions.funds": "截至目前，按月发放各类优抚对象人数1名，资金1.8万元；"
        "走访慰问2020年入伍义务兵走访人数1名，慰问金共计1000元；"
        f"发放2020年入伍的义务兵家属优待金，人数1名，共计3.18万元。{CLOSING}",
        "pensions.oral_history": f"{ORAL}乙镇1位健在的抗美援朝老兵为主体，进行口述历史纪实视频拍摄，2021年拍摄2位老兵，"
        "记录那些战火纷飞岁月中，老兵舍生忘死的战斗故事。拍摄完成后在社区举办红色展陈宣讲活动1场，"
        "动员社会力量关注关爱现存老兵。",
        # No aid given: no clause of aid.
        "pensions.spring_visits": f"{CARE}2021年春节乙镇走访慰问军休人员1人，收集的困难问题数2件，已解决1件。",
        # No result on file: no clause of health files.
        "pensions.checkups": f"{CHECKUP}1{REACH}上门体检的方式，让每一名优抚对象都能参加健康体检。",
    },
}


def pay(person, code, amount, period="2021", paid_on=None):
    return PaymentFactory(
        person=person,
        programme=programmes.programme(code),
        amount=Decimal(amount),
        period=period,
        paid_on=paid_on or D(int(period[:4]), 6, 1),
    )


def korean_war_veteran(township):
    person = PersonFactory(township=township)
    PersonCategoryFactory(person=person, category=PreferentialCategory.KOREAN_WAR_VETERAN, started_on=D(1985, 1, 1))
    return person


def build(a, b):
    # 一 优抚资金
    pensioners = [(PersonFactory(township=a, name="甲镇抚恤对象"), "2000.00"), (PersonFactory(township=b), "1500.00")]
    for month in range(1, 13):
        for person, amount in pensioners:
            pay(person, programmes.PERIODIC_PENSION, amount, f"2021-{month:02d}", D(2021, month, 10))
    pay(PersonFactory(township=a), programmes.HARDSHIP_AID, "5000.00", period="2021-03")
    family = PersonFactory(township=b, status="family")
    pay(family, programmes.CONSCRIPT_VISIT, "1000.00")
    benefit = ConscriptBenefitFactory(
        family=family,
        enlistment_year=2020,
        benefit_year=2021,
        region=ConscriptBenefit.Region.TIBET,
        amount=Decimal("26800.00"),
        supplement=Decimal("5000.00"),
    )
    benefit.paid_on = D(2021, 6, 10)
    benefit.save()
    if not Payment.objects.filter(person=family, programme__code=programmes.CONSCRIPT_FAMILY).exists():
        pay(family, programmes.CONSCRIPT_FAMILY, "31800.00", period="2021", paid_on=D(2021, 6, 10))
    # 二 口述历史
    for person in [korean_war_veteran(a), korean_war_veteran(a), korean_war_veteran(b)]:
        OralHistoryInterviewFactory(person=person)
    OralHistoryInterviewFactory(person=PersonFactory(township=b), war=War.LIBERATION)
    OralHistoryExhibitionFactory(title="红色记忆进校园", township=None, venue_kind=OralHistoryExhibition.Venue.SCHOOL)
    OralHistoryExhibitionFactory(title="红色记忆进社区", township=b, venue_kind=OralHistoryExhibition.Venue.COMMUNITY)
    # 三 送温暖
    warmth = programmes.programme(programmes.WARMTH_AID)
    for category, amount in [(HardshipCategory.HARDSHIP_VETERAN, "500.00"), (HardshipCategory.MERIT, "800.00")]:
        VisitFactory(
            person=PersonFactory(township=a),
            hardship_category=category,
            visited_on=D(2021, 2, 3),
            amount=Decimal(amount),
            programme=warmth,
        )
    visit = VisitFactory(
        person=PersonFactory(township=b), hardship_category=HardshipCategory.MILITARY_RETIREE, visited_on=D(2021, 2, 4)
    )
    ProblemFactory(
        person=visit.person,
        source=Problem.Source.VISIT,
        visit=visit,
        reported_on=visit.visited_on,
        state=Problem.State.RESOLVED,
        resolution="已协调解决。",
        resolved_on=D(2021, 3, 1),
    )
    ProblemFactory(
        person=visit.person,
        source=Problem.Source.VISIT,
        visit=visit,
        reported_on=visit.visited_on,
        state=Problem.State.IN_PROGRESS,
    )
    # 四 体检
    batch = CheckUpBatchFactory(start_date=D(2021, 5, 10))
    for _ in range(2):
        CheckUpFactory(batch=batch, person=PersonFactory(township=a), mode=CheckUp.Mode.ON_SITE)
    CheckUpFactory(batch=batch, person=PersonFactory(township=b), mode=CheckUp.Mode.HOME_VISIT, result_summary="")


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        a = TownshipFactory(code="PA1", name="甲镇", order=1)
        b = TownshipFactory(code="PB1", name="乙镇", order=2)
        build(a, b)
        yield {"甲镇": a, "乙镇": b}
        transaction.set_rollback(True)


@pytest.fixture
def pensions_only(settings):
    settings.REPORT_SECTIONS = ["pensions.report.section"]


def texts(township=None) -> dict[str, str]:
    """Each item's body: its paragraph after 「一是<title>。」."""
    document = compose_report(year=2021, township=township, with_previous=False)
    return {i.item.key: i.text.removeprefix(f"{i.label}{i.item.title}。") for s in document.sections for i in s.items}


def test_the_district_report_states_the_year(year, pensions_only):
    assert texts() == DISTRICT_TEXT


@pytest.mark.parametrize("name", ["甲镇", "乙镇"])
def test_a_township_report_states_its_own_figures_in_its_own_name(year, pensions_only, name):
    own = texts(year[name])

    assert own == TOWNSHIP_TEXT[name]
    assert not any("全区" in text for text in own.values())


def test_the_district_wide_exhibition_is_in_no_township_s_report(year):
    exhibitions = [
        {f.key: f for item in section(year=2021, township=t).items for f in item.figures}["exhibitions"]
        for t in [None, year["甲镇"], year["乙镇"]]
    ]

    assert [f.value for f in exhibitions] == [2, 0, 1]
    assert [sorted(f.records.values_list("title", flat=True)) for f in exhibitions] == [
        ["红色记忆进校园", "红色记忆进社区"],
        [],
        ["红色记忆进社区"],
    ]


def test_every_figure_is_the_township_s(year):
    items = section(year=2021, township=year["甲镇"]).items

    assert {f.scope for item in items for f in item.figures} == {TOWNSHIP}


def test_a_township_none_of_whose_veterans_was_filmed_leaves_the_oral_history_out(year, pensions_only):
    third = TownshipFactory(code="PC1", name="丙镇", order=3)
    korean_war_veteran(third)  # living, not filmed this year
    pay(PersonFactory(township=third), programmes.PERIODIC_PENSION, "1500.00", "2021-01", D(2021, 1, 10))

    document = compose_report(year=2021, township=third, with_previous=False)

    assert [i.item.key for s in document.sections for i in s.items] == ["pensions.funds"]
    assert {gap.item for gap in document.gaps} == {"将“送温暖”活动向生活困难退役军人家庭延伸", "为重点优抚对象免费体检"}
    # A township that took part is not left out (甲镇), nor the district.
    assert not any(
        item.district_only for township in [None, year["甲镇"]] for item in section(year=2021, township=township).items
    )


def test_no_problem_solved_yet_reads_being_solved(year, pensions_only):
    Problem.objects.filter(state=Problem.State.RESOLVED).update(state=Problem.State.IN_PROGRESS, resolved_on=None)

    assert texts(year["乙镇"])["pensions.spring_visits"].endswith("收集的困难问题数2件，正在协调解决。")


def test_all_problems_solved_reads_all_solved(year, pensions_only):
    Problem.objects.filter(state=Problem.State.IN_PROGRESS).update(
        state=Problem.State.CLOSED, resolved_on=D(2021, 4, 1)
    )

    assert texts()["pensions.spring_visits"].endswith("收集的困难问题数2件，并已全部解决。")


def test_no_item_repeats_a_phrase(year, pensions_only):
    bodies = [*texts().values(), *texts(year["甲镇"]).values(), *texts(year["乙镇"]).values()]

    assert len(bodies) == 12
    assert {body[:12]: repeats(body) for body in bodies if repeats(body)} == {}


# Figures stated as text or lists (years, names of groups and modes): nothing to count.
TEXT_FIGURES = {
    "conscript_years",
    "conscript_family_years",
    "back_pay",
    "exhibition_venues",
    "visited_groups",
    "modes",
    "mode_names",
}
# Money not from the ledger, and the field its rows sum.
SUMMED_FIELD = {"supplement_total": "supplement", "aid_total": "amount"}


def test_every_counted_or_summed_figure_holds_exactly_its_rows(year):
    checked = set()
    for township in [None, year["甲镇"], year["乙镇"]]:
        for item in section(year=2021, township=township).items:
            for figure in item.figures:
                if figure.key in TEXT_FIGURES:
                    assert figure.records is None, figure.key
                    continue
                if figure.value is None:  # no aid given (乙镇)
                    assert (figure.key, figure.records) == ("aid_total", None)
                    continue
                records = figure.records
                if figure.unit == "元":
                    field = SUMMED_FIELD.get(figure.key, "amount")
                    if figure.key not in SUMMED_FIELD:
                        assert records.model is Payment, figure.key
                    total = records.aggregate(total=Sum(field))["total"] or Decimal("0")
                    assert total == figure.value, (township, figure.key)
                else:
                    assert records.count() == figure.value, (township, figure.key)
                    if figure.unit in ("人", "位", "份"):
                        assert records.model is Person, figure.key
                checked.add(figure.key)

    assert len(checked) == 33


def test_the_drill_down_names_the_persons_counted(year):
    a = {f.key: f for item in section(year=2021, township=year["甲镇"]).items for f in item.figures}

    assert list(a["monthly_persons"].records.values_list("name", flat=True)) == ["甲镇抚恤对象"]
    assert a["monthly_total"].records.count() == 12
    assert a["health_files"].records.count() == 2


def test_the_headlines_are_the_monthly_pension_and_the_spring_festival_visits(year):
    headlines = [f for item in section(year=2021).items for f in item.figures if f.headline]

    assert [(f.key, f.value) for f in headlines] == [
        ("monthly_persons", 2),
        ("monthly_total", Decimal("42000.00")),
        ("visited", 3),
    ]


def test_the_activity_dates_are_date_fields_of_pensions_models():
    config = apps.get_app_config("pensions")

    assert config.activity_dates
    for declared in config.activity_dates:
        app_label, model_name, field_name = declared.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField), declared
        assert app_label == "pensions", declared
