"""
The person file shows the person's payments by programme and month, visits and health file (the core
part) and problems, “三难” aid, conscript benefits and interviews (the pensions part). A check-up's
result is whole, and an audited view, for a role with the right; masked for leadership.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.models import Attachment, AuditEvent, CheckUp
from pensions import programmes
from pensions.models import ConscriptBenefit, HardshipAid, Problem
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PaymentFactory, PersonFactory, VisitFactory
from tests.pensions.factories import (
    ConscriptBenefitFactory,
    HardshipAidFactory,
    OralHistoryInterviewFactory,
    ProblemFactory,
)

D = datetime.date
SUMMARY = "血压偏高（150/95），建议心内科复查。"


def file_page(client, person) -> str:
    response = client.get(f"/admin/bureau/person/{person.pk}/file/")
    assert response.status_code == 200
    return response.content.decode()


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def checkup_views():
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW, fields="result_summary").order_by("id"))


@pytest.fixture
def veteran(township_a):
    """2021: a pension of 2,150 a month from March (2,300 in December), the Spring Festival gift, one-off aid."""
    person = PersonFactory(name="王老兵", township=township_a)
    pension = programmes.programme(programmes.PERIODIC_PENSION)
    for month in range(3, 13):
        PaymentFactory(
            person=person,
            programme=pension,
            period=f"2021-{month:02d}",
            amount=Decimal("2300.00" if month == 12 else "2150.00"),
            paid_on=D(2021, month, 10),
        )
    PaymentFactory(
        person=person,
        programme=programmes.programme(programmes.SPRING_FESTIVAL),
        period="2021",
        amount=Decimal("600.00"),
        paid_on=D(2021, 1, 25),
    )
    PaymentFactory(
        person=person,
        programme=programmes.programme(programmes.HARDSHIP_AID),
        period="2021-03",
        amount=Decimal("5000.00"),
        paid_on=D(2021, 3, 20),
    )
    PaymentFactory(
        person=person, programme=pension, period="2020-12", amount=Decimal("2100.00"), paid_on=D(2020, 12, 10)
    )
    return person


def test_payments_read_as_a_table_of_programmes_by_month(client_for, bureau_user, veteran):
    body = compact(file_page(client_for(bureau_user), veteran))

    assert "<caption>2021年（金额单位：元）</caption>" in body
    pension = "<tr><td>优抚对象定期抚恤补助</td><td></td><td></td>" + "<td>2150.00</td>" * 9
    assert pension + "<td>2300.00</td><td></td><td>21650.00</td></tr>" in body
    festival = "<tr><td>春节慰问金</td>" + "<td></td>" * 12 + "<td>600.00</td><td>600.00</td></tr>"
    assert festival in body
    aid = "<tr><td>“三难”救助</td><td></td><td></td><td>5000.00</td>" + "<td></td>" * 10 + "<td>5000.00</td></tr>"
    assert aid in body
    totals = "<tr><th>合计</th><th></th><th></th><th>7150.00</th>" + "<th>2150.00</th>" * 8
    assert totals + "<th>2300.00</th><th>600.00</th><th>27250.00</th></tr>" in body
    assert "<caption>2020年（金额单位：元）</caption>" in body
    assert body.index("2021年（金额单位") < body.index("2020年（金额单位")


def test_visits_and_the_health_file_are_in_the_core_part(client_for, bureau_user, veteran):
    VisitFactory(
        person=veteran,
        hardship_category="hardship_veteran",
        visited_on=D(2021, 2, 1),
        visitor="局长带队走访组",
        amount=Decimal("500.00"),
        programme=programmes.programme(programmes.WARMTH_AID),
    )
    checkup = CheckUpFactory(
        person=veteran,
        batch=CheckUpBatchFactory(title="2021年重点优抚对象免费体检"),
        mode=CheckUp.Mode.HOME_VISIT,
        checked_on=D(2021, 5, 12),
        result_summary=SUMMARY,
    )
    Attachment.objects.create(record=checkup, title="体检报告", file="attachments/2021/05/report.pdf")

    body = compact(file_page(client_for(bureau_user), veteran))

    assert (
        "<tr><td>2021-02-01</td><td>春节</td><td>优待抚恤</td><td>困难军队退役人员</td><td>局长带队走访组</td>"
        "<td>500.00</td><td>已通过</td></tr>"
    ) in body.replace("审核通过", "已通过")
    assert (
        f"<tr><td>2021年重点优抚对象免费体检</td><td>2021-05-12</td><td>上门体检</td><td>{SUMMARY}</td><td>1份</td></tr>"
        in (body)
    )


def test_the_whole_result_is_an_audited_view(client_for, bureau_user, veteran):
    first = CheckUpFactory(person=veteran, result_summary=SUMMARY)
    second = CheckUpFactory(person=veteran, result_summary="未见异常。", checked_on=D(2021, 11, 2))
    CheckUpFactory(person=veteran, result_summary="", checked_on=D(2021, 12, 2))  # nothing on file: nothing shown

    file_page(client_for(bureau_user), veteran)

    assert sorted((e.object_id, e.user, e.path) for e in checkup_views()) == sorted(
        (str(c.pk), bureau_user, f"/admin/bureau/person/{veteran.pk}/file/") for c in (first, second)
    )


def test_leadership_sees_the_result_masked_and_no_view_is_recorded(client_for, leader, veteran):
    CheckUpFactory(person=veteran, result_summary=SUMMARY)

    body = file_page(client_for(leader), veteran)

    assert SUMMARY not in body and "血压" not in body
    assert "<td>（已隐藏）</td>" in body
    assert checkup_views() == []


def test_the_pensions_part_shows_problems_aid_benefits_and_interviews(client_for, bureau_user, veteran):
    visit = VisitFactory(person=veteran, visited_on=D(2021, 2, 1))
    ProblemFactory(
        person=veteran,
        kind=Problem.Kind.HOUSING,
        source=Problem.Source.VISIT,
        visit=visit,
        description="房屋漏雨，需要维修。",
        reported_on=D(2021, 2, 1),
        state=Problem.State.RESOLVED,
        resolution="协调住建部门完成维修。",
        resolved_on=D(2021, 3, 15),
    )
    ProblemFactory(person=veteran, description="咨询优待证办理。", reported_on=D(2021, 6, 1))
    HardshipAidFactory(
        person=veteran,
        kind=HardshipAid.Kind.MEDICAL,
        applied_on=D(2021, 4, 1),
        amount_requested=Decimal("8000.00"),
        decision=HardshipAid.Decision.GRANTED,
        amount_granted=Decimal("5000.00"),
        decided_on=D(2021, 4, 10),
    )
    ConscriptBenefitFactory(
        family=veteran,
        conscript_name="王小兵",
        enlistment_year=2020,
        benefit_year=2021,
        region=ConscriptBenefit.Region.TIBET,
        amount=Decimal("26800.00"),
        supplement=Decimal("5000.00"),
        paid_on=D(2021, 12, 10),
    )
    OralHistoryInterviewFactory(person=veteran, interviewed_on=D(2021, 4, 8), duration_minutes=52)

    body = compact(file_page(client_for(bureau_user), veteran))

    assert "<h2>优待抚恤</h2>" in body
    assert (
        "<tr><td>2021-02-01</td><td>住房</td><td>走访收集（2021-02-01春节走访）</td><td>房屋漏雨，需要维修。</td>"
        "<td>已解决</td><td>协调住建部门完成维修。</td><td>2021-03-15</td></tr>"
    ) in body
    assert "<td>咨询优待证办理。</td><td>待处理</td><td>—</td><td>—</td>" in body
    assert (
        "<tr><td>2021-04-01</td><td>医疗难</td><td>8000.00</td><td>批准</td><td>5000.00</td><td>2021-04-10</td>" in body
    )
    assert (
        "<tr><td>2021</td><td>王小兵</td><td>2020</td><td>西藏</td><td>26800.00</td><td>5000.00</td><td>否</td>"
        "<td>2021-12-10</td></tr>"
    ) in body
    assert "<tr><td>2021-04-08</td><td>抗美援朝</td><td>区融媒体中心</td><td>52</td><td>—</td></tr>" in body


def test_a_person_without_pensions_records_reads_so(client_for, bureau_user, person_a):
    body = file_page(client_for(bureau_user), person_a)

    for text in ["无资金发放记录。", "无走访慰问记录。", "无体检记录。", "无困难问题记录。", "无“三难”救助记录。"]:
        assert text in body
    assert "无义务兵家庭优待金记录。" in body and "无口述历史拍摄记录。" in body


def test_the_query_count_does_not_grow_with_the_rows(client_for, bureau_user, township_a):
    def person_with(rows: int):
        person = PersonFactory(township=township_a)
        pension = programmes.programme(programmes.PERIODIC_PENSION)
        for n in range(rows):
            PaymentFactory(person=person, programme=pension, period=f"2021-{n + 1:02d}", paid_on=D(2021, n + 1, 10))
            visit = VisitFactory(person=person, visited_on=D(2021, 1, 1 + n))
            ProblemFactory(person=person, source=Problem.Source.VISIT, visit=visit)
            CheckUpFactory(person=person, checked_on=D(2021, 5, 1 + n))
            HardshipAidFactory(person=person, applied_on=D(2021, 3, 1 + n))
            ConscriptBenefitFactory(family=person, benefit_year=2021 + n)
            OralHistoryInterviewFactory(person=person, interviewed_on=D(2021, 4, 1 + n))
        return person

    client = client_for(bureau_user)
    one, five = person_with(1), person_with(5)
    file_page(client, one)  # the first page of the session fills caches (content types, permissions)
    counts = []
    for person in (one, five):
        with CaptureQueriesContext(connection) as queries:
            file_page(client, person)
        counts.append(len(queries))

    assert counts[0] == counts[1]
