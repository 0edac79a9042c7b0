"""The annual report runs: request, generation (eager Celery), retry, scoped downloads and their log."""

import hashlib
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bureau.celery import app as celery_app
from reports.models import AnnualReportRun, ReportDownload
from reports.registry import section_paths
from reports.services import report_run_execute, report_run_request, report_run_retry

pytestmark = pytest.mark.django_db

DEFAULT_SECTIONS = section_paths()  # the area apps' declared sections
FAILING_SECTIONS = [*DEFAULT_SECTIONS[:2], "tests.reports.failing_section.section"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery():
    # Eager also where REDIS_URL is set (CI): these tests are about the services and views;
    # tests/reports/test_worker.py runs the task through a real worker.
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def request_run(django_capture_on_commit_callbacks):
    """Request a run as the view does and let its on-commit task run (eagerly)."""

    def request(*, by, year=2021, township=None, formats=("docx", "xlsx")):
        with django_capture_on_commit_callbacks(execute=True):
            run = report_run_request(year=year, township=township, formats=list(formats), by=by)
        run.refresh_from_db()
        return run

    return request


def sha256_of_field(file_field) -> str:
    with file_field.open("rb") as opened:
        return hashlib.sha256(opened.read()).hexdigest()


def download(client, run, file_format):
    return client.get(f"/dashboard/runs/{run.pk}/download/{file_format}/")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_leadership_district_run_is_generated_and_downloaded(request_run, leader, client_for):
    run = request_run(by=leader, year=2021)

    assert run.status == AnnualReportRun.Status.DONE
    assert run.township is None and run.scope_name == "全区"
    assert run.formats == "docx,xlsx"
    assert (run.progress, run.step, run.error) == (100, "已完成", "")
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert run.duration is not None
    assert run.docx_file.name == f"reports/{run.created_at:%Y}/annual-report-2021-district-run{run.pk}.docx"
    assert run.xlsx_file.name == f"reports/{run.created_at:%Y}/annual-report-2021-district-run{run.pk}.xlsx"
    assert sha256_of_field(run.docx_file) == run.docx_sha256
    assert sha256_of_field(run.xlsx_file) == run.xlsx_sha256
    assert len(run.docx_sha256) == len(run.xlsx_sha256) == 64

    client = client_for(leader)
    response = download(client, run, "docx")
    assert response.status_code == 200
    body = body_of(response)
    assert body[:2] == b"PK"  # a zip container, as every .docx is
    assert hashlib.sha256(body).hexdigest() == run.docx_sha256
    filename = "本区退役军人事务局2021年工作情况汇报（全区）.docx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    assert list(ReportDownload.objects.values_list("run", "user", "file_format")) == [(run.pk, leader.pk, "docx")]

    response = download(client, run, "xlsx")
    assert hashlib.sha256(body_of(response)).hexdigest() == run.xlsx_sha256
    assert ReportDownload.objects.filter(run=run, user=leader).count() == 2


def test_a_second_request_is_a_new_run_and_keeps_the_first_files(request_run, bureau_user, township_a):
    first = request_run(by=bureau_user, township=township_a, formats=["docx"])
    second = request_run(by=bureau_user, township=township_a, formats=["docx"])

    assert first.pk != second.pk
    assert first.docx_file.name != second.docx_file.name
    assert sha256_of_field(first.docx_file) == first.docx_sha256
    assert sha256_of_field(second.docx_file) == second.docx_sha256
    assert (first.xlsx_file.name, first.xlsx_sha256) == ("", "")
    assert AnnualReportRun.objects.count() == 2


def test_a_station_user_requests_and_downloads_only_their_own_township(
    request_run, station_user_a, station_user_b, leader, township_a, township_b, client_for
):
    own = request_run(by=station_user_a, township=township_a)
    other = request_run(by=station_user_b, township=township_b)
    district = request_run(by=leader)
    assert [own.status, other.status, district.status] == ["done", "done", "done"]

    client = client_for(station_user_a)
    response = download(client, own, "docx")
    assert response.status_code == 200
    assert hashlib.sha256(body_of(response)).hexdigest() == own.docx_sha256

    assert download(client, other, "docx").status_code == 404
    assert download(client, district, "xlsx").status_code == 404
    assert client.get(f"/dashboard/runs/{other.pk}/status/").status_code == 404
    assert client.post(f"/dashboard/runs/{district.pk}/retry/").status_code == 404
    assert list(ReportDownload.objects.values_list("run", "user")) == [(own.pk, station_user_a.pk)]


def test_a_station_user_cannot_request_another_township_or_the_district(station_user_a, township_b):
    with pytest.raises(PermissionDenied, match="只能生成本乡镇"):
        report_run_request(year=2021, township=township_b, formats=["docx"], by=station_user_a)
    with pytest.raises(PermissionDenied, match="不能生成全区报告"):
        report_run_request(year=2021, township=None, formats=["docx"], by=station_user_a)
    assert AnnualReportRun.objects.count() == 0


def test_the_auditor_cannot_request_a_run(auditor):
    with pytest.raises(PermissionDenied, match="没有生成年度报告的权限"):
        report_run_request(year=2021, township=None, formats=["docx"], by=auditor)
    assert AnnualReportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("year", "formats", "field", "message"),
    [
        (1999, ["docx"], "year", "年度须在2000年至"),
        (2021, [], "formats", "请至少选择一种格式（Word 或 Excel）。"),
        (2021, ["docx", "pdf"], "formats", "格式只能是 Word（docx）或 Excel（xlsx）。"),
    ],
)
def test_bad_requests_are_refused_in_chinese_and_create_nothing(leader, year, formats, field, message):
    with pytest.raises(ValidationError) as caught:
        report_run_request(year=year, township=None, formats=formats, by=leader)
    assert caught.value.message_dict[field][0].startswith(message)
    assert AnnualReportRun.objects.count() == 0


def test_a_failing_generation_marks_the_run_failed_and_retry_keeps_both(
    request_run, settings, leader, client_for, django_capture_on_commit_callbacks
):
    settings.REPORT_SECTIONS = FAILING_SECTIONS
    failed = request_run(by=leader, year=2021)

    assert failed.status == AnnualReportRun.Status.FAILED
    assert failed.error == (
        "报告生成失败：汇总各业务数据时出错，详细原因已记入系统日志。请点击“重试”重新生成；如仍失败，请联系系统管理员。"
    )
    assert failed.step == "生成失败"
    assert (failed.docx_file.name, failed.xlsx_file.name, failed.docx_sha256, failed.xlsx_sha256) == ("", "", "", "")
    assert failed.finished_at is not None
    client = client_for(leader)
    assert download(client, failed, "docx").status_code == 404

    settings.REPORT_SECTIONS = DEFAULT_SECTIONS  # the cause is fixed; retry now succeeds
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/runs/{failed.pk}/retry/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?year=2021"

    assert AnnualReportRun.objects.count() == 2
    retried = AnnualReportRun.objects.exclude(pk=failed.pk).get()
    assert (retried.year, retried.township, retried.formats) == (2021, None, "docx,xlsx")
    assert retried.status == AnnualReportRun.Status.DONE
    failed.refresh_from_db()
    assert failed.status == AnnualReportRun.Status.FAILED


def test_a_failing_generation_writes_to_the_log(request_run, settings, leader, caplog):
    settings.REPORT_SECTIONS = FAILING_SECTIONS
    run = request_run(by=leader)
    assert run.status == "failed"
    assert f"Annual report run {run.pk} failed" in caplog.text
    assert "simulated failure while collecting a section" in caplog.text


def test_only_a_failed_run_can_be_retried(request_run, leader):
    done = request_run(by=leader, formats=["xlsx"])
    with pytest.raises(ValidationError, match="只有生成失败或已中断的任务可以重试"):
        report_run_retry(run=done, by=leader)
    assert AnnualReportRun.objects.count() == 1


def test_a_run_delivered_twice_is_executed_once(request_run, leader):
    run = request_run(by=leader, formats=["docx"])
    again = report_run_execute(run_id=run.pk)
    assert (again.status, again.docx_sha256, again.docx_file.name) == ("done", run.docx_sha256, run.docx_file.name)


def test_bad_download_urls_are_404(request_run, leader, client_for, media_root):
    run = request_run(by=leader, formats=["docx"])
    client = client_for(leader)

    assert client.get(f"/dashboard/runs/{run.pk}/download/pdf/").status_code == 404
    assert client.get("/dashboard/runs/abc/download/docx/").status_code == 404
    assert client.get(f"/dashboard/runs/{run.pk + 100}/download/docx/").status_code == 404
    assert download(client, run, "xlsx").status_code == 404  # not requested

    (media_root / run.docx_file.name).unlink()  # the file is gone from disk
    assert download(client, run, "docx").status_code == 404
    assert ReportDownload.objects.count() == 0
