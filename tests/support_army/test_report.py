"""
Section (四) 双拥共建工作成绩显著, from approved records of the year: the reference year's merit
notices (12 on 4 February, 26 more later: 38), homecoming and its checklist, the troops' requests,
joint activities with the military families' check-ups, the matchmaking event, the 94th Army Day
gala with its 15 programmes, and the alliance's 5th batch.
"""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bureau.models import CheckUpBatch, ReviewStatus
from reports.compose import compose_report
from reports.xlsx import render_xlsx
from support_army.models import AllianceMember, HomecomingStep, JointActivity
from support_army.report import section
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PersonFactory
from tests.support_army.factories import (
    AllianceMemberFactory,
    ArmyDayGalaFactory,
    GalaProgrammeFactory,
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    JointActivityFactory,
    MatchmakingEventFactory,
    MeritNoticeBatchFactory,
    MeritNoticeFactory,
    ReceptionPointFactory,
    TroopRequestFactory,
)

D = datetime.date
PROGRAMMES = [
    "映山红",
    "军民同唱英雄赞",
    "八一南昌起义",
    "过雪山草地",
    "强军战歌",
    "我的祖国",
    "当兵的人",
    "红梅赞",
    "咱当兵的人",
    "军港之夜",
    "打靶归来",
    "说句心里话",
    "小白杨",
    "团结就是力量",
    "没有共产党就没有新中国",
]


@pytest.fixture
def support_army_only(settings):
    settings.REPORT_SECTIONS = ["support_army.report.section"]


def figures(year=2021, township=None) -> dict:
    return {f.key: f.value for item in section(year=year, township=township).items for f in item.figures}


def rendered_items(year=2021, township=None) -> dict:
    [rendered] = compose_report(year=year, township=township).sections
    return {item.item.key: item for item in rendered.items}


def body(item) -> str:
    return item.text.removeprefix(item.label)


def item_text(key: str, year=2021, township=None) -> str:
    item = rendered_items(year, township)[key]
    return item.text.removeprefix(item.label)


# -- 一 立功送喜报 ----------------------------------------------------------------------------------


@pytest.fixture
def notices(township_a, township_b):
    """12 notices delivered together on 4 February 2021, 26 more later in the year (38)."""
    first = MeritNoticeBatchFactory(township=None, delivered_on=D(2021, 2, 4))
    for n in range(12):
        MeritNoticeFactory(
            soldier__township=township_a if n < 8 else township_b, batch=first, delivered_on=D(2021, 2, 4)
        )
    later = [MeritNoticeBatchFactory(township=township_a, delivered_on=D(2021, month, 10)) for month in (5, 8, 11)]
    for n in range(26):
        MeritNoticeFactory(soldier__township=township_a, batch=later[n % 3], delivered_on=later[n % 3].delivered_on)
    # Not counted: due (not delivered), last year's, a batch the bureau has not approved.
    MeritNoticeFactory(soldier__township=township_a)
    MeritNoticeFactory(soldier__township=township_a, delivered_on=D(2020, 12, 1))
    pending = MeritNoticeBatchFactory(
        township=township_a, delivered_on=D(2021, 12, 1), review_status=ReviewStatus.SUBMITTED
    )
    MeritNoticeFactory(soldier__township=township_a, batch=pending, delivered_on=D(2021, 12, 1))


def test_12_on_4_february_and_26_later_make_38(notices, support_army_only):
    values = figures()
    assert (values["first_batch_date"], values["first_batch_size"], values["notices"]) == ("2月4日", 12, 38)
    assert values["by_level"] == ["三等功38位"]
    text = item_text("support_army.merit_notices")
    assert text.startswith("立功送喜报常态化。与区人武部、乡镇退役军人服务站保持三级联动")
    assert "2月4日，为2020年度荣立三等功的12位本区籍现役军人集中送喜报" in text
    assert text.endswith(
        "此后定期和不定期地为立功官兵家庭送喜报，截至目前，共为全区38位立功现役军人送上喜报，均为三等功。"
    )


def test_the_township_report_counts_its_soldiers(notices, township_a, township_b):
    assert figures(township=township_a)["notices"] == 8 + 26
    assert figures(township=township_b)["notices"] == 4


# -- 六 建军节晚会 ---------------------------------------------------------------------------------


@pytest.fixture
def gala(db):
    gala = ArmyDayGalaFactory(anniversary=94, headcount=800, online_views=50000)
    for order, title in enumerate(PROGRAMMES, start=1):
        GalaProgrammeFactory(gala=gala, order=order, title=title)
    return gala


def test_a_gala_with_15_programmes_states_15_and_lists_their_titles_in_the_excel(gala, support_army_only):
    values = figures()
    assert (values["anniversary"], values["programmes"], values["programme_titles"]) == (94, 15, PROGRAMMES)
    item = rendered_items()["support_army.army_day_gala"]
    assert item.item.title == "隆重举行庆祝建军94周年文艺晚会"
    assert "陆续表演了《映山红》、《军民同唱英雄赞》、《八一南昌起义》、《过雪山草地》等15个形式多样" in item.text
    assert "近5万名网友" in item.text

    book = load_workbook(io.BytesIO(render_xlsx(compose_report(year=2021))))
    cells = list(book["双拥共建"].iter_rows(values_only=True))
    titles = [row[1] for row in cells if row and isinstance(row[0], int) and row[1] in PROGRAMMES]
    assert titles == PROGRAMMES


# -- 七 爱心拥军团 ---------------------------------------------------------------------------------


@pytest.fixture
def alliance(township_a, township_b):
    """Four batches before 2021 (20 members, one left), the 5th batch of 6 in July 2021."""
    for n in range(20):
        AllianceMemberFactory(
            batch_number=n // 5 + 1, joined_on=D(2017 + n // 5, 7, 1), enterprise__township=township_a
        )
    left = AllianceMember.objects.filter(batch_number=1).first()
    left.status, left.left_on = AllianceMember.Status.LEFT, D(2020, 6, 1)
    left.save()
    for n in range(6):
        AllianceMemberFactory(
            batch_number=5, joined_on=D(2021, 7, 20), enterprise__township=township_a if n < 4 else township_b
        )
    # Joins next year: not yet a member at the end of 2021.
    AllianceMemberFactory(batch_number=6, joined_on=D(2022, 7, 1))


def test_the_5th_batch_gives_its_number_new_members_and_the_total(alliance, support_army_only):
    values = figures()
    assert (values["batch"], values["joined"], values["members"]) == (5, 6, 25)
    text = item_text("support_army.alliance")
    assert "7月份，我区“爱心拥军团”迎来第五批6家新成员的加入" in text
    assert text.endswith("激发更多有志青年投身国防和军队建设。目前，拥军团共有25家会员企业。")


def test_the_alliance_is_the_districts_and_no_township_report_states_it(alliance, township_b, support_army_only):
    # The township's section states the district's alliance (its figures DISTRICT), and the item is district-only.
    [item] = [i for i in section(year=2021, township=township_b).items if i.key == "support_army.alliance"]
    assert item.district_only
    assert {f.key: (f.value, f.scope) for f in item.figures if f.key in ("joined", "members")} == {
        "joined": (6, "district"),
        "members": (25, "district"),
    }
    document = compose_report(year=2021, township=township_b)
    assert "爱心拥军团" not in "".join(i.text for s in document.sections for i in s.items)
    assert not any(gap.item == "社会化拥军力量不断加强" for gap in document.gaps)


# -- 二 至 五 ---------------------------------------------------------------------------------------


@pytest.fixture
def other_items(township_a):
    east = ReceptionPointFactory(name="东站", opens_on=D(2021, 9, 1))
    ReceptionPointFactory(name="火车站", opens_on=D(2021, 9, 1))
    ReceptionPointFactory(name="去年的报到点", opens_on=D(2020, 9, 1), closes_on=D(2020, 9, 30))
    steps = list(HomecomingStep.objects.filter(active=True))
    done = HomecomingRegistrationFactory(person__township=township_a, point=east)
    for step in steps:
        HomecomingStepCompletionFactory(registration=done, step=step)
    half = HomecomingRegistrationFactory(person__township=township_a, point=east)
    HomecomingStepCompletionFactory(registration=half, step=steps[0])
    HomecomingRegistrationFactory(person__township=township_a, review_status=ReviewStatus.SUBMITTED)
    TroopRequestFactory(departments="城管、交通、供电、卫健", teams_sent=3, summary="派出3支专业作业队伍修剪树木")
    TroopRequestFactory(
        departments="",
        teams_sent=0,
        summary="为驻区部队建设阳光晾衣篷",
        status="in_progress",
        resolved_on=None,
        received_on=D(2021, 6, 1),
    )
    JointActivityFactory(kind=JointActivity.Kind.TREE_PLANTING, title="军地联合植树")
    JointActivityFactory(kind=JointActivity.Kind.DONATION, title="捐赠鱼苗", start_date=D(2021, 4, 1))
    JointActivityFactory(kind=JointActivity.Kind.FESTIVAL, title="国庆军地大联欢", start_date=D(2021, 10, 1))
    for n, month in enumerate((5, 10)):
        batch = CheckUpBatchFactory(
            population=CheckUpBatch.Population.MILITARY_FAMILIES,
            start_date=D(2021, month, 1),
            cost=Decimal("60000"),
            headcount=999,
        )
        for _ in range(100 + n * 20):
            CheckUpFactory(batch=batch, person=PersonFactory(township=township_a, status="family"))
    # Key beneficiaries' check-ups are section (三)'s.
    CheckUpBatchFactory(cost=Decimal("99999"))
    MatchmakingEventFactory(women=30, soldiers=32, duration_hours=Decimal("3"), online_views=35000, couples=8)
    return steps


def test_homecoming_troops_activities_and_matchmaking(other_items, support_army_only):
    steps = other_items
    values = figures()
    assert (values["reception_points"], values["received"]) == (2, 2)
    assert (values["checklist_done"], values["checklist_open"]) == (len(steps) + 1, len(steps) - 1)
    assert (values["requests"], values["resolved"], values["teams"]) == (2, 1, 3)
    assert values["departments"] == ["城管", "交通", "供电", "卫健"]
    assert (values["activities"], values["checkup_batches"], values["checkup_person_times"]) == (3, 2, 220)
    assert values["checkup_cost"] == Decimal("120000")
    assert values["activity_kinds"] == ["军地联合植树", "捐赠鱼苗", "国庆军地大联欢"]
    assert (values["women"], values["soldiers"], values["couples"], values["views"]) == (30, 32, 8, "3.5万")

    items = rendered_items()
    assert (
        "在东站、火车站设立两个退役军人报到点，为全区接到的2位退役军人举行简单而热烈的欢迎仪式。"
        f"同时制定返乡报到流程，囊括了{'、'.join(s.name for s in steps)}等各个环节，"
        f"已办结{len(steps) + 1}项（共{2 * len(steps)}项）。" in items["support_army.homecoming"].text
    )
    assert (
        body(items["support_army.troop_requests"])
        == "倾心尽力服务驻区部队。部队有所求，我们必有所应，切实履行拥军优属职责。2021年共受理驻区部队需求2件，"
        "已解决1件，协调城管、交通、供电、卫健等相关部门：派出3支专业作业队伍修剪树木；为驻区部队建设阳光晾衣篷。"
    )
    assert body(items["support_army.activities"]) == (
        "双拥共建活动持续开展。为丰富驻区部队业余文化生活，陆续进行了军地联合植树、捐赠鱼苗、国庆军地大联欢"
        "等双拥共建活动3次，既愉悦了驻区部队官兵的心情，也密切了军地关系。"
        "今年分2批次为全区现役军人家属进行免费健康体检，体检人数为220人次，共计花费12万元。"
    )
    assert (
        "此次线上直播联谊会，长达3个小时，直播浏览量3.5万，8对青年牵手成功。" in items["support_army.matchmaking"].text
    )


def test_the_seven_items_are_numbered_once_each(notices, gala, alliance, other_items, support_army_only):
    [rendered] = compose_report(year=2021).sections
    assert rendered.label == "（一）" and rendered.section.heading == "双拥共建工作成绩显著"
    assert [item.label for item in rendered.items] == ["一是", "二是", "三是", "四是", "五是", "六是", "七是"]
    assert [item.item.key.removeprefix("support_army.") for item in rendered.items] == [
        "merit_notices",
        "homecoming",
        "troop_requests",
        "activities",
        "matchmaking",
        "army_day_gala",
        "alliance",
    ]


def test_a_year_without_records_leaves_every_item_to_the_gaps(db, support_army_only):
    document = compose_report(year=2021)
    assert document.sections == []
    assert len({gap.item for gap in document.gaps}) == 7


def test_notices_recorded_delivered_without_a_batch_go_by_their_day(township_a):
    for _ in range(3):
        MeritNoticeFactory(soldier__township=township_a, delivered_on=D(2021, 3, 5))
    MeritNoticeFactory(soldier__township=township_a, delivered_on=D(2021, 6, 1))
    values = figures()
    assert (values["first_batch_date"], values["first_batch_size"], values["notices"]) == ("3月5日", 3, 4)
