"""
Section (一) 就业创业服务优化升级 built from the reference year: a park with 8 planned and 4 enrolled
enterprises, fairs on 28 February and 16 September with 45 enterprises, a 3-day class of 86 trainees.
"""

import datetime
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from bureau.base.masking import mask_id_number
from bureau.models import Person, ReviewStatus, SiteProfile
from employment.models import FairAttendance, JobPosting, PublicityEvent, TrainingTopic
from employment.report import join_dates, section
from reports.compose import compose_report
from reports.docx import render_docx
from reports.xlsx import render_xlsx
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

EMPLOYMENT = "employment.report.section"
D = datetime.date
SELF = Person.DischargeRoute.SELF_EMPLOYED

PARK = (
    "一是创新就业帮扶新路径。全力打造示范区退役军人创业园，该园由省模范退役军人、华宇科技有限公司董事长王华宇发起创建，"
    "园区位于经济开发区东升工业园，总占地面积120亩，第一批8家企业计划入驻，目前已有4家企业入驻，"
    "涉及变性淀粉、环保农业科技、电子元件、汽车配件等多个领域，将为退役军人和军属提供300个就业岗位。"
)
FAIRS = (
    "二是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
    "在2月28日和9月16日，陆续举行了两场为退役军人举行的招聘会，参加两次招聘会的企业共有45家，"
    "精心筛选了540个适合退役军人的岗位，退役军人参加人数85人，达成就业意向18人。"
    "除现场就业招聘外，还采用了网络同步直播的方式，扩大影响力，吸引12000人次点击观看，"
    "促进退役军人实现多渠道、多元化就业。"
)
TRAINING = (
    "三是实现军事人力资源新转变。为使今年退伍的退役士兵能快速融入家乡，投身就业创业的浪潮，"
    "我们开设了为期3天的2021年退役军人适应性培训班，86名近期退役的自主就业退役军人参加了培训，"
    "培训主要围绕思想政治教育、法律法规政策、就业创业指导、心理引导、求职技巧、服务项目指引等内容开展，"
    "避免退役军人就业创业期间走弯路，为他们指明了退役后的道路。"
)
PUBLICITY = (
    "四是拓宽宣传引导新渠道。利用示范区融媒体、示范区发布等本地新媒体平台发布退役军人企业招聘信息3条，"
    "提供适合退役军人的岗位45个；扎实开展退役军人创业典型宣传月活动，选树宣传王华宇、王强等先进典型，"
    "通过事迹宣讲会、经验交流座谈会等形式多举措进行，并在全区开展广泛宣传。"
)
SECTORS = ["变性淀粉", "环保农业科技", "电子元件", "汽车配件"]


@pytest.fixture
def employment_only(settings):
    settings.REPORT_SECTIONS = [EMPLOYMENT]


@pytest.fixture
def reference_year(township_a, township_b):
    """
    The reference year 2021. 甲镇 holds the park, 40 of the 70 named fair attendees,
    12 of the 18 persons with an intention and 50 of the 86 trainees; 乙镇 the rest.
    """
    SiteProfile.objects.create(district_name="示范区", report_signatory="示范区退役军人事务局")
    founder = VeteranFactory(name="王华宇", township=township_a, discharged_on=D(2005, 12, 1))
    records = {"founder": founder}

    # -- the park: 4 enrolled at year end, one gone before it, one only next year
    park = StartupParkFactory(
        name="示范区退役军人创业园",
        founder=founder,
        founder_title="省模范退役军人、华宇科技有限公司董事长",
        location="经济开发区东升工业园",
        area_mu="120.00",
        planned_enterprises=8,
        jobs_planned=300,
        opened_on=D(2020, 10, 1),
        township=township_a,
    )
    for n, (sector, moved_in) in enumerate(
        zip(SECTORS, [D(2020, 11, 1), D(2021, 3, 1), D(2021, 5, 10), D(2021, 8, 18)], strict=True)
    ):
        enterprise = EnterpriseFactory(name=f"园区企业{n + 1}有限公司", sector=sector, township=township_a)
        ParkTenancyFactory(park=park, enterprise=enterprise, moved_in_on=moved_in)
    gone = EnterpriseFactory(name="已迁出食品有限公司", sector="食品加工", township=township_a)
    ParkTenancyFactory(park=park, enterprise=gone, moved_in_on=D(2021, 1, 5), moved_out_on=D(2021, 10, 31))
    later = EnterpriseFactory(name="明年入驻新材料有限公司", sector="新材料", township=township_a)
    ParkTenancyFactory(park=park, enterprise=later, moved_in_on=D(2022, 1, 10))

    # -- the fairs: 30 + 25 enterprises, 10 at both: 45 distinct; 30×8 + 25×12 = 540 positions
    spring = JobFairFactory(title="2021年春季退役军人专场招聘会", start_date=D(2021, 2, 28), unnamed_attendees=15)
    autumn = JobFairFactory(
        title="2021年秋季退役军人专场招聘会", start_date=D(2021, 9, 16), streamed_online=True, online_views=12000
    )
    fair_enterprises = [
        EnterpriseFactory(name=f"参会企业{n:02d}有限公司", township=township_a if n % 2 else township_b)
        for n in range(45)
    ]
    for enterprise in fair_enterprises[:30]:
        FairParticipationFactory(fair=spring, enterprise=enterprise, positions=8)
    for enterprise in fair_enterprises[20:]:
        FairParticipationFactory(fair=autumn, enterprise=enterprise, positions=12)
    # Neither a general fair, nor one not yet approved, nor last year's is a veterans' fair of the year.
    general = JobFairFactory(title="2021年综合招聘会", start_date=D(2021, 5, 1), dedicated_to_veterans=False)
    draft = JobFairFactory(title="待审核招聘会", start_date=D(2021, 6, 1), review_status=ReviewStatus.SUBMITTED)
    last_year = JobFairFactory(title="2020年退役军人专场招聘会", start_date=D(2020, 9, 16))
    for other in (general, draft, last_year):
        FairParticipationFactory(fair=other, enterprise=EnterpriseFactory(township=township_a), positions=50)

    residents_a = [VeteranFactory(name=f"甲镇求职{n:02d}", township=township_a) for n in range(40)]
    residents_b = [VeteranFactory(name=f"乙镇求职{n:02d}", township=township_b) for n in range(30)]
    for person in residents_a[:30] + residents_b[:20]:
        FairAttendanceFactory(fair=spring, person=person)
    for person in residents_a[20:] + residents_b[10:]:
        FairAttendanceFactory(fair=autumn, person=person)
    for other in (general, last_year):
        FairAttendanceFactory(fair=other, person=VeteranFactory(township=township_a))
    # A station's submission the bureau has not approved yet does not count.
    records["submitted"] = FairAttendanceFactory(
        fair=spring, person=VeteranFactory(name="甲镇待审", township=township_a), review_status=ReviewStatus.SUBMITTED
    )
    for person in residents_a[:12]:
        EmploymentIntentionFactory(person=person, enterprise=fair_enterprises[0], fair=spring)
    for person in residents_b[:6]:
        EmploymentIntentionFactory(person=person, enterprise=fair_enterprises[40], fair=autumn)
    # A second intention of the same person, one at a general fair and one of last year do not add anyone.
    EmploymentIntentionFactory(person=residents_a[0], enterprise=fair_enterprises[25], fair=autumn)
    EmploymentIntentionFactory(person=residents_a[30], enterprise=fair_enterprises[1], fair=general)
    EmploymentIntentionFactory(person=residents_a[31], enterprise=fair_enterprises[1], fair=last_year)

    # -- the training class: 3 days, 86 trainees (50 of 甲镇, 36 of 乙镇), all 自主就业 as the reference's
    training = TrainingClassFactory(
        title="2021年退役军人适应性培训班",
        start_date=D(2021, 11, 8),
        end_date=D(2021, 11, 10),
        topics=[topic.value for topic in reversed(TrainingTopic)],
    )
    for n in range(86):
        township = township_a if n < 50 else township_b
        person = VeteranFactory(
            name=f"学员{n:02d}", township=township, discharged_on=D(2021, 9, 1 + n % 28), discharge_route=SELF
        )
        TraineeFactory(training_class=training, person=person)
    records["training"] = training

    # -- postings, role models, publicity
    poster = EnterpriseFactory(name="招聘企业有限公司", township=township_a)
    for published_on, count, channel in [
        (D(2021, 3, 5), 20, "示范区融媒体"),
        (D(2021, 6, 1), 15, "示范区发布"),
        (D(2021, 10, 9), 10, "示范区融媒体"),
    ]:
        JobPostingFactory(enterprise=poster, published_on=published_on, position_count=count, channel=channel)
    JobPostingFactory(enterprise=poster, published_on=D(2020, 12, 30), position_count=99)
    first = RoleModelFactory(person=founder)
    second = RoleModelFactory(person=VeteranFactory(name="王强", township=township_b))
    RoleModelFactory(person=VeteranFactory(name="王往年", township=township_a), year=2020)
    for kind, day in [
        (PublicityEvent.Kind.PUBLICITY_MONTH, D(2021, 7, 1)),
        (PublicityEvent.Kind.EXPERIENCE_FORUM, D(2021, 7, 20)),
        (PublicityEvent.Kind.STORY_TALK, D(2021, 7, 10)),
    ]:
        event = PublicityEventFactory(title=f"创业典型{kind.label}", kind=kind, start_date=day)
        event.role_models.set([first, second])
    return records


def employment_texts(document) -> list[str]:
    (rendered,) = [s for s in document.sections if s.section.app_label == "employment"]
    return [item.text for item in rendered.items]


def test_the_reference_year_reads_exactly_as_the_reference_report(reference_year, employment_only):
    document = compose_report(year=2021)

    assert employment_texts(document) == [PARK, FAIRS, TRAINING, PUBLICITY]
    assert document.gaps == []
    assert not document.warnings


def test_every_section_listed_still_gives_the_employment_section_first(reference_year):
    document = compose_report(year=2021)

    assert document.sections[0].label == "（一）"
    assert document.sections[0].section.heading == "就业创业服务优化升级"
    assert employment_texts(document) == [PARK, FAIRS, TRAINING, PUBLICITY]


def test_the_figures_carry_their_units(reference_year):
    figures = {
        (item.key.split(".")[1], figure.key): (figure.value, figure.unit)
        for item in section(year=2021).items
        for figure in item.figures
    }

    assert figures["startup_park", "area_mu"] == (120, "亩")
    assert figures["startup_park", "enrolled_enterprises"] == (4, "家")
    assert figures["startup_park", "sectors"] == (SECTORS, "")
    assert figures["job_fairs", "fairs"] == (2, "场")
    assert figures["job_fairs", "fair_dates"] == ("2月28日和9月16日", "")
    assert figures["job_fairs", "enterprises"] == (45, "家")
    assert figures["job_fairs", "positions"] == (540, "个")
    assert figures["job_fairs", "attendees"] == (85, "人")
    assert figures["job_fairs", "intentions"] == (18, "人")
    assert figures["job_fairs", "stream_views"] == (12000, "人次")
    assert figures["training", "days"] == (3, "天")
    assert figures["training", "trainees"] == (86, "人")
    assert figures["publicity", "postings"] == (3, "条")
    assert figures["publicity", "posting_positions"] == (45, "个")
    assert figures["publicity", "role_models"] == (["王华宇", "王强"], "")


def test_the_word_report_states_the_section(reference_year, employment_only):
    word = Document(io.BytesIO(render_docx(compose_report(year=2021))))
    paragraphs = [p.text for p in word.paragraphs]

    start = paragraphs.index("（一）就业创业服务优化升级。")
    assert paragraphs[start + 1].startswith("为倾力解决退役军人“后路”难题")
    assert paragraphs[start + 2 : start + 6] == [PARK, FAIRS, TRAINING, PUBLICITY]


def test_the_excel_sheet_lists_the_rows_behind_the_figures(reference_year, employment_only):
    book = load_workbook(io.BytesIO(render_xlsx(compose_report(year=2021))))
    rows = [list(row) for row in book["就业创业"].iter_rows(values_only=True)]

    def block(title: str) -> list[list]:
        start = next(i for i, row in enumerate(rows) if row[0] == title)
        # Each block ends with a blank row; the last one with the sheet.
        end = next((i for i in range(start + 1, len(rows)) if all(cell is None for cell in rows[i])), len(rows))
        return rows[start + 1 : end]

    park = block("一是创新就业帮扶新路径")
    assert park[0][:4] == ["企业名称", "统一社会信用代码", "行业领域", "入驻日期"]
    assert [row[0] for row in park[1:]] == [
        "园区企业1有限公司",
        "园区企业2有限公司",
        "园区企业3有限公司",
        "园区企业4有限公司",
    ]
    assert [row[2] for row in park[1:]] == SECTORS
    assert park[1][3].date() == D(2020, 11, 1)

    fairs = block("二是摸索线上线下新办法")
    assert fairs[0][:7] == [
        "日期",
        "招聘会",
        "地点",
        "参加企业（家）",
        "提供岗位（个）",
        "参加人数（人）",
        "直播观看（人次）",
    ]
    assert [row[1:7] for row in fairs[1:]] == [
        ["2021年春季退役军人专场招聘会", "区人力资源市场", 30, 240, 50 + 15, None],
        ["2021年秋季退役军人专场招聘会", "区人力资源市场", 25, 300, 40, 12000],
    ]

    trainees = block("三是实现军事人力资源新转变")
    assert trainees[0][:5] == ["培训班", "姓名", "身份证号", "乡镇（街道）", "退役日期"]
    assert len(trainees[1:]) == 86
    assert {row[3] for row in trainees[1:]} == {"甲镇", "乙镇"}
    # Leadership reads the report: ID numbers are masked.
    assert all("**********" in row[2] for row in trainees[1:])

    publicity = block("四是拓宽宣传引导新渠道")
    assert [row[0] for row in publicity[1:]] == ["招聘信息"] * 3 + ["创业典型"] * 2 + [
        "宣传月",
        "事迹宣讲会",
        "经验交流座谈会",
    ]


def test_trainee_rows_mask_the_id_number(reference_year):
    training = next(item for item in section(year=2021).items if item.key == "employment.training")
    trainee = reference_year["training"].trainees.select_related("person").order_by("person__name").first()
    row = next(row for row in training.detail_rows if row[1] == trainee.person.name)

    assert row[2] == mask_id_number(trainee.person.id_number) != trainee.person.id_number


def test_a_township_report_counts_only_its_residents(reference_year, employment_only, township_a, township_b):
    texts_a = employment_texts(compose_report(year=2021, township=township_a))
    texts_b = employment_texts(compose_report(year=2021, township=township_b))

    # 甲镇 holds the park; both fairs had residents there; 40 of them, 12 with an intention, 50 trainees.
    # The fairs' enterprises, positions and stream views are the district's: not the township's to state.
    assert texts_a[0] == PARK
    assert texts_a[1] == (
        "二是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
        "在2月28日和9月16日为退役军人举行的两场招聘会上，甲镇共有40名退役军人参加，达成就业意向12人。"
        "除现场就业招聘外，还采用了网络同步直播的方式，扩大影响力，促进退役军人实现多渠道、多元化就业。"
    )
    assert "甲镇50名近期退役的自主就业退役军人参加了培训" in texts_a[2]
    # 乙镇 has no park, and had no part in it: its items are numbered from 一是 without it.
    assert texts_b[0].startswith("一是摸索线上线下新办法。")
    assert "乙镇共有30名退役军人参加，达成就业意向6人。" in texts_b[0]
    assert "乙镇36名近期退役的自主就业退役军人参加了培训" in texts_b[1]


def test_a_township_report_leaves_out_fairs_none_of_its_residents_attended(reference_year, township_b):
    FairAttendance.objects.filter(township=township_b, fair__title__contains="秋季").delete()
    fairs = next(item for item in section(year=2021, township=township_b).items if item.key == "employment.job_fairs")

    assert fairs.context()["fairs"] == 1
    assert fairs.context()["fair_dates"] == "2月28日"
    assert fairs.context()["enterprises"] == 30


def test_a_submitted_attendance_is_not_counted_until_approved(reference_year, bureau_user):
    def attendees():
        fairs = next(item for item in section(year=2021).items if item.key == "employment.job_fairs")
        return fairs.context()["attendees"]

    assert attendees() == 85
    submitted = reference_year["submitted"]
    submitted.approve(by=bureau_user)
    submitted.save()
    assert attendees() == 86


def test_an_item_without_data_drops_into_the_appendix(reference_year, employment_only):
    JobPosting.objects.filter(published_on__year=2021).delete()
    document = compose_report(year=2021)

    assert employment_texts(document) == [PARK, FAIRS, TRAINING]
    gaps = [(gap.area, gap.item, gap.figure, gap.township) for gap in document.gaps]
    assert gaps == [
        ("就业创业", "拓宽宣传引导新渠道", "发布招聘信息", "全区"),
        ("就业创业", "拓宽宣传引导新渠道", "信息所含岗位", "全区"),
        ("就业创业", "拓宽宣传引导新渠道", "发布平台", "全区"),
    ]


def test_an_empty_year_has_every_item_in_the_appendix(reference_year, employment_only):
    document = compose_report(year=2019)

    assert document.sections == []
    assert {gap.item for gap in document.gaps} == {
        "创新就业帮扶新路径",
        "摸索线上线下新办法",
        "实现军事人力资源新转变",
        "拓宽宣传引导新渠道",
    }


def test_a_fair_without_stream_or_intentions_still_stands(township_a, employment_only):
    fair = JobFairFactory(title="春季专场", start_date=D(2021, 3, 3))
    FairParticipationFactory(fair=fair, enterprise=EnterpriseFactory(township=township_a), positions=6)
    FairAttendanceFactory(fair=fair, person=VeteranFactory(township=township_a))

    (text,) = employment_texts(compose_report(year=2021))

    assert text == (
        "一是摸索线上线下新办法。根据退役军人的就业需求和专业特长，“量身定制”退役军人专场招聘会。"
        "在3月3日，举行了1场为退役军人举行的招聘会，参加招聘会的企业共有1家，"
        "精心筛选了6个适合退役军人的岗位，退役军人参加人数1人。"
    )


def test_two_classes_add_up_their_days(township_a):
    for start, end in [(D(2021, 4, 1), D(2021, 4, 3)), (D(2021, 11, 8), D(2021, 11, 9))]:
        TraineeFactory(
            training_class=TrainingClassFactory(start_date=start, end_date=end, topics=[], other_topics="军旅故事分享"),
            person=VeteranFactory(township=township_a),
        )
    training = next(item for item in section(year=2021).items if item.key == "employment.training")

    assert training.context() == {
        "classes": 2,
        "days": 5,
        "trainees": 2,
        "self_employed_trainees": 0,
        "topics": ["军旅故事分享"],
    }


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([D(2021, 2, 28)], "2月28日"),
        ([D(2021, 9, 16), D(2021, 2, 28)], "2月28日和9月16日"),
        ([D(2021, 9, 16), D(2021, 2, 28), D(2021, 5, 1)], "2月28日、5月1日和9月16日"),
        ([D(2021, 2, 28), D(2021, 2, 28)], "2月28日"),
    ],
)
def test_fair_dates_are_written_as_the_report_writes_them(days, text):
    assert join_dates(days) == text
