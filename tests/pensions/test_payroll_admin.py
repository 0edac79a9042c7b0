"""The payroll's admin pages: generate, see the changes, approve as a second clerk, download the bank file."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bureau import roles
from bureau.models import ExportLog, Payment
from pensions.models import PayrollRun
from tests.factories import PayeeFactory, PersonCategoryFactory, UserFactory
from tests.pensions.factories import BenefitStandardFactory, PayrollRunFactory

JAN_1 = datetime.date(2021, 1, 1)


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def beneficiaries(township_a):
    BenefitStandardFactory(category="disabled_soldier", monthly_amount="2150.00", valid_from=JAN_1)
    people = PayeeFactory.create_batch(2, township=township_a)
    for person in people:
        PersonCategoryFactory(person=person, category="disabled_soldier", started_on=JAN_1)
    return people


def generate(client, period="2021-03", capture=None):
    with capture(execute=True):
        response = client.post(reverse("admin:pensions_payrollrun_add"), {"period": period, "paid_on": ""})
    return response


def test_a_clerk_generates_a_month_and_sees_its_changes(
    client_for, bureau_user, beneficiaries, django_capture_on_commit_callbacks
):
    client = client_for(bureau_user)
    page = client.get(reverse("admin:pensions_payrollrun_add"))
    assert page.status_code == 200
    assert "生成发放表" in page.content.decode()

    response = generate(client, capture=django_capture_on_commit_callbacks)

    run = PayrollRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:pensions_payrollrun_change", args=[run.pk])
    assert (run.period, run.status, run.persons, run.total, run.paid_on) == (
        "2021-03",
        PayrollRun.Status.GENERATED,
        2,
        Decimal("4300.00"),
        datetime.date(2021, 3, 10),
    )
    detail = client.get(response["Location"]).content.decode()
    assert "新增 2 人，停发 0 人，金额变化 0 人，无变化 0 人。" in detail
    assert "首次生成（残疾军人）" in detail
    assert "审批并发放" in detail  # the link is offered; the approval page refuses the generator


def test_a_bad_month_is_refused_with_a_message(client_for, bureau_user, beneficiaries):
    response = client_for(bureau_user).post(reverse("admin:pensions_payrollrun_add"), {"period": "2021-13"})

    assert response.status_code == 200
    assert "发放月份“2021-13”格式不正确，应为年-月，如 2021-03。" in response.content.decode()
    assert not PayrollRun.objects.exists()


def test_the_generator_cannot_approve_a_second_clerk_can(
    client, bureau_user, approver, beneficiaries, django_capture_on_commit_callbacks
):
    client.force_login(bureau_user)
    generate(client, capture=django_capture_on_commit_callbacks)
    run = PayrollRun.objects.get()
    url = reverse("admin:pensions_payrollrun_approve", args=[run.pk])

    own = client.get(url).content.decode()
    assert "您不能审批本人生成的发放表" in own
    assert "确认审批并发放" not in own
    client.post(url, {"generated_at": run.generated_at.isoformat()})
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.GENERATED

    client.force_login(approver)
    confirm = client.get(url).content.decode()
    assert "审批后将向有在用银行账户的 2 人发放共 4300.00 元" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"generated_at": run.generated_at.isoformat()})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (PayrollRun.Status.PAID, approver)
    assert Payment.objects.filter(period="2021-03").count() == 2


def test_the_bank_file_is_downloaded_after_a_warning_and_logged(
    client, bureau_user, approver, beneficiaries, django_capture_on_commit_callbacks
):
    client.force_login(bureau_user)
    generate(client, capture=django_capture_on_commit_callbacks)
    run = PayrollRun.objects.get()
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:pensions_payrollrun_approve", args=[run.pk]))
    url = reverse("admin:pensions_payrollrun_bank_file", args=[run.pk])

    warning = client.get(url).content.decode()
    response = client.post(url)

    assert "文件含完整的身份证号和银行账号，下载将记入导出日志" in warning
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert Decimal(str(rows[-1][6])) == Decimal("4300.00")
    assert ExportLog.objects.filter(kind="银行代发文件", user=approver).count() == 1


def test_leadership_reads_the_runs_but_takes_no_step(client_for, leader, bureau_user, beneficiaries):
    run = PayrollRunFactory(period="2021-03", generated_by=bureau_user)
    client = client_for(leader)

    assert client.get(reverse("admin:pensions_payrollrun_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:pensions_payrollrun_add")).status_code == 403
    assert client.post(reverse("admin:pensions_payrollrun_approve", args=[run.pk])).status_code == 403
    assert client.post(reverse("admin:pensions_payrollrun_bank_file", args=[run.pk])).status_code == 403


def test_a_run_in_progress_shows_its_progress_and_refreshes(client_for, bureau_user, beneficiaries):
    run = PayrollRunFactory(
        period="2021-03", generated_by=bureau_user, status=PayrollRun.Status.PAYING, done=2500, steps=10000
    )

    page = client_for(bureau_user).get(reverse("admin:pensions_payrollrun_change", args=[run.pk])).content.decode()

    assert "发放中：已处理 2500 / 10000（25%）" in page
    assert '<meta http-equiv="refresh" content="3">' in page


def test_the_api_reads_the_runs_for_leadership_not_for_stations(client_for, leader, station_user_a, bureau_user):
    PayrollRunFactory(
        period="2021-03", generated_by=bureau_user, status=PayrollRun.Status.PAID, persons=2, total=Decimal("4300.00")
    )

    answer = client_for(leader).get("/api/v1/pensions/payroll-runs/?year=2021")

    assert answer.status_code == 200
    [run] = answer.json()["results"]
    assert (run["period"], run["status"], run["persons"], run["total"], run["generated_by"]) == (
        "2021-03",
        "paid",
        2,
        "4300.00",
        "clerk",
    )
    assert client_for(station_user_a).get("/api/v1/pensions/payroll-runs/").status_code == 403
