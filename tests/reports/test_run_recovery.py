"""
Annual report runs that survive a crash and a broker outage (issue 24): a run whose worker died is
resumed by the watchdog or retried by the user (重试), a live run is not retried twice, an
interrupted attempt's files are not left behind, and a run queued while the broker is down says so.
The same through real worker processes and Redis: tests/reports/test_worker.py.
"""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bureau.celery import app as celery_app
from bureau.models import OutboxMessage
from bureau.rules import background
from reports import services
from reports.models import AnnualReportRun
from reports.services import report_run_execute, report_run_request, report_run_retry

pytestmark = pytest.mark.django_db

STALLED_NOTE = "生成已中断（处理进程无响应），系统将自动恢复；也可点击“重试”重新生成。"
LIVE_REFUSAL = "该任务正在生成中，请稍候；只有生成失败或已中断的任务可以重试。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def running_run(*, by, seconds_since_heartbeat: float, attempts: int = 1, formats=("docx",)) -> AnnualReportRun:
    """A run a worker took (generating, 5%) and that last beat `seconds_since_heartbeat` ago."""
    run = report_run_request(year=2021, township=None, formats=list(formats), by=by)  # its task not run
    AnnualReportRun.objects.filter(pk=run.pk).update(
        status=AnnualReportRun.Status.RUNNING,
        progress=5,
        step="正在汇总各业务数据",
        attempts=attempts,
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds_since_heartbeat),
    )
    run.refresh_from_db()
    return run


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a stalled run: the watchdog, or the user's 重试 ---------------------------------------------


def test_the_watchdog_resumes_a_run_whose_worker_died(leader, django_capture_on_commit_callbacks, media_root):
    run = running_run(by=leader, seconds_since_heartbeat=61)

    with django_capture_on_commit_callbacks(execute=True):
        assert background.jobs_watch() == {"requeued": 1, "given_up": 0}

    run.refresh_from_db()
    assert (run.status, run.progress, run.step, run.attempts) == ("done", 100, "已完成", 2)
    assert sha256_of(media_root / run.docx_file.name) == run.docx_sha256


def test_the_watchdog_gives_up_on_a_run_after_the_last_attempt_with_retry_offered(leader, settings, client_for):
    settings.JOB_MAX_ATTEMPTS = 3
    run = running_run(by=leader, seconds_since_heartbeat=61, attempts=3)

    assert background.jobs_watch() == {"requeued": 0, "given_up": 1}

    run.refresh_from_db()
    assert (run.status, run.step) == ("failed", "生成失败")
    assert run.error == (
        "报告生成失败：后台任务已尝试 3 次仍未完成（处理进程中断），已停止。"
        "请点击“重试”重新生成；如仍失败，请联系系统管理员。"
    )
    page = client_for(leader).get("/dashboard/").content.decode()
    assert f'action="/dashboard/runs/{run.pk}/retry/"' in page


def test_a_stalled_run_is_retried_by_the_user_as_the_same_run(
    leader, client_for, django_capture_on_commit_callbacks, media_root
):
    # 生成中 5% for good, its attempts spent: the case that answered 「只有生成失败的任务可以重试。」
    run = running_run(by=leader, seconds_since_heartbeat=3600, attempts=3)
    client = client_for(leader)

    page = client.get("/dashboard/?year=2021").content.decode()
    assert f'action="/dashboard/runs/{run.pk}/retry/"' in page
    assert STALLED_NOTE in page
    data = client.get(f"/dashboard/runs/{run.pk}/status/").json()
    assert (data["status_label"], data["stalled"], data["retryable"], data["finished"]) == ("生成中", True, True, False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/runs/{run.pk}/retry/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?year=2021"
    assert AnnualReportRun.objects.count() == 1  # the same run, not a second report beside it
    run.refresh_from_db()
    # Attempts counted anew from the user's click: this was the first of a fresh series.
    assert (run.status, run.progress, run.attempts) == ("done", 100, 1)
    assert sha256_of(media_root / run.docx_file.name) == run.docx_sha256
    page = client.get("/dashboard/?year=2021").content.decode()
    assert "已重新提交 2021年（全区）年度报告的生成任务。" in page


def test_a_run_still_beating_is_not_retried(leader, client_for):
    run = running_run(by=leader, seconds_since_heartbeat=1)
    client = client_for(leader)

    page = client.get("/dashboard/?year=2021").content.decode()
    assert f'action="/dashboard/runs/{run.pk}/retry/"' not in page
    assert STALLED_NOTE not in page
    assert "生成后可下载" in page

    response = client.post(f"/dashboard/runs/{run.pk}/retry/", follow=True)
    assert response.redirect_chain == [("/dashboard/?year=2021", 302)]
    assert LIVE_REFUSAL in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress) == ("running", 1, 5)
    assert OutboxMessage.objects.count() == 1  # the request's own message only: nothing queued again


def test_a_stalled_run_is_retried_only_by_whom_may_request_its_scope(leader, station_user_a, auditor):
    run = running_run(by=leader, seconds_since_heartbeat=3600)

    with pytest.raises(PermissionDenied, match="不能生成全区报告"):
        report_run_retry(run=run, by=station_user_a)
    with pytest.raises(PermissionDenied, match="没有生成年度报告的权限"):
        report_run_retry(run=run, by=auditor)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


def test_a_queued_run_is_not_retried(leader):
    queued = report_run_request(year=2021, township=None, formats=["docx"], by=leader)
    with pytest.raises(ValidationError, match="只有生成失败或已中断的任务可以重试。"):
        report_run_retry(run=queued, by=leader)
    assert AnnualReportRun.objects.count() == 1


# --- files of an interrupted attempt ---------------------------------------------------------------


def test_a_resumed_run_deletes_the_file_its_killed_attempt_wrote(leader, media_root):
    run = running_run(by=leader, seconds_since_heartbeat=3600, formats=("docx", "xlsx"))
    # The killed attempt had stored the Word file and died before marking the run done.
    left = media_root / f"reports/{timezone.now():%Y}/{run.storage_name('docx')}"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half of an earlier attempt")

    run = report_run_execute(run_id=run.pk)  # the redelivered message takes the stalled run over

    assert (run.status, run.attempts) == ("done", 2)
    year = f"{timezone.now():%Y}"
    assert files_under(media_root) == [
        f"reports/{year}/annual-report-2021-district-run{run.pk}.docx",
        f"reports/{year}/annual-report-2021-district-run{run.pk}.xlsx",
    ]
    assert sha256_of(media_root / run.docx_file.name) == run.docx_sha256
    assert sha256_of(media_root / run.xlsx_file.name) == run.xlsx_sha256


def test_an_attempt_taken_over_meanwhile_writes_nothing(leader, media_root, monkeypatch):
    run = report_run_request(year=2021, township=None, formats=["docx"], by=leader)

    def another_worker_takes_over(run, step):
        # This worker was thought dead (its heartbeat stopped): a later attempt claimed the run.
        AnnualReportRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1)

    monkeypatch.setattr(services, "between_steps", another_worker_takes_over)
    result = report_run_execute(run_id=run.pk)

    assert (result.status, result.attempts, result.docx_file.name) == ("running", 2, "")
    assert files_under(media_root) == []


# --- the broker is down ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the request's own transaction commits, as in production
def test_a_request_while_the_broker_is_down_is_saved_and_says_so(leader, client_for, unreachable_broker):
    client = client_for(leader)

    response = client.post("/dashboard/runs/", {"year": "2021", "township": "", "formats": ["docx"]})

    assert response.status_code == 302
    run = AnnualReportRun.objects.get()
    assert (run.status, run.attempts) == ("queued", 0)
    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.sent_at) == ("reports.tasks.generate_annual_report", [run.pk], None)
    page = client.get(response["Location"]).content.decode()
    assert "已保存，后台任务将在服务恢复后自动执行。" in page
    assert page.count("已保存，后台任务将在服务恢复后自动执行。") == 2  # the notice, and the run's row
    data = client.get(f"/dashboard/runs/{run.pk}/status/").json()
    assert (data["status_label"], data["waiting_for_broker"], data["notice"]) == (
        "排队中",
        True,
        "已保存，后台任务将在服务恢复后自动执行。",
    )
    assert "已保存，后台任务将在服务恢复后自动执行。" in data["row_html"]

    # Sent once the broker answers: the row no longer says it waits.
    OutboxMessage.objects.update(sent_at=timezone.now())
    data = client.get(f"/dashboard/runs/{run.pk}/status/").json()
    assert (data["waiting_for_broker"], data["notice"]) == (False, "")
