"""The grant's admin pages: calculate a cohort, see its lines (masked), approve as a second clerk, the bank file."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bureau.models import ExportLog, Payment
from resettlement import subsidies
from resettlement.models import SubsidyRun

pytestmark = pytest.mark.django_db


def calculate(client, year="2021"):
    return client.post(reverse("admin:resettlement_subsidyrun_add"), {"cohort_year": year})


def test_a_clerk_calculates_a_cohort_and_sees_its_lines_masked(client_for, bureau_user, standard_2021, cohort):
    client = client_for(bureau_user)
    assert "核算自主就业金" in client.get(reverse("admin:resettlement_subsidyrun_add")).content.decode()

    response = calculate(client)

    run = SubsidyRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:resettlement_subsidyrun_change", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "共 3 人，合计 60160.00 元" in page
    assert "1 人未登记入伍时间，未列入核算：李未填（甲镇）" in page
    five = cohort["five"].id_number
    assert f"{five[:4]}**********{five[-4:]}" in page
    assert five not in page
    assert "审批并发放" in page  # offered, though the calculator's own approval will be refused
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("1 人未登记入伍时间" in m for m in messages)


def test_a_bad_or_repeated_cohort_year_is_refused_with_a_message(client_for, bureau_user, standard_2021, cohort):
    client = client_for(bureau_user)
    bad = calculate(client, "二〇二一")
    assert bad.status_code == 200
    assert "退役年度应为四位数字" in bad.content.decode()
    calculate(client)
    again = calculate(client)
    assert again.status_code == 200
    assert "2021 年退役士兵的自主就业金已核算，不能重复核算" in again.content.decode()
    assert SubsidyRun.objects.count() == 1


def test_no_standard_is_said_on_the_page(client_for, bureau_user, cohort):
    response = calculate(client_for(bureau_user))
    assert response.status_code == 200
    assert "尚未设置 2021 年（或之前年度）的自主就业金标准" in response.content.decode()


def test_the_calculator_cannot_approve_a_second_clerk_can(client, bureau_user, approver, standard_2021, cohort):
    client.force_login(bureau_user)
    calculate(client)
    run = SubsidyRun.objects.get()
    url = reverse("admin:resettlement_subsidyrun_approve", args=[run.pk])

    page = client.get(url).content.decode()
    assert "您不能审批本人核算的批次" in page
    client.post(url, {"paid_on": "2021-12-15"})
    assert not Payment.objects.exists()

    client.force_login(approver)
    page = client.get(url).content.decode()
    assert "审批后将向有在用银行账户的 3 人发放自主就业金共 60160.00 元" in page
    token = subsidies.calculation_token(run)
    response = client.post(url, {"paid_on": "2021-12-15", "calculated_at": token})

    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (SubsidyRun.Status.PAID, approver)
    assert Payment.objects.filter(period="2021", batch=run.batch).count() == 3
    # A second post pays nobody twice: the refusal is a message, back to the run.
    again = client.post(url, {"paid_on": "2021-12-15"})
    assert again.status_code == 302
    assert Payment.objects.count() == 3


def test_a_bad_pay_day_is_the_form_again(client_for, approver, bureau_user, standard_2021, cohort):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    response = client_for(approver).post(
        reverse("admin:resettlement_subsidyrun_approve", args=[run.pk]), {"paid_on": "2021-13-45"}
    )
    assert response.status_code == 200
    assert "发放日期格式不正确" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_recalculation_replaces_the_lines(client_for, bureau_user, standard_2021, cohort):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    late = cohort["no_enlistment"]
    late.enlisted_on = late.discharged_on.replace(year=2017)
    late.save()
    client = client_for(bureau_user)
    url = reverse("admin:resettlement_subsidyrun_recalculate", args=[run.pk])
    assert "原明细将被替换" in client.get(url).content.decode()

    assert client.post(url).status_code == 302

    run.refresh_from_db()
    assert (run.persons, run.total) == (4, Decimal("60160.00") + Decimal("26080.00"))


def test_the_bank_file_is_downloaded_after_a_warning_and_logged(
    client_for, bureau_user, approver, standard_2021, cohort
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    client = client_for(approver)
    url = reverse("admin:resettlement_subsidyrun_bank_file", args=[run.pk])
    assert "发放完成后才能导出银行代发文件" in client.get(url).content.decode()
    subsidies.approve_and_pay(run=run, by=approver, paid_on=run.calculated_at.date())

    warning = client.get(url).content.decode()
    response = client.post(url)

    assert "文件含完整的身份证号和银行账号，下载将记入导出日志" in warning
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert Decimal(str(rows[-1][6])) == Decimal("60160.00")
    assert ExportLog.objects.filter(kind="银行代发文件", user=approver, unmasked=True).count() == 1


def test_leadership_reads_the_runs_but_takes_no_step(client_for, leader, bureau_user, standard_2021, cohort):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    client = client_for(leader)
    assert client.get(reverse("admin:resettlement_subsidyrun_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:resettlement_subsidyline_changelist")).status_code == 200
    for step in ("approve", "recalculate", "bank_file"):
        assert client.post(reverse(f"admin:resettlement_subsidyrun_{step}", args=[run.pk])).status_code == 403
    assert calculate(client).status_code == 403
    assert not Payment.objects.exists()


def test_the_lines_refuse_a_filter_on_the_id_number(client_for, leader, bureau_user, standard_2021, cohort):
    subsidies.calculate(cohort_year=2021, by=bureau_user)
    url = reverse("admin:resettlement_subsidyline_changelist")
    five = cohort["five"].id_number
    client = client_for(leader)
    page = client.get(url).content.decode()
    assert "赵五年" in page and five not in page
    refused = client.get(url, {"person__id_number__startswith": five[:6]})
    assert refused.status_code == 400
    assert "不能在网址中按身份证号、联系电话等个人敏感信息筛选" in refused.content.decode()


def test_the_standards_are_entered_in_the_admin(client_for, bureau_user):
    client = client_for(bureau_user)
    response = client.post(
        reverse("admin:resettlement_subsidystandard_add"),
        {"year": "2022", "base_amount": "8500", "per_year_amount": "4600", "document": "区政策文件"},
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("admin:resettlement_subsidystandard_add"), {"year": "2022", "base_amount": "-1", "per_year_amount": "x"}
    )
    assert bad.status_code == 200
