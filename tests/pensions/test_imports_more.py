"""
Excel import of the preferential-care records an office keeps in spreadsheets (“三难”救助,
义务兵家庭优待金, 困难问题, 口述历史拍摄, 口述历史展陈宣讲) through the real admin pages: the
template's header row is the import's own, a file imports as a job and a second one updates
rather than duplicates, the money of an approved aid or allowance is exactly its ledger row, and
a masked ID number is refused with the masked message, nothing written.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from bureau.importexport import PortalXLSX
from bureau.importexport.widgets import MASKED_ID_NUMBER
from bureau.models import ImportJob, Payment, ReviewStatus
from bureau.roles import STATION_STAFF
from pensions import resources
from pensions.models import ConscriptBenefit, HardshipAid, OralHistoryExhibition, OralHistoryInterview, Problem
from pensions.programmes import CONSCRIPT_FAMILY, HARDSHIP_AID
from tests.conftest import make_persona
from tests.factories import BankAccountFactory, PersonFactory, TownshipFactory, UserFactory, VisitFactory
from tests.imports_more import ImportCase, header_row, import_through_admin, xlsx
from tests.pensions.factories import ProblemFactory

pytestmark = pytest.mark.django_db

D = datetime.date
APPROVED = ReviewStatus.APPROVED


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township = TownshipFactory(code="A01", name="甲镇", order=1)
        people = {
            "张甲": PersonFactory(name="张甲", township=township),
            "李乙": PersonFactory(name="李乙", township=township),
            "王丙": PersonFactory(name="王丙", township=township, status="family"),
            "赵丁": PersonFactory(name="赵丁", township=township, status="family"),
        }
        for person in people.values():
            BankAccountFactory(person=person)
        visit = VisitFactory(person=people["张甲"], visited_on=D(2021, 1, 28))
        bureau_user = make_persona("bureau_user")
        station_user = UserFactory(username="station_a", township=township, groups=[STATION_STAFF])
        client = Client()
        client.force_login(bureau_user)
        yield {
            "township": township,
            "people": people,
            "visit": visit,
            "bureau_user": bureau_user,
            "station_user": station_user,
            "client": client,
        }
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


def person(data, name):
    found = data["people"][name]
    return {"身份证号": found.id_number, "姓名": name}


def ledger():
    return list(
        Payment.objects.order_by("person__name").values_list(
            "person__name", "programme__code", "amount", "period", "paid_on"
        )
    )


# --- the cases ------------------------------------------------------------------------------------


def aid_rows(data):
    return [
        {
            **person(data, "张甲"),
            "困难类型": "生活难",
            "申请日期": "2021-03-01",
            "困难情况": "家庭成员重病，生活困难。",
            "申请金额（元）": 5000,
            "审批结果": "批准",
            "批准金额（元）": 3000,
            "审批日期": "2021.3.10",
        },
        {
            **person(data, "李乙"),
            "困难类型": "住房难",
            "申请日期": "2021-03-02",
            "困难情况": "房屋漏雨。",
            "申请金额（元）": "8,000",
        },
    ]


def aids():
    return list(
        HardshipAid.objects.order_by("applied_on").values_list(
            "person__name",
            "kind",
            "applied_on",
            "amount_requested",
            "decision",
            "amount_granted",
            "decided_on",
            "review_status",
        )
    )


def aids_expected(granted):
    return lambda data: [
        ("张甲", "living", D(2021, 3, 1), Decimal("5000.00"), "granted", Decimal(granted), D(2021, 3, 10), APPROVED),
        ("李乙", "housing", D(2021, 3, 2), Decimal("8000.00"), "pending", None, None, APPROVED),
    ]


def aid_payments(amount):
    return lambda data: [("张甲", HARDSHIP_AID, Decimal(amount), "2021-03", D(2021, 3, 10))]


def benefit_rows(data):
    return [
        {
            "领取人身份证号": data["people"]["王丙"].id_number,
            "领取人姓名": "王丙",
            "义务兵姓名": "王小兵",
            "入伍年度": 2020,
            "优待年度": 2021,
            "服役地区": "西藏",
            "优待金（元）": 26800,
            "西藏、新疆补助（元）": 5000,
            "补发": "否",
            "发放日期": "2021-07-01",
        },
        {
            "领取人身份证号": data["people"]["赵丁"].id_number,
            "领取人姓名": "赵丁",
            "义务兵姓名": "赵小兵",
            "入伍年度": 2020,
            "优待年度": 2021,
            "优待金（元）": 26800,
        },
    ]


def benefits():
    return list(
        ConscriptBenefit.objects.order_by("family__name").values_list(
            "family__name",
            "conscript_name",
            "enlistment_year",
            "benefit_year",
            "region",
            "amount",
            "supplement",
            "back_pay",
            "paid_on",
            "review_status",
        )
    )


def benefits_expected(second_paid_on):
    return lambda data: sorted(
        [
            (
                "王丙",
                "王小兵",
                2020,
                2021,
                "tibet",
                Decimal("26800.00"),
                Decimal("5000.00"),
                False,
                D(2021, 7, 1),
                APPROVED,
            ),
            (
                "赵丁",
                "赵小兵",
                2020,
                2021,
                "inland",
                Decimal("26800.00"),
                Decimal("0.00"),
                False,
                second_paid_on,
                APPROVED,
            ),
        ]
    )


def problem_rows(data):
    return [
        {
            **person(data, "张甲"),
            "问题类型": "住房",
            "问题描述": "房屋漏雨需维修。",
            "来源": "走访收集",
            "走访日期": "2021-01-28",
            "反映日期": "2021-01-28",
            "承办人（单位）": "区住建局",
        },
        {
            **person(data, "李乙"),
            "问题类型": "政策咨询",
            "问题描述": "咨询优待证办理。",
            "来源": "电话反映",
            "反映日期": "2021年2月1日",
            "办理状态": "已解决",
            "办理期限": "2021-02-15",
            "办理结果": "已电话答复。",
            "解决日期": "2021-02-03",
            "督办": "是",
        },
    ]


def problems():
    return list(
        Problem.objects.order_by("reported_on").values_list(
            "person__name",
            "kind",
            "source",
            "visit",
            "reported_on",
            "assignee",
            "state",
            "due_on",
            "resolution",
            "resolved_on",
            "supervised",
            "review_status",
        )
    )


def problems_expected(first_due_on):
    return lambda data: [
        (
            "张甲",
            "housing",
            "visit",
            data["visit"].pk,
            D(2021, 1, 28),
            "区住建局",
            "open",
            first_due_on,
            "",
            None,
            False,
            APPROVED,
        ),
        (
            "李乙",
            "policy",
            "phone",
            None,
            D(2021, 2, 1),
            "",
            "resolved",
            D(2021, 2, 15),
            "已电话答复。",
            D(2021, 2, 3),
            True,
            APPROVED,
        ),
    ]


def interview_rows(data):
    common = {"采访人": "区融媒体中心", "已取得本人（或监护人）同意": "是"}
    return [
        {
            **person(data, "张甲"),
            **common,
            "参战经历": "抗美援朝",
            "拍摄日期": "2021-04-01",
            "时长（分钟）": 45,
            "内网视频地址": "http://video.intra/1.mp4",
        },
        {**person(data, "李乙"), **common, "参战经历": "对越自卫反击战", "拍摄日期": "2021-04-02", "时长（分钟）": 30},
    ]


def interviews():
    return list(
        OralHistoryInterview.objects.order_by("interviewed_on").values_list(
            "person__name",
            "war",
            "interviewed_on",
            "interviewer",
            "duration_minutes",
            "video_link",
            "consent_recorded",
            "review_status",
        )
    )


def interviews_expected(minutes):
    return lambda data: [
        ("张甲", "korean", D(2021, 4, 1), "区融媒体中心", minutes, "http://video.intra/1.mp4", True, APPROVED),
        ("李乙", "vietnam", D(2021, 4, 2), "区融媒体中心", 30, "", True, APPROVED),
    ]


def exhibition_rows(data):
    return [
        {
            "场所类型": "校园",
            "名称": "红色记忆进校园",
            "开始日期": "2021-06-20",
            "地点": "区实验小学",
            "乡镇（街道）": "甲镇",
            "参加人数": 300,
        },
        {
            "场所类型": "社区",
            "名称": "红色展陈宣讲进社区",
            "开始日期": "2021-07-01",
            "参加人数": 120,
            "费用（元）": 1500,
        },
    ]


def exhibitions():
    return list(
        OralHistoryExhibition.objects.order_by("start_date").values_list(
            "venue_kind", "title", "start_date", "venue", "township__name", "headcount", "cost", "review_status"
        )
    )


def exhibitions_expected(second_headcount):
    return lambda data: [
        ("school", "红色记忆进校园", D(2021, 6, 20), "区实验小学", "甲镇", 300, None, APPROVED),
        ("community", "红色展陈宣讲进社区", D(2021, 7, 1), "", None, second_headcount, Decimal("1500.00"), APPROVED),
    ]


CASES = [
    ImportCase(
        id="hardship-aid",
        admin="pensions_hardshipaid",
        resource=resources.HardshipAidResource,
        rows=aid_rows,
        stored=aids,
        expected=aids_expected("3000.00"),
        change=(0, "批准金额（元）", 3500),
        changed=aids_expected("3500.00"),
        masked={"身份证号": MASKED_ID_NUMBER},
        payments=aid_payments("3000.00"),
        payments_changed=aid_payments("3500.00"),
    ),
    ImportCase(
        id="conscript-benefit",
        admin="pensions_conscriptbenefit",
        resource=resources.ConscriptBenefitResource,
        rows=benefit_rows,
        stored=benefits,
        expected=benefits_expected(None),
        change=(1, "发放日期", "2021-08-01"),
        changed=benefits_expected(D(2021, 8, 1)),
        masked={"领取人身份证号": MASKED_ID_NUMBER},
        payments=lambda data: [("王丙", CONSCRIPT_FAMILY, Decimal("31800.00"), "2021", D(2021, 7, 1))],
        payments_changed=lambda data: [
            ("王丙", CONSCRIPT_FAMILY, Decimal("31800.00"), "2021", D(2021, 7, 1)),
            ("赵丁", CONSCRIPT_FAMILY, Decimal("26800.00"), "2021", D(2021, 8, 1)),
        ],
    ),
    ImportCase(
        id="problem",
        admin="pensions_problem",
        resource=resources.ProblemResource,
        rows=problem_rows,
        stored=problems,
        # Blank, the deadline is the report date plus 30 days.
        expected=problems_expected(D(2021, 2, 27)),
        change=(0, "办理期限", "2021-03-15"),
        changed=problems_expected(D(2021, 3, 15)),
        masked={"身份证号": MASKED_ID_NUMBER},
    ),
    ImportCase(
        id="oral-history-interview",
        admin="pensions_oralhistoryinterview",
        resource=resources.OralHistoryInterviewResource,
        rows=interview_rows,
        stored=interviews,
        expected=interviews_expected(45),
        change=(0, "时长（分钟）", 50),
        changed=interviews_expected(50),
        masked={"身份证号": MASKED_ID_NUMBER},
    ),
    ImportCase(
        id="oral-history-exhibition",
        admin="pensions_oralhistoryexhibition",
        resource=resources.OralHistoryExhibitionResource,
        rows=exhibition_rows,
        stored=exhibitions,
        expected=exhibitions_expected(120),
        change=(1, "参加人数", 150),
        changed=exhibitions_expected(150),
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
    assert ledger() == (case.payments(data) if case.payments else [])

    rows = case.rows(data)
    index, column, value = case.change
    rows[index][column] = value
    job = import_through_admin(client, case, rows)

    assert (job.status, job.errors) == (ImportJob.Status.DONE, [])
    assert (job.summary["new"], job.summary["update"]) == (0, 1)
    assert case.stored() == case.changed(data)
    assert ledger() == (case.payments_changed(data) if case.payments else [])


@pytest.mark.parametrize(("case", "column"), MASKED, ids=[f"{case.id}-{column}" for case, column in MASKED])
def test_a_masked_value_is_refused_with_the_masked_message_and_nothing_is_written(data, case, column):
    rows = case.rows(data)
    rows[1][column] = "3201**********1234"

    job = import_through_admin(data["client"], case, rows)

    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [f"第 3 行：{case.masked[column]}"]
    assert not case.model.objects.exists()
    assert not Payment.objects.exists()


# --- the problems' deadline -------------------------------------------------------------------------


def test_a_station_imports_problems_as_submissions_with_the_default_deadline_and_may_not_set_one(data):
    headers = CASES[2].headers()
    row = {**problem_rows(data)[1], "办理期限": None, "督办": None}
    refused = [row, {**row, **person(data, "张甲"), "办理期限": "2021-03-01"}]

    result = resources.ProblemResource(user=data["station_user"]).import_data(
        PortalXLSX().create_dataset(xlsx(headers, refused))
    )

    assert result.row_messages == [f"第 3 行：{resources.DUE_ON_NOT_STATIONS}"]
    assert not Problem.objects.exists()

    result = resources.ProblemResource(user=data["station_user"]).import_data(
        PortalXLSX().create_dataset(xlsx(headers, [row]))
    )

    assert result.row_messages == []
    problem = Problem.objects.get()
    assert (problem.due_on, problem.review_status, problem.township) == (
        D(2021, 3, 3),
        ReviewStatus.SUBMITTED,
        data["township"],
    )


def test_the_problems_api_shows_the_deadline_and_takes_it_from_the_bureau_only(data):
    problem = ProblemFactory(person=data["people"]["张甲"], reported_on=D(2021, 1, 20))
    url = f"/api/v1/pensions/problems/{problem.pk}/"
    bureau, station = APIClient(), APIClient()
    bureau.force_authenticate(data["bureau_user"])
    station.force_authenticate(data["station_user"])

    assert bureau.get(url).json()["due_on"] == "2021-02-19"
    assert bureau.patch(url, {"due_on": "2021-03-01"}, format="json").status_code == 200
    problem.refresh_from_db()
    assert problem.due_on == D(2021, 3, 1)

    new = {
        "person": data["people"]["李乙"].pk,
        "kind": "policy",
        "description": "咨询优待证办理。",
        "source": "phone",
        "reported_on": "2021-02-01",
        "due_on": "2021-12-31",
    }
    response = station.post("/api/v1/pensions/problems/", new, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["due_on"] == "2021-03-03"  # the default, not the station's
