"""
Section (三) 优待抚恤工作彰显温暖, from approved records of the year: the ledger of each programme,
63 living Korean War veterans filmed and two exhibitions, the Spring Festival visits by hardship
group with their aid and problems, the free check-ups of key beneficiaries by mode.
"""

import datetime
from decimal import Decimal

import pytest

from bureau.models import (
    Attachment,
    CheckUp,
    CheckUpBatch,
    HardshipCategory,
    Payment,
    PreferentialCategory,
    ReviewStatus,
)
from pensions import programmes
from pensions.models import ConscriptBenefit, OralHistoryExhibition, Problem, War
from pensions.report import section, year_range
from reports.compose import compose_report
from tests.factories import (
    CheckUpBatchFactory,
    CheckUpFactory,
    PaymentFactory,
    PersonCategoryFactory,
    PersonFactory,
    VisitFactory,
)
from tests.pensions.factories import (
    ConscriptBenefitFactory,
    OralHistoryExhibitionFactory,
    OralHistoryInterviewFactory,
    ProblemFactory,
)

D = datetime.date
KOREAN = PreferentialCategory.KOREAN_WAR_VETERAN

ORAL_HISTORY = (
    "进行口述历史纪实视频拍摄，留存“红色记忆”。为充分挖掘参战老兵所承载的珍贵历史片段，"
    "我局以全区63位健在的抗美援朝老兵为主体，进行口述历史纪实视频拍摄，"
    "记录那些战火纷飞岁月中，老兵舍生忘死的战斗故事。拍摄完成后在校园、社区举办红色展陈宣讲活动两场，"
    "动员社会力量关注关爱现存老兵。"
)
SPRING_VISITS = (
    "将“送温暖”活动向生活困难退役军人家庭延伸。认真做好照顾救助和长期帮扶工作，把党和政府的温暖送到他们心坎上，"
    "让他们深切感受到党和政府的关心关怀。"
    "2021年春节全区走访慰问困难军队退役人员12人、困难企业军转干部5人、1953年底参军后在国有企业退休的士兵4人、"
    "荣立三等功以上退役军人3人、军休人员2人、省荣军医院休养退休士兵1人，共发放帮扶资金1.35万元，"
    "收集的困难问题数9件，并已全部解决。"
)
# Persons visited per hardship group at the 2021 Spring Festival (the reference's order).
VISITED = {
    HardshipCategory.HARDSHIP_VETERAN: 12,
    HardshipCategory.ENTERPRISE_CADRE: 5,
    HardshipCategory.STATE_ENTERPRISE_SOLDIER: 4,
    HardshipCategory.MERIT: 3,
    HardshipCategory.MILITARY_RETIREE: 2,
    HardshipCategory.HONOURED_HOSPITAL: 1,
}


@pytest.fixture
def pensions_only(settings):
    settings.REPORT_SECTIONS = ["pensions.report.section"]


def figures(year=2021, township=None) -> dict:
    return {f.key: f.value for item in section(year=year, township=township).items for f in item.figures}


def item_text(document, key: str) -> str:
    """The item's paragraph without its generated label (一是, 二是 … by the items that have data)."""
    [(label, text)] = [(i.label, i.text) for s in document.sections for i in s.items if i.item.key == key]
    return text.removeprefix(label)


def korean_war_veteran(township, **fields):
    person = PersonFactory(township=township, **fields)
    PersonCategoryFactory(person=person, category=KOREAN, started_on=D(1985, 1, 1))
    return person


# -- 二 口述历史 ------------------------------------------------------------------------------------


@pytest.fixture
def oral_history_year(township_a, township_b):
    """63 living Korean War veterans (40 in 甲镇, 23 in 乙镇), each filmed in 2021; two exhibitions."""
    living = [korean_war_veteran(township_a) for _ in range(40)] + [korean_war_veteran(township_b) for _ in range(23)]
    for n, person in enumerate(living):
        OralHistoryInterviewFactory(person=person, interviewed_on=D(2021, 3, 1) + datetime.timedelta(days=n))
    # Not among the living at year end: died in the year, moved away in the year, dead without a date.
    korean_war_veteran(township_a, died_on=D(2021, 6, 1))
    korean_war_veteran(township_a, moved_out_on=D(2021, 10, 1))
    korean_war_veteran(township_b, status="deceased")
    # Counted: died or moved only after the year.
    # (Not counted) a veteran of another war, a category ended before year end, one only from next year,
    # a person a station has submitted but the bureau not approved.
    PersonCategoryFactory(person=PersonFactory(township=township_a), category=PreferentialCategory.WAR_OR_TEST_VETERAN)
    PersonCategoryFactory(
        person=PersonFactory(township=township_a), category=KOREAN, started_on=D(1985, 1, 1), ended_on=D(2021, 5, 1)
    )
    PersonCategoryFactory(person=PersonFactory(township=township_a), category=KOREAN, started_on=D(2022, 1, 1))
    korean_war_veteran(township_a, review_status=ReviewStatus.SUBMITTED)
    # Interviews that do not count: not approved, or of another year.
    OralHistoryInterviewFactory(person=living[0], interviewed_on=D(2021, 12, 1), review_status=ReviewStatus.SUBMITTED)
    OralHistoryInterviewFactory(person=living[1], interviewed_on=D(2020, 12, 1))
    OralHistoryExhibitionFactory(title="红色记忆进校园", start_date=D(2021, 6, 20), township=township_a)
    OralHistoryExhibitionFactory(
        title="红色记忆进社区",
        start_date=D(2021, 9, 28),
        township=township_b,
        venue_kind=OralHistoryExhibition.Venue.COMMUNITY,
    )
    OralHistoryExhibitionFactory(title="去年的展陈", start_date=D(2020, 9, 28))
    OralHistoryExhibitionFactory(title="待审核的展陈", start_date=D(2021, 10, 8), review_status=ReviewStatus.SUBMITTED)
    return living


def test_63_living_korean_war_veterans_all_filmed_and_two_exhibitions(oral_history_year):
    result = figures()

    assert (result["korean_war_veterans"], result["interviews"], result["exhibitions"]) == (63, 63, 2)


def test_the_dead_and_the_moved_count_when_that_happened_after_the_year(oral_history_year, township_a):
    korean_war_veteran(township_a, died_on=D(2021, 12, 31))
    korean_war_veteran(township_a, moved_out_on=D(2022, 1, 15))

    assert figures()["korean_war_veterans"] == 65
    assert figures(year=2022)["korean_war_veterans"] is None  # no interview nor exhibition in 2022


def test_the_oral_history_sentence_states_the_figures(oral_history_year, pensions_only):
    assert item_text(compose_report(year=2021), "pensions.oral_history") == ORAL_HISTORY


def test_the_township_report_counts_its_own_veterans_interviews_and_exhibitions(oral_history_year, township_b):
    result = figures(township=township_b)

    assert (result["korean_war_veterans"], result["interviews"], result["exhibitions"]) == (23, 23, 1)


def test_interviews_of_another_war_are_filmed_veterans_too(oral_history_year, township_a):
    OralHistoryInterviewFactory(person=PersonFactory(township=township_a), war=War.LIBERATION)

    assert (figures()["korean_war_veterans"], figures()["interviews"]) == (63, 64)


# -- 三 送温暖 -------------------------------------------------------------------------------------


@pytest.fixture
def spring_visits(township_a, township_b):
    """
    The 2021 Spring Festival: 27 persons visited (甲镇 the first of each group, 乙镇 the rest), 500 yuan each;
    9 problems collected on the first nine visits, all resolved.
    """
    visits = []
    for category, count in VISITED.items():
        for n in range(count):
            person = PersonFactory(township=township_a if n == 0 else township_b)
            visits.append(
                VisitFactory(
                    person=person,
                    hardship_category=category,
                    visited_on=D(2021, 2, 1) + datetime.timedelta(days=n % 10),
                    amount=Decimal("500.00"),
                    programme=programmes.programme(programmes.WARMTH_AID),
                )
            )
    problems = [
        ProblemFactory(
            person=visit.person,
            source=Problem.Source.VISIT,
            visit=visit,
            reported_on=visit.visited_on,
            state=Problem.State.RESOLVED if n % 2 else Problem.State.CLOSED,
            resolution="已协调解决。",
            resolved_on=D(2021, 3, 1),
        )
        for n, visit in enumerate(visits[:9])
    ]
    # Not counted: another occasion, another area, another year, not approved, a problem by phone.
    person = visits[0].person
    VisitFactory(person=person, occasion="mid_autumn", visited_on=D(2021, 9, 20), amount=Decimal("300"))
    VisitFactory(person=person, area="support_army", visited_on=D(2021, 2, 3), amount=Decimal("300"))
    VisitFactory(person=person, visited_on=D(2020, 1, 20), amount=Decimal("300"))
    VisitFactory(
        person=PersonFactory(township=township_a),
        visited_on=D(2021, 2, 5),
        amount=Decimal("300"),
        review_status=ReviewStatus.SUBMITTED,
    )
    ProblemFactory(person=person, source=Problem.Source.PHONE, reported_on=D(2021, 4, 1))
    return visits, problems


def test_visits_per_hardship_group_aid_and_problems(spring_visits):
    result = figures()

    assert [
        result[key]
        for key in [
            "visited_hardship",
            "visited_cadres",
            "visited_state_retired",
            "visited_merit",
            "visited_retirees",
            "visited_hospital",
        ]
    ] == [12, 5, 4, 3, 2, 1]
    assert (result["visited"], result["aid_total"], result["problems"], result["problems_resolved"]) == (
        27,
        Decimal("13500.00"),
        9,
        9,
    )


def test_all_problems_resolved_reads_all_resolved(spring_visits, pensions_only):
    assert item_text(compose_report(year=2021), "pensions.spring_visits") == SPRING_VISITS


def test_one_problem_open_reads_how_many_are_resolved(spring_visits, pensions_only):
    visits, problems = spring_visits
    ProblemFactory(
        person=visits[9].person, source=Problem.Source.VISIT, visit=visits[9], state=Problem.State.IN_PROGRESS
    )

    text = item_text(compose_report(year=2021), "pensions.spring_visits")

    assert "全部解决" not in text
    assert text.endswith("共发放帮扶资金1.35万元，收集的困难问题数10件，已解决9件。")


def test_a_person_visited_twice_is_one_person(spring_visits):
    visits, _ = spring_visits
    VisitFactory(
        person=visits[0].person,
        hardship_category=HardshipCategory.HARDSHIP_VETERAN,
        visited_on=D(2021, 2, 28),
        amount=Decimal("200.00"),
    )

    result = figures()
    assert (result["visited_hardship"], result["visited"], result["aid_total"]) == (12, 27, Decimal("13700.00"))


def test_the_township_report_counts_its_visits(spring_visits, township_a, township_b):
    a, b = figures(township=township_a), figures(township=township_b)

    assert [a[key] for key in ["visited_hardship", "visited_hospital", "visited"]] == [1, 1, 6]
    assert a["aid_total"] == Decimal("3000.00")
    # The first nine visits are the twelve hardship veterans' first nine: 1 in 甲镇, 8 in 乙镇.
    assert (a["problems"], b["problems"], b["problems_resolved"]) == (1, 8, 8)
    assert b["visited"] == 21


# -- 四 体检 ---------------------------------------------------------------------------------------


@pytest.fixture
def checkups(township_a, township_b):
    """
    Two 2021 batches of key beneficiaries: 10 persons on site, 4 at home, 3 transported (甲镇 the first
    of each mode); one person checked in both batches; 15 with a summary, 1 with a report attached only.
    """
    spring = CheckUpBatchFactory(title="2021年重点优抚对象免费体检（春）", start_date=D(2021, 5, 10))
    autumn = CheckUpBatchFactory(title="2021年重点优抚对象免费体检（秋）", start_date=D(2021, 10, 10))
    people = []
    for mode, count in [(CheckUp.Mode.ON_SITE, 10), (CheckUp.Mode.HOME_VISIT, 4), (CheckUp.Mode.TRANSPORTED, 3)]:
        for n in range(count):
            person = PersonFactory(township=township_a if n == 0 else township_b)
            people.append(CheckUpFactory(batch=spring, person=person, mode=mode))
    # No summary: one with a report attached, one with nothing on file yet.
    no_summary = people[-2:]
    for checkup in no_summary:
        checkup.result_summary = ""
        checkup.save()
    Attachment.objects.create(record=no_summary[0], title="体检报告", file="attachments/2021/05/report.pdf")
    # The first person again in autumn, at home.
    CheckUpFactory(batch=autumn, person=people[0].person, mode=CheckUp.Mode.HOME_VISIT, checked_on=D(2021, 10, 10))
    # Not counted: another population, another year, a batch not approved, a check-up not approved.
    families = CheckUpBatchFactory(population=CheckUpBatch.Population.MILITARY_FAMILIES)
    CheckUpFactory(batch=families, person=PersonFactory(township=township_a))
    CheckUpFactory(batch=CheckUpBatchFactory(start_date=D(2020, 5, 10)), person=PersonFactory(township=township_a))
    CheckUpFactory(
        batch=CheckUpBatchFactory(review_status=ReviewStatus.SUBMITTED), person=PersonFactory(township=township_a)
    )
    CheckUpFactory(batch=spring, person=PersonFactory(township=township_a), review_status=ReviewStatus.SUBMITTED)
    return people


def test_persons_checked_by_mode_and_health_files(checkups):
    result = figures()

    assert [result[key] for key in ["checked", "on_site", "at_home", "transported", "health_files"]] == [
        17,
        10,
        5,
        3,
        16,
    ]


def test_the_checkup_sentence_and_the_township_report(checkups, township_a, pensions_only):
    text = item_text(compose_report(year=2021), "pensions.checkups")
    a = figures(township=township_a)

    assert text == (
        "为重点优抚对象免费体检。开展免费健康体检活动，17名重点优抚对象参加。为让健康体检落到实处，不落一人，"
        "我们通过现场体检10人、上门体检5人、接送体检3人等多种灵活的方式，让每一名优抚对象都能参加健康体检，"
        "同时为其中16人建立了个人健康电子档案。"
    )
    assert [a[key] for key in ["checked", "on_site", "at_home", "transported", "health_files"]] == [3, 1, 2, 1, 3]


def test_the_report_details_never_hold_health_results(checkups):
    [item] = [i for i in section(year=2021).items if i.key == "pensions.checkups"]

    assert len(item.detail_rows) == 18
    assert not any("血压" in str(value) for row in item.detail_rows for value in row)


# -- 一 优抚资金 -----------------------------------------------------------------------------------


def allowance_paid(benefit, paid_on):
    """
    The allowance paid on `paid_on`: its ledger row (period: the benefit year) as the ledger keeps it, written
    here unless saving the benefit wrote it already (`bureau.rules.payments.ledger`, where the ledger follows the records).
    """
    benefit.paid_on = paid_on
    benefit.save()
    programme = programmes.programme(programmes.CONSCRIPT_FAMILY)
    period = str(benefit.benefit_year)
    if not Payment.objects.filter(person=benefit.family, programme=programme, period=period).exists():
        pay(benefit.family, programmes.CONSCRIPT_FAMILY, benefit.total, period=period, paid_on=paid_on)


def pay(person, code, amount, period="2021", paid_on=None):
    return PaymentFactory(
        person=person,
        programme=programmes.programme(code),
        amount=Decimal(amount),
        period=period,
        paid_on=paid_on or D(int(period[:4]), 6, 1),
    )


@pytest.fixture
def ledger(township_a, township_b):
    """
    The ledger of 2021 (and a payment of 2020 and 2022 that do not count). 甲镇 holds the first person of each
    programme.
    """
    a = [PersonFactory(township=township_a) for _ in range(3)]
    b = [PersonFactory(township=township_b) for _ in range(6)]
    # “三难”: 3 persons, one of them twice (housing and medical are one programme).
    pay(a[0], programmes.HARDSHIP_AID, "8000.00", period="2021-03")
    pay(a[0], programmes.HARDSHIP_AID, "2000.00", period="2021-09")
    pay(b[0], programmes.HARDSHIP_AID, "5000.00", period="2021-04")
    pay(b[1], programmes.HARDSHIP_AID, "5500.00", period="2021-05")
    pay(b[1], programmes.HARDSHIP_AID, "9999.00", period="2020")  # another year
    # 重点优抚对象医疗补助: 2 persons.
    pay(a[1], programmes.KEY_MEDICAL_SUBSIDY, "1200.00")
    pay(b[2], programmes.KEY_MEDICAL_SUBSIDY, "800.00")
    # 按月发放: 2 persons × 12 months.
    for month in range(1, 13):
        pay(a[2], programmes.PERIODIC_PENSION, "2150.00", period=f"2021-{month:02d}", paid_on=D(2021, month, 10))
        pay(b[3], programmes.PERIODIC_PENSION, "1800.00", period=f"2021-{month:02d}", paid_on=D(2021, month, 10))
    pay(b[3], programmes.PERIODIC_PENSION, "1900.00", period="2022-01", paid_on=D(2022, 1, 10))
    # 春节慰问: 3 persons.
    for person in (a[0], b[0], b[4]):
        pay(person, programmes.SPRING_FESTIVAL, "600.00", paid_on=D(2021, 1, 25))
    # 走访义务兵: 2 families, whose conscripts enlisted in 2019 and 2020.
    for person, enlisted in ((a[1], 2019), (b[5], 2020)):
        pay(person, programmes.CONSCRIPT_VISIT, "1000.00")
        ConscriptBenefitFactory(family=person, enlistment_year=enlisted, benefit_year=2020, amount=Decimal("20000.00"))
    # 义务兵家庭优待金: 3 families of 2021, one conscript serving in Tibet; one family's 2019 allowance
    # (Xinjiang) paid back in December 2021.
    benefits = [
        ConscriptBenefitFactory(family=a[1], enlistment_year=2019, benefit_year=2021, amount=Decimal("26800.00")),
        ConscriptBenefitFactory(family=b[5], enlistment_year=2020, benefit_year=2021, amount=Decimal("26800.00")),
        ConscriptBenefitFactory(
            family=b[4],
            enlistment_year=2021,
            benefit_year=2021,
            region=ConscriptBenefit.Region.TIBET,
            amount=Decimal("21800.00"),
            supplement=Decimal("5000.00"),
        ),
        ConscriptBenefitFactory(
            family=b[0],
            enlistment_year=2018,
            benefit_year=2019,
            region=ConscriptBenefit.Region.XINJIANG,
            amount=Decimal("20000.00"),
            supplement=Decimal("4000.00"),
            back_pay=True,
        ),
    ]
    for benefit in benefits:
        allowance_paid(benefit, D(2021, 12, 10))
    # Next year's allowance paid early is not back pay: it counts in 2022.
    allowance_paid(
        ConscriptBenefitFactory(family=a[1], enlistment_year=2019, benefit_year=2022, amount=Decimal("26800.00")),
        D(2021, 12, 20),
    )
    # 军休人员: 1 person.
    pay(b[2], programmes.MILITARY_RETIREE, "36000.00")
    # Not a programme of this item.
    pay(b[2], programmes.WARMTH_AID, "500.00")
    return a, b


FUNDS = (
    "优抚资金应发尽发。截至目前，共为全区3名优抚对象解决“三难”（住房难、医疗难、生活难）问题共计2.05万元；"
    "发放重点优抚对象医疗补助人数2名，资金2000元；按月发放各类优抚对象人数2名，资金4.74万元；"
    "“春节”优抚对象慰问人数3名，资金1800元；走访慰问2019年－2020年入伍义务兵走访人数2名，慰问金共计2000元；"
    "发放2018年－2021年入伍的义务兵家属优待金（含补发2018年新疆入伍的），人数4名，共计10.44万元；"
    "军休人员1人发放资金3.6万元。实现了应发尽发，实现了社会稳定，推动了经济发展。"
)


def test_each_programme_states_its_persons_and_amount(ledger):
    result = figures()

    assert [
        (result[persons], result[total])
        for persons, total in [
            ("hardship_persons", "hardship_total"),
            ("medical_persons", "medical_total"),
            ("monthly_persons", "monthly_total"),
            ("festival_persons", "festival_total"),
            ("conscript_visits", "conscript_visit_total"),
            ("conscript_families", "conscript_family_total"),
            ("retirees", "retiree_total"),
        ]
    ] == [
        (3, Decimal("20500.00")),
        (2, Decimal("2000.00")),
        (2, Decimal("47400.00")),
        (3, Decimal("1800.00")),
        (2, Decimal("2000.00")),
        (4, Decimal("104400.00")),
        (1, Decimal("36000.00")),
    ]
    assert result["conscript_years"] == "2019年－2020年"
    assert result["conscript_family_years"] == "2018年－2021年"
    assert result["back_pay"] == ["2018年新疆"]
    assert result["supplement_total"] == Decimal("9000.00")


def test_the_funds_sentence_states_every_programme(ledger, pensions_only):
    assert item_text(compose_report(year=2021), "pensions.funds") == FUNDS


def test_the_township_report_counts_its_residents_payments(ledger, township_a):
    a = figures(township=township_a)

    assert (a["hardship_persons"], a["hardship_total"]) == (1, Decimal("10000.00"))
    assert (a["monthly_persons"], a["monthly_total"]) == (1, Decimal("25800.00"))
    assert (a["conscript_visits"], a["conscript_years"]) == (1, "2019年")
    assert (a["retirees"], a["retiree_total"]) == (0, Decimal("0"))
    assert a["back_pay"] == []


def test_a_programme_without_payments_is_left_out_of_the_sentence(ledger, township_a, pensions_only):
    text = item_text(compose_report(year=2021, township=township_a), "pensions.funds")

    assert "军休人员" not in text
    assert "共为甲镇1名优抚对象解决“三难”" in text


def test_the_conscript_visited_himself_gives_his_own_enlistment_year(ledger, township_a):
    conscript = PersonFactory(township=township_a, status="active_duty", enlisted_on=D(2021, 9, 10))
    pay(conscript, programmes.CONSCRIPT_VISIT, "1000.00")

    assert figures()["conscript_years"] == "2019年－2021年"


# -- the whole section ---------------------------------------------------------------------------


def test_the_reference_year_states_the_four_items_in_order(
    ledger, oral_history_year, spring_visits, checkups, pensions_only
):
    [rendered] = compose_report(year=2021).sections

    assert rendered.label == "（一）" and rendered.section.heading == "优待抚恤工作彰显温暖"
    assert [item.text for item in rendered.items] == [
        f"一是{FUNDS}",
        f"二是{ORAL_HISTORY}",
        f"三是{SPRING_VISITS}",
        rendered.items[3].text,
    ]
    assert rendered.items[3].text.startswith("四是为重点优抚对象免费体检。")


# -- without records -----------------------------------------------------------------------------


def test_a_year_without_records_leaves_every_item_to_the_gaps(db, pensions_only):
    document = compose_report(year=2021)

    assert document.sections == []
    assert {gap.item for gap in document.gaps} == {item.title for item in section(year=2021).items}
    assert all(value is None for value in figures().values())


def test_year_range_reads_like_the_reference():
    assert (year_range([]), year_range([2021, 2021]), year_range([2021, 2019, 2020])) == (
        "",
        "2021年",
        "2019年－2021年",
    )
