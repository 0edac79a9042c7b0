"""The leadership dashboard: access, the year's figures, the run list, the request form and the status endpoint."""

import datetime

import pytest
from django.test import Client

from bureau.celery import app as celery_app
from reports.models import AnnualReportRun
from reports.services import report_run_execute, report_run_request
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def eager_celery():
    # Eager also where REDIS_URL is set (CI); the real worker is tests/reports/test_worker.py.
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def queued_run(*, by, year=2021, township=None, formats=("docx", "xlsx")):
    """A run as it stands before the worker picks it up (on-commit callbacks do not run here)."""
    return report_run_request(year=year, township=township, formats=list(formats), by=by)


def key_figures(response) -> dict[str, str]:
    return {line.label: line.text for line in response.context["summary"].key_figures}


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/station/login/?next=/dashboard/"


def test_the_auditor_has_no_dashboard(client_for, auditor):
    client = client_for(auditor)
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert "年度报告看板仅供局领导、局机关和服务站工作人员使用。" in response.content.decode()
    assert client.post("/dashboard/runs/", {"year": 2021, "formats": ["docx"]}).status_code == 403
    assert AnnualReportRun.objects.count() == 0


@pytest.mark.parametrize("user_fixture", ["leader", "bureau_user", "station_user_a"])
def test_the_dashboard_shows_the_empty_state_without_runs(request, client_for, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).get("/dashboard/?year=2021")
    assert response.status_code == 200
    page = response.content.decode()
    assert "还没有生成过年度报告。" in page
    assert 'src="/static/js/dashboard.js"' in page
    assert "csrfmiddlewaretoken" in page


def test_the_dashboard_shows_the_years_figures_for_the_users_scope(
    client_for, leader, station_user_a, township_a, township_b
):
    for _ in range(3):
        PersonFactory(township=township_a, discharged_on=datetime.date(2018, 9, 1))
    PersonFactory(township=township_b, discharged_on=datetime.date(2021, 9, 1))
    PersonFactory(township=township_b, discharged_on=datetime.date(2022, 9, 1))  # after 2021: not counted

    response = client_for(leader).get("/dashboard/?year=2021")
    assert response.context["scope_name"] == "全区"
    figures = key_figures(response)
    assert figures["登记在册退役军人"] == "4人"
    assert figures["2021年退役"] == "1人"
    assert figures["资金发放总额"] == "0元"
    page = response.content.decode()
    assert "2021年主要数据（全区）" in page
    assert '<span class="figures__value">4人</span>\n  <span class="figures__label">登记在册退役军人</span>' in page
    # The five areas keep no records yet: each is listed under 数据缺项 instead of a silent gap.
    assert "数据缺项：就业创业" in page

    response = client_for(station_user_a).get("/dashboard/?year=2021")
    assert response.context["scope_name"] == "甲镇"
    figures = key_figures(response)
    assert (figures["登记在册退役军人"], figures["2021年退役"]) == ("3人", "0人")


def test_a_bad_year_in_the_url_shows_the_default_year(client_for, leader):
    # Nothing recorded: the last finished year.
    response = client_for(leader).get("/dashboard/?year=abc")
    assert response.status_code == 200
    assert response.context["year"] == datetime.date.today().year - 1  # noqa: DTZ011  (a date, no time zone)


def test_the_run_list_shows_downloads_for_done_runs_and_retry_for_failed_ones(
    client_for, leader, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = queued_run(by=leader)
    settings.REPORT_SECTIONS = ["tests.reports.failing_section.section"]
    with django_capture_on_commit_callbacks(execute=True):
        failed = queued_run(by=leader, formats=["xlsx"])
    done.refresh_from_db()

    page = client_for(leader).get("/dashboard/").content.decode()
    assert "还没有生成过年度报告。" not in page
    assert f'href="/dashboard/runs/{done.pk}/download/docx/">下载 Word</a>' in page
    assert f'href="/dashboard/runs/{done.pk}/download/xlsx/">下载 Excel</a>' in page
    # Leaders' pages carry no hashes: the files' SHA-256 stay in the admin.
    assert done.docx_sha256 and done.docx_sha256[:12] not in page and "SHA-256" not in page
    assert f'action="/dashboard/runs/{failed.pk}/retry/"' in page
    assert "报告生成失败：汇总各业务数据时出错" in page
    assert "data-poll-url" not in page  # nothing left to follow
    # The broken section is still configured: the figures say so, the page does not fail.
    assert "本年度数据暂时无法汇总，详细原因已记入系统日志，请联系系统管理员。" in page


def test_station_staff_see_only_their_townships_runs(
    client_for, leader, station_user_a, bureau_user, township_a, township_b
):
    own = queued_run(by=station_user_a, township=township_a)
    other = queued_run(by=bureau_user, township=township_b)
    district = queued_run(by=leader)

    response = client_for(station_user_a).get("/dashboard/")
    assert [run.pk for run in response.context["page"].object_list] == [own.pk]
    response = client_for(leader).get("/dashboard/")
    assert [run.pk for run in response.context["page"].object_list] == [district.pk, other.pk, own.pk]


def test_the_request_form_offers_only_what_the_user_may_choose(
    client_for, leader, station_user_a, township_a, township_b
):
    form = client_for(station_user_a).get("/dashboard/").context["form"]
    assert [label for _, label in form.fields["township"].choices] == ["甲镇"]

    form = client_for(leader).get("/dashboard/").context["form"]
    assert [label for _, label in form.fields["township"].choices] == ["全区", "甲镇", "乙镇"]


def test_leadership_requests_a_run_through_the_form(client_for, leader, township_b, django_capture_on_commit_callbacks):
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/runs/", {"year": "2021", "township": township_b.pk, "formats": ["xlsx"]})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?year=2021"
    run = AnnualReportRun.objects.get()
    assert (run.year, run.township, run.formats, run.requested_by, run.status) == (
        2021,
        township_b,
        "xlsx",
        leader,
        "done",
    )
    page = client.get(response["Location"]).content.decode()
    assert "已提交 2021年（乙镇）年度报告的生成任务，完成后可在下方下载。" in page


def test_a_station_user_posting_another_township_is_refused(client_for, station_user_a, township_b):
    response = client_for(station_user_a).post(
        "/dashboard/runs/", {"year": "2021", "township": township_b.pk, "formats": ["docx"]}
    )
    assert response.status_code == 400
    assert "您不能生成这个乡镇（街道）的报告。" in response.content.decode()
    assert AnnualReportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "1999", "formats": ["docx"]}, "请选择有效的年度。"),
        ({"year": "abc", "formats": ["docx"]}, "请选择有效的年度。"),
        ({"year": "2021"}, "请至少选择一种格式（Word 或 Excel）。"),
        ({"year": "2021", "formats": ["pdf"]}, "选择一个有效的选项"),
    ],
)
def test_bad_form_input_re_renders_with_chinese_errors(client_for, leader, data, message):
    response = client_for(leader).post("/dashboard/runs/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AnnualReportRun.objects.count() == 0


def test_posting_without_the_csrf_token_is_refused(leader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = client.post("/dashboard/runs/", {"year": "2021", "formats": ["docx"]})
    assert response.status_code == 403
    assert AnnualReportRun.objects.count() == 0


def test_the_status_endpoint_reports_status_and_progress(client_for, leader):
    run = queued_run(by=leader, formats=["docx"])
    client = client_for(leader)

    data = client.get(f"/dashboard/runs/{run.pk}/status/").json()
    assert {key: data[key] for key in ("id", "status", "status_label", "progress", "step", "error", "finished")} == {
        "id": run.pk,
        "status": "queued",
        "status_label": "排队中",
        "progress": 0,
        "step": "排队等待中",
        "error": "",
        "finished": False,
    }
    assert f'data-poll-url="/dashboard/runs/{run.pk}/status/"' in data["row_html"]

    report_run_execute(run_id=run.pk)  # what the worker does
    data = client.get(f"/dashboard/runs/{run.pk}/status/").json()
    assert (data["status"], data["status_label"], data["progress"], data["step"], data["finished"]) == (
        "done",
        "已完成",
        100,
        "已完成",
        True,
    )
    assert "下载 Word" in data["row_html"]
    assert "data-poll-url" not in data["row_html"]
    assert client.get("/dashboard/runs/999999/status/").status_code == 404


def test_the_dashboard_opens_on_the_last_year_the_ledger_has_payments_for(client_for, leader, person_a):
    from tests.factories import PaymentFactory

    PaymentFactory(person=person_a, period="2021-06")
    PaymentFactory(person=person_a, period="2019", programme__code="older")

    response = client_for(leader).get("/dashboard/")

    assert response.context["year"] == 2021


def test_polling_a_run_does_not_keep_an_idle_session_alive(client_for, leader):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    run = queued_run(by=leader, formats=["docx"])
    client = client_for(leader)
    client.get("/dashboard/")
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=soon)

    assert client.get(f"/dashboard/runs/{run.pk}/status/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == soon  # the page's own polling renews nothing

    client.get("/dashboard/")
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(minutes=29)
