"""
Excel import of the employment records an office keeps in spreadsheets (就业情况, 就业意向,
招聘信息, 创业典型, 招聘会, 适应性培训班, 创业典型宣传活动) through the real admin pages: the
template's header row is the import's own, a file imports as a job and a second one updates
rather than duplicates, and a masked ID number is refused with the masked message, nothing written.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from bureau.importexport import PortalXLSX
from bureau.importexport.widgets import MASKED_ID_NUMBER
from bureau.models import ImportJob, ReviewStatus
from bureau.roles import STATION_STAFF
from employment import resources
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    JobFair,
    JobPosting,
    PublicityEvent,
    RoleModel,
    TrainingClass,
)
from tests.conftest import make_persona
from tests.employment.factories import EnterpriseFactory, JobFairFactory, VeteranFactory
from tests.factories import TownshipFactory, UserFactory
from tests.imports_more import ImportCase, header_row, import_through_admin, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
APPROVED = ReviewStatus.APPROVED


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township = TownshipFactory(code="A01", name="甲镇", order=1)
        people = {name: VeteranFactory(name=name, township=township) for name in ("张甲", "李乙")}
        EnterpriseFactory(name="华宇科技有限公司", township=township)
        EnterpriseFactory(name="东升汽车配件有限公司", township=township)
        fair = JobFairFactory(title="退役军人专场招聘会", start_date=D(2021, 2, 28))
        bureau_user = make_persona("bureau_user")
        station_user = UserFactory(username="station_a", township=township, groups=[STATION_STAFF])
        client = Client()
        client.force_login(bureau_user)
        yield {
            "township": township,
            "people": people,
            "fair": fair,
            "bureau_user": bureau_user,
            "station_user": station_user,
            "client": client,
        }
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


def person(data, name):
    return {"身份证号": data["people"][name].id_number, "姓名": name}


# --- the cases ------------------------------------------------------------------------------------


def outcome_rows(data):
    return [
        {**person(data, "张甲"), "就业企业": "华宇科技有限公司", "就业日期": "2021-03-01", "就业渠道": "招聘会"},
        {
            **person(data, "李乙"),
            "就业单位（未登记企业时填写）": "个体经营",
            "就业日期": "2021-04-01",
            "就业渠道": "自主创业",
        },
    ]


def outcomes():
    return list(
        EmploymentOutcome.objects.order_by("started_on").values_list(
            "person__name",
            "enterprise__name",
            "employer_name",
            "started_on",
            "channel",
            "township__name",
            "review_status",
        )
    )


def outcomes_expected(employer):
    return lambda data: [
        ("张甲", "华宇科技有限公司", "", D(2021, 3, 1), "job_fair", "甲镇", APPROVED),
        ("李乙", None, employer, D(2021, 4, 1), "self_employed", "甲镇", APPROVED),
    ]


def intention_rows(data):
    return [
        {
            **person(data, "张甲"),
            "意向企业": "华宇科技有限公司",
            "招聘会": "退役军人专场招聘会",
            "达成日期": "2021-02-28",
        },
        {**person(data, "李乙"), "意向企业": "东升汽车配件有限公司", "达成日期": "2021-03-05"},
    ]


def intentions():
    return list(
        EmploymentIntention.objects.order_by("agreed_on").values_list(
            "person__name", "enterprise__name", "fair__title", "agreed_on"
        )
    )


def intentions_expected(second_fair):
    return lambda data: [
        ("张甲", "华宇科技有限公司", "退役军人专场招聘会", D(2021, 2, 28)),
        ("李乙", "东升汽车配件有限公司", second_fair, D(2021, 3, 5)),
    ]


def posting_rows(data):
    return [
        {
            "招聘企业": "华宇科技有限公司",
            "招聘岗位": "装配工、质检员",
            "招聘人数": 10,
            "发布渠道": "XX发布",
            "发布日期": "2021-03-01",
            "乡镇（街道）": "甲镇",
        },
        {
            "招聘企业": "东升汽车配件有限公司",
            "招聘岗位": "仓库管理员",
            "招聘人数": 2,
            "发布渠道": "XX发布",
            "发布日期": "2021-04-01",
        },
    ]


def postings():
    return list(
        JobPosting.objects.order_by("published_on").values_list(
            "enterprise__name",
            "positions",
            "position_count",
            "channel",
            "published_on",
            "township__name",
            "review_status",
        )
    )


def postings_expected(count):
    return lambda data: [
        ("华宇科技有限公司", "装配工、质检员", count, "XX发布", D(2021, 3, 1), "甲镇", APPROVED),
        ("东升汽车配件有限公司", "仓库管理员", 2, "XX发布", D(2021, 4, 1), None, APPROVED),
    ]


def role_model_rows(data):
    return [
        {**person(data, "张甲"), "年度": 2021, "事迹": "创办汽修厂，带动12名退役军人就业。", "乡镇（街道）": "甲镇"},
        {**person(data, "李乙"), "年度": 2021, "事迹": "返乡创业。"},
    ]


def role_models():
    return list(
        RoleModel.objects.order_by("person__name").values_list(
            "person__name", "year", "story", "township__name", "review_status"
        )
    )


def role_models_expected(story):
    return lambda data: sorted(
        [
            ("张甲", 2021, "创办汽修厂，带动12名退役军人就业。", "甲镇", APPROVED),
            ("李乙", 2021, story, None, APPROVED),
        ]
    )


def fair_rows(data):
    return [
        {
            "名称": "退役军人春季招聘会",
            "开始日期": "2021-03-20",
            "地点": "区人力资源市场",
            "参加人数": 200,
            "线上观看人次": 3000,
            "退役军人专场": "是",
            "网络同步直播": "是",
            "未登记姓名的参加人数": 30,
        },
        {
            "名称": "退役军人秋季招聘会",
            "开始日期": "2021-09-16",
            "地点": "甲镇文化站",
            "乡镇（街道）": "甲镇",
            "费用（元）": 2500.5,
            "退役军人专场": "否",
        },
    ]


def fairs():
    return list(
        JobFair.objects.exclude(pk=JobFair.objects.filter(title="退役军人专场招聘会").values("pk")[:1])
        .order_by("start_date")
        .values_list(
            "title",
            "start_date",
            "venue",
            "township__name",
            "headcount",
            "cost",
            "online_views",
            "dedicated_to_veterans",
            "streamed_online",
            "unnamed_attendees",
            "review_status",
        )
    )


def fairs_expected(views):
    return lambda data: [
        ("退役军人春季招聘会", D(2021, 3, 20), "区人力资源市场", None, 200, None, views, True, True, 30, APPROVED),
        (
            "退役军人秋季招聘会",
            D(2021, 9, 16),
            "甲镇文化站",
            "甲镇",
            None,
            Decimal("2500.50"),
            None,
            False,
            False,
            0,
            APPROVED,
        ),
    ]


def class_rows(data):
    return [
        {
            "名称": "2021年退役军人适应性培训班",
            "开始日期": "2021-06-01",
            "结束日期": "2021-06-03",
            "地点": "区委党校",
            "参加人数": 86,
            "培训内容": "求职技巧、思想政治教育",
            "其他培训内容": "电商直播",
        },
        {"名称": "退役军人心理疏导专题班", "开始日期": "2021-10-10", "乡镇（街道）": "甲镇"},
    ]


def classes():
    return list(
        TrainingClass.objects.order_by("start_date").values_list(
            "title",
            "start_date",
            "end_date",
            "venue",
            "township__name",
            "headcount",
            "topics",
            "other_topics",
            "review_status",
        )
    )


def classes_expected(topics):
    return lambda data: [
        (
            "2021年退役军人适应性培训班",
            D(2021, 6, 1),
            D(2021, 6, 3),
            "区委党校",
            None,
            86,
            topics,
            "电商直播",
            APPROVED,
        ),
        ("退役军人心理疏导专题班", D(2021, 10, 10), None, "", "甲镇", None, [], "", APPROVED),
    ]


def event_rows(data):
    return [
        {"形式": "宣传月", "名称": "退役军人创业典型宣传月", "开始日期": "2021-05-01", "结束日期": "2021-05-31"},
        {
            "形式": "事迹宣讲会",
            "名称": "王XX创业事迹宣讲会",
            "开始日期": "2021-05-10",
            "乡镇（街道）": "甲镇",
            "参加人数": 60,
        },
    ]


def events():
    return list(
        PublicityEvent.objects.order_by("start_date").values_list(
            "kind", "title", "start_date", "end_date", "township__name", "headcount", "review_status"
        )
    )


def events_expected(headcount):
    return lambda data: [
        ("publicity_month", "退役军人创业典型宣传月", D(2021, 5, 1), D(2021, 5, 31), None, None, APPROVED),
        ("story_talk", "王XX创业事迹宣讲会", D(2021, 5, 10), None, "甲镇", headcount, APPROVED),
    ]


CASES = [
    ImportCase(
        id="employment-outcome",
        admin="employment_employmentoutcome",
        resource=resources.EmploymentOutcomeResource,
        rows=outcome_rows,
        stored=outcomes,
        expected=outcomes_expected("个体经营"),
        change=(1, "就业单位（未登记企业时填写）", "自办汽修店"),
        changed=outcomes_expected("自办汽修店"),
        masked={"身份证号": MASKED_ID_NUMBER},
    ),
    ImportCase(
        id="employment-intention",
        admin="employment_employmentintention",
        resource=resources.EmploymentIntentionResource,
        rows=intention_rows,
        stored=intentions,
        expected=intentions_expected(None),
        change=(1, "招聘会", "退役军人专场招聘会（2021-02-28）"),
        changed=intentions_expected("退役军人专场招聘会"),
        masked={"身份证号": MASKED_ID_NUMBER},
    ),
    ImportCase(
        id="job-posting",
        admin="employment_jobposting",
        resource=resources.JobPostingResource,
        rows=posting_rows,
        stored=postings,
        expected=postings_expected(10),
        change=(0, "招聘人数", 12),
        changed=postings_expected(12),
    ),
    ImportCase(
        id="role-model",
        admin="employment_rolemodel",
        resource=resources.RoleModelResource,
        rows=role_model_rows,
        stored=role_models,
        expected=role_models_expected("返乡创业。"),
        change=(1, "事迹", "返乡创办养殖合作社。"),
        changed=role_models_expected("返乡创办养殖合作社。"),
        masked={"身份证号": MASKED_ID_NUMBER},
    ),
    ImportCase(
        id="job-fair",
        admin="employment_jobfair",
        resource=resources.JobFairResource,
        rows=fair_rows,
        stored=fairs,
        expected=fairs_expected(3000),
        change=(0, "线上观看人次", 5000),
        changed=fairs_expected(5000),
    ),
    ImportCase(
        id="training-class",
        admin="employment_trainingclass",
        resource=resources.TrainingClassResource,
        rows=class_rows,
        stored=classes,
        expected=classes_expected(["political_education", "job_seeking_skills"]),
        change=(0, "培训内容", "心理引导"),
        changed=classes_expected(["psychological_guidance"]),
    ),
    ImportCase(
        id="publicity-event",
        admin="employment_publicityevent",
        resource=resources.PublicityEventResource,
        rows=event_rows,
        stored=events,
        expected=events_expected(60),
        change=(1, "参加人数", 80),
        changed=events_expected(80),
    ),
]
MASKED = [(case, column) for case in CASES for column in case.masked]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_template_has_the_imports_own_header_row(data, case):
    response = data["client"].get(case.url("import_template"))

    assert response.status_code == 200
    assert header_row(response.content) == case.headers()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_file_imports_as_a_job_and_a_second_file_updates_rather_than_duplicates(data, case):
    client = data["client"]

    job = import_through_admin(client, case, case.rows(data))

    assert (job.status, job.errors) == (ImportJob.Status.DONE, [])
    assert case.stored() == case.expected(data)

    rows = case.rows(data)
    index, column, value = case.change
    rows[index][column] = value
    job = import_through_admin(client, case, rows)

    assert (job.status, job.errors) == (ImportJob.Status.DONE, [])
    assert (job.summary["new"], job.summary["update"]) == (0, 1)
    assert case.stored() == case.changed(data)


@pytest.mark.parametrize(("case", "column"), MASKED, ids=[f"{case.id}-{column}" for case, column in MASKED])
def test_a_masked_value_is_refused_with_the_masked_message_and_nothing_is_written(data, case, column):
    rows = case.rows(data)
    rows[1][column] = "3201**********1234"

    job = import_through_admin(data["client"], case, rows)

    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [f"第 3 行：{case.masked[column]}"]
    assert not case.model.objects.exists()


def test_a_training_topic_not_on_the_list_names_the_list(data):
    rows = class_rows(data)
    rows[1]["培训内容"] = "电商直播"

    job = import_through_admin(data["client"], CASES[5], rows)

    labels = "、".join(label for _, label in resources.TrainingTopic.choices)
    assert job.errors == [f"第 3 行：培训内容，“电商直播”不是有效的选项，应填写：{labels}。"]
    assert not TrainingClass.objects.exists()


def test_a_station_imports_its_postings_in_its_own_township_as_submissions(data):
    headers = CASES[2].headers()
    resource = resources.JobPostingResource(user=data["station_user"])

    result = resource.import_data(PortalXLSX().create_dataset(xlsx(headers, posting_rows(data)[1:])))

    assert result.row_messages == []
    posting = JobPosting.objects.get()
    assert (posting.township, posting.review_status) == (data["township"], ReviewStatus.SUBMITTED)
