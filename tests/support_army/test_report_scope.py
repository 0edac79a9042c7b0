"""
Section (四) read as the district and as its townships would: a constructed year whose district has
events of its own (the troops' requests, most activities, the matchmaking event, the gala, the
alliance) and two townships with their own notices, homecomings, one activity and one request.

- The sentences exactly, each phrase said once (no run of 6 characters twice in an item), merit levels
  from the highest, no zero stated as an achievement, small counts as the reference writes them.
- A township report states its own figures in its own name and none of the district's.
- Every figure counting or summing rows carries them (the dashboard's drill-down).
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Sum

from bureau.models import CheckUpBatch, Merit, Person
from bureau.reporting import DISTRICT
from reports.compose import compose_report
from support_army.models import HomecomingStep, JointActivity, TroopRequest
from support_army.report import section
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PersonFactory, TownshipFactory
from tests.report_checks import repeats
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

pytestmark = pytest.mark.django_db

D = datetime.date
SECOND, THIRD = Merit.Level.SECOND_CLASS, Merit.Level.THIRD_CLASS
DISTRICT_ONLY = {"support_army.matchmaking", "support_army.army_day_gala", "support_army.alliance"}


@pytest.fixture(scope="module")
def year_2021(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="SUPE", name="东城街道")
        west = TownshipFactory(code="SUPW", name="西城街道")
        steps = list(HomecomingStep.objects.filter(active=True))

        # 一: on 4 February the district's batch to 4 soldiers (one 二等功), then one more in June.
        first = MeritNoticeBatchFactory(township=None, delivered_on=D(2021, 2, 4))
        for township, level in ((east, THIRD), (east, SECOND), (east, THIRD), (west, THIRD)):
            MeritNoticeFactory(soldier__township=township, merit__level=level, batch=first, delivered_on=D(2021, 2, 4))
        MeritNoticeFactory(soldier__township=east, delivered_on=D(2021, 6, 1))

        # 二: the district's two points; east receives two (one checklist half done), west one not welcomed.
        east_point = ReceptionPointFactory(name="东站退役军人报到点", address="高铁东站出站口")
        ReceptionPointFactory(name="火车站退役军人报到点", address="火车站广场")
        done = HomecomingRegistrationFactory(person__township=east, point=east_point)
        half = HomecomingRegistrationFactory(person__township=east, point=east_point)
        quiet = HomecomingRegistrationFactory(person__township=west, welcomed=False)
        for registration in (done, quiet):
            for step in steps:
                HomecomingStepCompletionFactory(registration=registration, step=step)
        HomecomingStepCompletionFactory(registration=half, step=steps[0])

        # 三: two requests of the district's, one of west's (no line names teams or departments).
        TroopRequestFactory(departments="城管、供电", teams_sent=2, summary="修剪营区树木，排除安全隐患。")
        in_progress = {"status": TroopRequest.Status.IN_PROGRESS, "resolved_on": None, "teams_sent": 0}
        TroopRequestFactory(departments="", summary="为官兵建设阳光晾衣篷", received_on=D(2021, 5, 1), **in_progress)
        TroopRequestFactory(
            departments="住建", summary="修建篮球场", received_on=D(2021, 6, 1), township=west, **in_progress
        )

        # 四: five activities, one of them east's; the district's check-ups, and west's own at no cost.
        for title, kind, day, township in (
            ("军地联合植树", JointActivity.Kind.TREE_PLANTING, D(2021, 3, 12), None),
            ("鱼苗", JointActivity.Kind.DONATION, D(2021, 4, 20), None),
            ("送书法进军营", JointActivity.Kind.CULTURE, D(2021, 5, 28), east),
            ("端午军地大联欢", JointActivity.Kind.FESTIVAL, D(2021, 6, 14), None),
            ("国庆军地大联欢活动", JointActivity.Kind.FESTIVAL, D(2021, 9, 29), None),
        ):
            JointActivityFactory(title=title, kind=kind, start_date=day, township=township)
        families = CheckUpBatch.Population.MILITARY_FAMILIES
        for township, cost, checked in ((None, Decimal("4500"), 3), (west, Decimal("0"), 2)):
            batch = CheckUpBatchFactory(population=families, township=township, cost=cost, headcount=99)
            for _ in range(checked):
                CheckUpFactory(batch=batch, person=PersonFactory(township=west, status=Person.Status.FAMILY))

        # 五 to 七: the district's events and alliance; no couple matched.
        MatchmakingEventFactory(duration_hours=Decimal("2.5"), online_views=35000, couples=0, women=20, soldiers=20)
        gala = ArmyDayGalaFactory(anniversary=94, headcount=800, online_views=50000)
        GalaProgrammeFactory(gala=gala, order=1, title="映山红")
        GalaProgrammeFactory(gala=gala, order=2, title="强军战歌")
        for township, batch, joined in ((east, 1, D(2019, 7, 1)), (east, 1, D(2019, 7, 1))):
            AllianceMemberFactory(enterprise__township=township, batch_number=batch, joined_on=joined)
        for township in (east, west):
            AllianceMemberFactory(enterprise__township=township, batch_number=2, joined_on=D(2021, 7, 20))

        yield {"east": east, "west": west, "steps": [s.name for s in steps]}
        transaction.set_rollback(True)


@pytest.fixture
def support_army_only(settings):
    settings.REPORT_SECTIONS = ["support_army.report.section"]


def bodies(township=None) -> dict[str, str]:
    """Each rendered item's text after its 一是."""
    [rendered] = compose_report(year=2021, township=township, with_previous=False).sections
    return {item.item.key: item.text.removeprefix(item.label) for item in rendered.items}


def test_the_district_report_says_each_thing_once(year_2021, support_army_only):
    steps = "、".join(year_2021["steps"])
    n = len(year_2021["steps"])
    texts = bodies()
    assert texts == {
        "support_army.merit_notices": "立功送喜报常态化。与区人武部、乡镇退役军人服务站保持三级联动，高标准进行送喜报活动，"
        "2月4日，为2020年度荣立二等功、三等功的4位本区籍现役军人集中送喜报，在全区上下营造了“一人立功，全家光荣”的浓厚氛围，"
        "此后定期和不定期地为立功官兵家庭送喜报，截至目前，共为全区5位立功现役军人送上喜报，其中二等功1位、三等功4位。",
        "support_army.homecoming": "喜迎退役军人回家。在一年一度的退伍季，我局用心用情用力为退役军人回家保驾护航，做好值班表，"
        "在东站、火车站设立两个退役军人报到点，全区共接到3位退役军人，为其中2位举行简单而热烈的欢迎仪式。"
        f"同时制定返乡报到流程，囊括了{steps}等各个环节，已办结{2 * n + 1}项（共{3 * n}项）。",
        "support_army.troop_requests": "倾心尽力服务驻区部队。部队有所求，我们必有所应，切实履行拥军优属职责。"
        "2021年共受理驻区部队需求3件，已解决1件，派出2支专业作业队伍，协调城管、供电、住建等相关部门："
        "修剪营区树木，排除安全隐患；为官兵建设阳光晾衣篷；修建篮球场。",
        "support_army.activities": "双拥共建活动持续开展。为丰富驻区部队业余文化生活，"
        "陆续进行了军地联合植树、捐赠鱼苗、送书法进军营、端午、国庆军地大联欢等双拥共建活动5次，"
        "既愉悦了驻区部队官兵的心情，也密切了军地关系。"
        "今年分2批次为全区现役军人家属进行免费健康体检，体检人数为5人次，共计花费4500元。",
        "support_army.matchmaking": "举办2021年军地线上相亲联谊会。为驻区部队官兵、本区籍现役军人及退役军人觅姻缘、寻幸福，"
        "区双拥工作领导小组联合中国人民解放军某部队举办主题为“百里挑一、情定军旅”的线上相亲联谊会，"
        "20名优秀女青年和20名单身青年官兵及退役军人一起走进直播间。此次线上直播联谊会，长达2个多小时，直播浏览量3.5万。",
        "support_army.army_day_gala": "隆重举行庆祝建军94周年文艺晚会。驻区部队战士及武警官兵代表，"
        "军烈属、退役军人和各界群众代表共计800余人现场观看，陆续表演了《映山红》、《强军战歌》等两个形式多样、"
        "异彩纷呈的节目，晚会还通过直播平台进行全程网络视频直播，近5万名网友通过网络直播观看了节目。",
        "support_army.alliance": "社会化拥军力量不断加强。7月份，我区“爱心拥军团”迎来第二批两家新成员的加入，"
        "有力地增强了社会化拥军的力量，让广大现役军人家庭、退役军人及其优抚对象又能享受到更多、更好的优先、优惠、优待服务，"
        "激发更多有志青年投身国防和军队建设。目前，拥军团共有4家会员企业。",
    }
    assert {key: repeats(text.split("。", 1)[1]) for key, text in texts.items()} == {key: set() for key in texts}


def test_a_township_report_states_its_own_figures_in_its_name(year_2021, support_army_only):
    steps = "、".join(year_2021["steps"])
    n = len(year_2021["steps"])
    document = compose_report(year=2021, township=year_2021["east"], with_previous=False)
    [rendered] = document.sections
    texts = {item.item.key: item.text.removeprefix(item.label) for item in rendered.items}
    assert texts == {
        "support_army.merit_notices": "立功送喜报常态化。与区人武部、乡镇退役军人服务站保持三级联动，高标准进行送喜报活动，"
        "2月4日，为2020年度荣立二等功、三等功的3位本区籍现役军人集中送喜报，在东城街道营造了“一人立功，全家光荣”的浓厚氛围，"
        "此后定期和不定期地为立功官兵家庭送喜报，截至目前，共为东城街道4位立功现役军人送上喜报，其中二等功1位、三等功3位。",
        "support_army.homecoming": "喜迎退役军人回家。在一年一度的退伍季，我局用心用情用力为退役军人回家保驾护航，做好值班表，"
        "为东城街道接到的2位退役军人举行简单而热烈的欢迎仪式。"
        f"同时制定返乡报到流程，囊括了{steps}等各个环节，已办结{n + 1}项（共{2 * n}项）。",
        # Its own activity only; the district's activities and check-ups are not its to state.
        "support_army.activities": "双拥共建活动持续开展。为丰富驻区部队业余文化生活，东城街道陆续进行了送书法进军营"
        "等双拥共建活动1次，既愉悦了驻区部队官兵的心情，也密切了军地关系。",
    }
    printed = rendered.lead + "".join(texts.values())
    assert "全区" not in printed and "东城街道广泛营造" in rendered.lead
    for district_words in ("驻区部队需求", "相亲联谊会", "文艺晚会", "爱心拥军团", "捐赠鱼苗", "4500"):
        assert district_words not in printed
    # What the township had no part in is no gap either.
    assert [gap for gap in document.gaps if gap.area == "双拥共建"] == []
    # No figure of what it states is the district's.
    assert all(f.scope != DISTRICT for item in rendered.items for f in item.item.figures)


def test_the_other_township_states_its_request_and_its_check_ups_without_zeros(year_2021, support_army_only):
    n = len(year_2021["steps"])
    texts = bodies(year_2021["west"])
    assert list(texts) == [
        "support_army.merit_notices",
        "support_army.homecoming",
        "support_army.troop_requests",
        "support_army.activities",
    ]
    assert texts["support_army.merit_notices"].endswith(
        "为2020年度荣立三等功的1位本区籍现役军人集中送喜报，在西城街道营造了“一人立功，全家光荣”的浓厚氛围，"
        "此后定期和不定期地为立功官兵家庭送喜报，截至目前，共为西城街道1位立功现役军人送上喜报，均为三等功。"
    )
    assert texts["support_army.homecoming"].endswith(
        f"做好值班表，西城街道共接到1位退役军人。同时制定返乡报到流程，囊括了{'、'.join(year_2021['steps'])}等各个环节，"
        f"{n}项报到事项已全部办结。"
    )
    # Nothing resolved yet: no 已解决0件.
    assert texts["support_army.troop_requests"] == (
        "倾心尽力服务驻区部队。部队有所求，我们必有所应，切实履行拥军优属职责。"
        "2021年西城街道共受理驻区部队需求1件，协调住建等相关部门：修建篮球场。"
    )
    # One round, nothing spent: neither 分1批次 nor 花费0元.
    assert texts["support_army.activities"] == (
        "双拥共建活动持续开展。今年为西城街道现役军人家属进行免费健康体检，体检人数为2人次。"
    )


def test_the_districts_events_are_district_only_whatever_the_scope(year_2021):
    items = {item.key: item for item in section(year=2021, township=year_2021["east"]).items}
    assert {key for key, item in items.items() if item.district_only} == DISTRICT_ONLY | {"support_army.troop_requests"}
    for key in DISTRICT_ONLY:
        assert {f.scope for f in items[key].figures} == {DISTRICT}
    assert items["support_army.alliance"].context()["members"] == 4
    # A township with its own records keeps the item, computed for it.
    west = {item.key: item for item in section(year=2021, township=year_2021["west"]).items}
    assert not west["support_army.troop_requests"].district_only
    assert west["support_army.troop_requests"].context()["requests"] == 1


def test_merit_levels_go_from_the_highest(year_2021):
    [notices] = [i for i in section(year=2021).items if i.key == "support_army.merit_notices"]
    values = notices.context()
    assert values["first_batch_merits"] == "2020年度荣立二等功、三等功"
    assert values["by_level"] == ["二等功1位", "三等功4位"]
    assert values["levels_text"] == "三等功以上"


def test_every_counted_figure_lists_the_rows_it_counts(year_2021):
    expected = {
        "first_batch_size": Person,
        "notices": Person,
        "received": Person,
        "welcomed": Person,
        "reception_points": None,
        "checklist_done": None,
        "requests": None,
        "resolved": None,
        "activities": None,
        "checkup_batches": None,
        "checkup_person_times": None,
        "checkup_cost": None,
        "programmes": None,
        "joined": None,
        "joined_in_year": None,
        "members": None,
    }
    checked = set()
    for township in (None, year_2021["east"], year_2021["west"]):
        for item in section(year=2021, township=township).items:
            for figure in item.figures:
                if figure.records is None:
                    continue
                checked.add(figure.key)
                if figure.unit == "元":
                    assert figure.records.aggregate(total=Sum("amount"))["total"] == figure.value, figure.key
                else:
                    assert figure.records.count() == figure.value, (township, figure.key)
                if expected.get(figure.key) is Person:
                    assert figure.records.model is Person, figure.key
    assert checked == set(expected)


def test_the_headlines_are_notices_veterans_received_and_requests_resolved(year_2021):
    headlines = {f.key: f.value for item in section(year=2021).items for f in item.figures if f.headline}
    assert headlines == {"notices": 5, "received": 3, "resolved": 1}


def test_the_activity_dates_are_date_fields_of_the_areas_models():
    declared = apps.get_app_config("support_army").activity_dates
    assert "support_army.MeritNotice.delivered_on" in declared
    for path in declared:
        app_label, model_name, field = path.split(".")
        assert isinstance(apps.get_model(app_label, model_name)._meta.get_field(field), models.DateField), path
