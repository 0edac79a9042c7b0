"""
Section (一) in a township report (issue 26): the township states its own figures in its own name, never
the district's (the fairs' 45 enterprises, 501 positions, 36800 views), and no zero; each figure counted
from rows lists exactly those rows; the wording of the reference (两场, 两次, 自主就业退役军人).

One constructed year, built once for the module: two district-wide fairs (45 enterprises, 501 positions,
7 attendees without names, streamed with 36800 views); 东城街道's 3 attendees (1 with an intention) and
西城街道's 5 (none); a class of 3 days with 东城街道's 4 trainees (3 自主就业, 1 安排工作) and 西城街道's 2
(both 自主就业); the park, the postings and the role models are 东城街道's, the publicity month the
district's.
"""

import datetime

import pytest
from django.apps import apps
from django.db import models, transaction

from bureau.areas import area_configs
from bureau.models import Person
from bureau.reporting import DISTRICT
from employment.models import PublicityEvent
from employment.report import section
from reports.compose import compose_report
from tests.employment.factories import (
    EmploymentIntentionFactory,
    EnterpriseFactory,
    FairAttendanceFactory,
    FairParticipationFactory,
    JobFairFactory,
    JobPostingFactory,
    ParkTenancyFactory,
    PublicityEventFactory,
    RoleModelFactory,
    StartupParkFactory,
    TraineeFactory,
    TrainingClassFactory,
    VeteranFactory,
)
from tests.factories import TownshipFactory
from tests.report_checks import repeats

pytestmark = pytest.mark.django_db
D = datetime.date
SELF = Person.DischargeRoute.SELF_EMPLOYED
ARRANGED = Person.DischargeRoute.ARRANGED_JOB
# The district's figures of the fairs: a township report must state none of them.
DISTRICT_NUMBERS = ("45", "501", "36800")

DISTRICT_FAIRS = (
    "二是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
    "在2月28日和9月16日，陆续举行了两场为退役军人举行的招聘会，参加两次招聘会的企业共有45家，"
    "精心筛选了501个适合退役军人的岗位，退役军人参加人数15人，达成就业意向1人。"
    "除现场就业招聘外，还采用了网络同步直播的方式，扩大影响力，吸引36800人次点击观看，"
    "促进退役军人实现多渠道、多元化就业。"
)
EAST_FAIRS = (
    "二是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
    "在2月28日和9月16日为退役军人举行的两场招聘会上，东城街道共有3名退役军人参加，达成就业意向1人。"
    "除现场就业招聘外，还采用了网络同步直播的方式，扩大影响力，促进退役军人实现多渠道、多元化就业。"
)
# 西城街道's residents went to the spring fair only, and nobody reached an intention: no 达成就业意向0人.
WEST_FAIRS = (
    "一是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
    "在2月28日为退役军人举行的招聘会上，西城街道共有5名退役军人参加。"
)
TRAINING_TAIL = (
    "培训主要围绕思想政治教育、就业创业指导等内容开展，避免退役军人就业创业期间走弯路，为他们指明了退役后的道路。"
)
TRAINING_OPENING = (
    "实现军事人力资源新转变。为使今年退伍的退役士兵能快速融入家乡，投身就业创业的浪潮，"
    "我们开设了为期3天的2021年退役军人适应性培训班，"
)


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="S01", name="东城街道", order=1)
        west = TownshipFactory(code="S02", name="西城街道", order=2)

        park = StartupParkFactory(name="示范区退役军人创业园", location="东升工业园", township=east)
        for n in range(3):
            ParkTenancyFactory(park=park, enterprise=EnterpriseFactory(sector=f"领域{n}", township=east))

        spring = JobFairFactory(title="春季专场", start_date=D(2021, 2, 28), unnamed_attendees=7)
        autumn = JobFairFactory(title="秋季专场", start_date=D(2021, 9, 16), streamed_online=True, online_views=36800)
        # 30 + 25 participations, 10 enterprises at both: 45 distinct; 30 × 9 + 25 × 9 + 6 = 501 positions.
        enterprises = [EnterpriseFactory(township=east if n % 2 else west) for n in range(45)]
        for n, enterprise in enumerate(enterprises[:30]):
            FairParticipationFactory(fair=spring, enterprise=enterprise, positions=15 if n == 0 else 9)
        for enterprise in enterprises[20:]:
            FairParticipationFactory(fair=autumn, enterprise=enterprise, positions=9)

        east_people = [VeteranFactory(township=east) for _ in range(3)]
        west_people = [VeteranFactory(township=west) for _ in range(5)]
        for person in east_people:
            FairAttendanceFactory(fair=spring, person=person)
        FairAttendanceFactory(fair=autumn, person=east_people[0])
        for person in west_people:
            FairAttendanceFactory(fair=spring, person=person)
        EmploymentIntentionFactory(person=east_people[1], enterprise=enterprises[0], fair=spring)

        training = TrainingClassFactory(start_date=D(2021, 11, 8), end_date=D(2021, 11, 10))
        routes = [(east, SELF)] * 3 + [(east, ARRANGED)] + [(west, SELF)] * 2
        for township, route in routes:
            person = VeteranFactory(township=township, discharge_route=route, discharged_on=D(2021, 9, 1))
            TraineeFactory(training_class=training, person=person)

        poster = EnterpriseFactory(township=east)
        JobPostingFactory(enterprise=poster, position_count=12, channel="区融媒体中心公众号")
        JobPostingFactory(enterprise=poster, position_count=8, channel="区融媒体中心公众号", published_on=D(2021, 5, 1))
        model = RoleModelFactory(person=VeteranFactory(name="黄亮", township=east))
        month = PublicityEventFactory(title="创业典型宣传月", kind=PublicityEvent.Kind.PUBLICITY_MONTH)
        month.role_models.set([model])
        yield {"east": east, "west": west}
        transaction.set_rollback(True)


@pytest.fixture
def employment_only(settings):
    settings.REPORT_SECTIONS = ["employment.report.section"]


def texts(township=None) -> list[str]:
    document = compose_report(year=2021, township=township, with_previous=False)
    return [item.text for rendered in document.sections for item in rendered.items]


def test_the_district_states_the_fairs_as_the_reference_does(year, employment_only):
    assert texts()[1] == DISTRICT_FAIRS


def test_a_township_states_its_residents_in_its_own_name_and_no_district_figure(year, employment_only):
    east, west = texts(year["east"]), texts(year["west"])

    assert east[1] == EAST_FAIRS
    assert west[0] == WEST_FAIRS
    for text in east + west:
        assert not [number for number in DISTRICT_NUMBERS if number in text], text
        assert "全区" not in text and "我区" not in text, text
    assert east[3].endswith("并在东城街道开展广泛宣传。")


def test_the_fairs_declare_which_figures_are_the_district_s(year):
    fairs = next(item for item in section(year=2021, township=year["east"]).items if item.key.endswith("job_fairs"))

    assert {f.key for f in fairs.figures if f.scope == DISTRICT} == {"enterprises", "positions", "stream_views"}
    # The section computes them the district's whatever the scope; compose blanks them for a township.
    assert (fairs.context()["enterprises"], fairs.context()["positions"]) == (45, 501)
    blanked = fairs.for_township()
    assert blanked.has_data
    assert blanked.context()["enterprises"] is None


def test_a_township_without_a_park_leaves_the_item_out_and_lists_no_gap(year, employment_only):
    document = compose_report(year=2021, township=year["west"], with_previous=False)

    assert [item.item.key for rendered in document.sections for item in rendered.items] == [
        "employment.job_fairs",
        "employment.training",
    ]
    # The postings and role models are 东城街道's: 西城街道 genuinely lacks them (a gap), but not the park.
    assert "创新就业帮扶新路径" not in {gap.item for gap in document.gaps}
    assert texts(year["east"])[0].startswith("一是创新就业帮扶新路径。全力打造示范区退役军人创业园，")


def test_the_trainees_are_called_self_employed_only_when_they_are(year, employment_only):
    district, east, west = texts()[2], texts(year["east"])[2], texts(year["west"])[1]

    assert district == (
        f"三是{TRAINING_OPENING}6名近期退役的退役军人参加了培训，其中自主就业退役军人5名，{TRAINING_TAIL}"
    )
    assert (
        east
        == f"三是{TRAINING_OPENING}东城街道4名近期退役的退役军人参加了培训，其中自主就业退役军人3名，{TRAINING_TAIL}"
    )
    assert west == f"二是{TRAINING_OPENING}西城街道2名近期退役的自主就业退役军人参加了培训，{TRAINING_TAIL}"


def test_a_publicity_month_names_the_role_models_once(year, employment_only):
    district = texts()[3]

    assert district == (
        "四是拓宽宣传引导新渠道。利用区融媒体中心公众号等本地新媒体平台发布退役军人企业招聘信息2条，"
        "提供适合退役军人的岗位20个；扎实开展退役军人创业典型宣传月活动，选树宣传黄亮等先进典型，并在全区开展广泛宣传。"
    )
    # 东城街道 held no publicity month of its own: its role model is called what he is.
    assert "选树宣传黄亮等退役军人创业典型，并在东城街道开展广泛宣传。" in texts(year["east"])[3]


def test_no_item_repeats_a_phrase(year, employment_only):
    for township in (None, year["east"], year["west"]):
        for text in texts(township):
            body = text.split("。", 1)[1]
            assert not repeats(body), text


def test_every_figure_with_records_counts_exactly_them(year):
    checked = set()
    for township in (None, year["east"], year["west"]):
        for item in section(year=2021, township=township).items:
            for figure in item.figures:
                if figure.records is None:
                    continue
                assert figure.records.count() == figure.value, (township, item.key, figure.key)
                checked.add(figure.key)
    assert checked == {
        "enrolled_enterprises",
        "fairs",
        "enterprises",
        "attendees",
        "intentions",
        "streamed",
        "classes",
        "trainees",
        "self_employed_trainees",
        "postings",
        "publicity_events",
        "publicity_month",
    }


def test_the_records_are_the_persons_counted(year):
    east = {item.key: item for item in section(year=2021, township=year["east"]).items}
    figures = {f.key: f for f in east["employment.job_fairs"].figures + east["employment.training"].figures}

    assert figures["attendees"].records.model is Person
    assert set(figures["attendees"].records.values_list("township__name", flat=True)) == {"东城街道"}
    assert list(figures["self_employed_trainees"].records.values_list("discharge_route", flat=True)) == [SELF] * 3


def test_attendees_without_names_leave_the_district_figure_without_a_list(year):
    fairs = next(item for item in section(year=2021).items if item.key.endswith("job_fairs"))
    attendees = next(f for f in fairs.figures if f.key == "attendees")

    # 8 named and 7 counted at the door: nobody can list the 15.
    assert (attendees.value, attendees.records) == (15, None)


def test_headlines_are_the_attendees_and_the_trainees(year):
    headlines = [f.key for item in section(year=2021).items for f in item.figures if f.headline]

    assert headlines == ["attendees", "trainees"]


def test_the_activity_dates_are_date_fields_of_the_areas_models():
    declared = {area.name: area.activity_dates for area in area_configs()}

    assert declared["employment"] == (
        "employment.JobFair.start_date",
        "employment.TrainingClass.start_date",
        "employment.PublicityEvent.start_date",
    )
    assert declared["resettlement"] == ("resettlement.PlacementBatch.session_on",)
    for name in ("employment", "resettlement"):
        for entry in declared[name]:
            app_label, model_name, field_name = entry.split(".")
            field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
            assert isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField), entry
