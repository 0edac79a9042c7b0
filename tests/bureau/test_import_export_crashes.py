"""
Imports and large exports survive a crash and a broker outage (bureau.importexport.jobs on the
kit of bureau.rules.background): a worker killed mid-step is resumed by the next one, or the job fails
with 重新上传 offered and its file deleted; an upload, a confirm or an export while Redis is down
is saved, says so, and runs once the broker is back, without a click.

The tests that kill a worker run real `celery worker` processes (tests/worker_process.py) and stop
them at `jobs.imports.after_rows` / `jobs.exports.after_export_rows`; each keeps its file to a few rows.
"""

import datetime
import time
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from bureau.celery import app as celery_app
from bureau.importexport import jobs
from bureau.models import ExportJob, ExportLog, ImportJob, OutboxMessage, Person
from bureau.rules import background
from tests.bureau.test_export_jobs import EXPORT_URL, MY_EXPORTS, download, people
from tests.bureau.test_import_export import person_row, xlsx_file
from tests.worker_process import RedisServer, free_port, reset_broker_pool

IMPORT_URL = "/admin/bureau/person/import/"
CONFIRM_URL = "/admin/bureau/person/process_import/"
PAUSE_IMPORT = "bureau.importexport.jobs.imports:after_rows"
PAUSE_EXPORT = "bureau.importexport.jobs.exports:after_export_rows"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


def post_upload(client, rows):
    file = BytesIO(xlsx_file(rows))
    file.name = "people.xlsx"
    return client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": file})


def validated_job(user, rows) -> ImportJob:
    """An import already validated (as the preview left it), its file stored: what a confirm starts from."""
    job = ImportJob(
        user=user, model="bureau.person", kind="人员", status=ImportJob.Status.VALIDATED, rows_total=len(rows)
    )
    job.file.save("import.xlsx", ContentFile(xlsx_file(rows)))
    return job


def wait_status(job, status, worker, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        time.sleep(0.3)
    pytest.fail(
        f"{type(job).__name__} {job.pk} is {job.status} ({job.error or getattr(job, 'errors', '')}), "
        f"not {status}, after {seconds} s:\n{worker.report()}"
    )


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


# --- a worker killed mid-step -------------------------------------------------------------------


@pytest.mark.slow  # Celery worker processes (~3 s to start each), a kill, the watchdog (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_validating_an_import_is_resumed_by_the_next_worker(
    worker_processes, broker, bureau_user, township_a, client_for
):
    client = client_for(bureau_user)
    first = worker_processes(name="first", pause_at=PAUSE_IMPORT)

    response = post_upload(client, [person_row(n, township_a) for n in range(1, 4)])

    assert response.status_code == 302
    job = ImportJob.objects.get()
    first.wait_paused()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.VALIDATING, 1)
    first.kill()

    # Before the kit: 正在校验 forever, the redelivery refused ("not queued; not validating it again").
    second = worker_processes(name="second")
    job = wait_status(job, ImportJob.Status.VALIDATED, second)

    assert job.attempts == 2
    assert (job.rows_total, job.rows_done) == (3, 3)
    assert {key: job.summary[key] for key in ("new", "update", "skip", "error")} == {
        "new": 3,
        "update": 0,
        "skip": 0,
        "error": 0,
    }
    assert Person.objects.count() == 0  # a dry run, twice: nothing written
    assert Path(job.file.path).exists()  # kept for the confirm
    assert "确认导入" in client.get(f"/admin/bureau/person/import/{job.pk}/").content.decode()


@pytest.mark.slow  # Celery worker processes (~3 s to start each), a kill, the watchdog (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_applying_an_import_is_resumed_and_writes_every_row_once(
    worker_processes, broker, bureau_user, township_a, private_root
):
    rows = [person_row(n, township_a) for n in range(1, 4)]
    job = validated_job(bureau_user, rows)
    first = worker_processes(name="first", pause_at=PAUSE_IMPORT)

    # Confirmed through the service, not a POST: the paused worker holds SQLite's write lock from
    # its first row, and the request's own last write (the session's) could wait on it for good.
    jobs.import_job_confirm(job=job, by=bureau_user)
    first.wait_paused()  # after the first row, inside the import's transaction
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.APPLYING, 1)
    first.kill()
    assert Person.objects.count() == 0  # the killed transaction wrote nothing

    second = worker_processes(name="second")
    job = wait_status(job, ImportJob.Status.DONE, second)

    assert job.attempts == 2
    assert job.result == {"new": 3, "update": 0, "skip": 0, "error": 0}
    assert sorted(Person.objects.values_list("name", flat=True)) == ["导入人员1", "导入人员2", "导入人员3"]
    assert not job.file
    assert files_under(private_root) == []  # the imported file is deleted


@pytest.mark.slow  # Celery worker processes (~3 s to start each), a kill, the watchdog (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_attempts_are_spent_fails_with_upload_again_and_its_file_is_deleted(
    worker_processes, broker, bureau_user, township_a, client_for, private_root
):
    job = validated_job(bureau_user, [person_row(n, township_a) for n in range(1, 4)])
    path = Path(job.file.path)
    client = client_for(bureau_user)
    one_attempt = {"JOB_MAX_ATTEMPTS": "1"}
    first = worker_processes(name="first", pause_at=PAUSE_IMPORT, env=one_attempt)

    # Confirmed through the service, not a POST: the paused worker holds SQLite's write lock from
    # its first row, and the request's own last write (the session's) could wait on it for good.
    jobs.import_job_confirm(job=job, by=bureau_user)
    first.wait_paused()
    first.kill()
    assert path.exists()

    second = worker_processes(name="second", env=one_attempt)
    job = wait_status(job, ImportJob.Status.FAILED, second)

    assert job.error == "后台任务已尝试 1 次仍未完成（处理进程中断），已停止。请重新上传文件导入。"
    assert Person.objects.count() == 0
    # The abandoned file (whole ID numbers) is gone with the job.
    assert not job.file and not path.exists()
    assert files_under(private_root) == []
    html = client.get(f"/admin/bureau/person/import/{job.pk}/").content.decode()
    assert "导入失败，未写入任何记录" in html
    assert "后台任务已尝试 1 次仍未完成（处理进程中断），已停止。请重新上传文件导入。" in html
    assert f'<a class="button" href="{IMPORT_URL}">重新上传</a>' in html


@pytest.mark.slow  # Celery worker processes (~3 s to start each), a kill, the watchdog (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_killed_mid_way_is_written_again_with_no_file_left_behind(
    worker_processes, broker, leader, township_a, client_for, private_root, settings
):
    settings.EXPORT_JOB_THRESHOLD = 2
    people(township_a, 3)
    client = client_for(leader)
    first = worker_processes(name="first", pause_at=PAUSE_EXPORT)
    fields = {f"personresource_{name}": "on" for name in ("name", "id_number")}

    assert client.post(EXPORT_URL, {"format": "0", "resource": "0", **fields}).status_code == 302
    job = ExportJob.objects.get()
    first.wait_paused()  # after the first row
    job.refresh_from_db()
    scratch = jobs.scratch_directory(job)
    assert (job.status, job.attempts) == (ExportJob.Status.RUNNING, 1)
    # openpyxl's temporary copy of the rows is in the job's own folder, not in /tmp.
    assert any(path.name.startswith("openpyxl.") for path in files_under(scratch))
    first.kill()

    second = worker_processes(name="second")
    job = wait_status(job, ExportJob.Status.DONE, second)
    # The worker's part is done. Stopped before the download: on SQLite a GET that writes (the download's
    # audit event) may be refused while another process holds the write lock (bureau/base/sqlite.py), and
    # the worker's watchdog takes it every few seconds; the embedded default has no worker process at all.
    second.stop()

    assert (job.attempts, job.rows_total, job.rows_done) == (2, 3, 3)
    assert len(list(download(client, job).iter_rows(min_row=2, values_only=True))) == 3
    # The file and nothing else: no half-written file, no scratch folder.
    assert files_under(private_root) == [Path(job.file.path)]
    assert not scratch.exists()
    assert ExportLog.objects.get().row_count == 3


# --- Redis down ---------------------------------------------------------------------------------


@pytest.mark.slow  # Celery worker processes (~3 s to start each), a kill, the watchdog (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_upload_while_redis_is_down_is_saved_and_validated_when_it_is_back_without_a_click(
    tmp_path, worker_processes, broker, bureau_user, township_a, client_for
):
    down = RedisServer(port=free_port(), directory=tmp_path)
    celery_app.conf.broker_url = down.url
    reset_broker_pool()
    client = client_for(bureau_user)

    response = post_upload(client, [person_row(n, township_a) for n in range(1, 4)])

    # Before: HTTP 500, and the saved job waited at 排队等待校验 forever.
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert Path(job.file.path).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "已保存，后台任务将在服务恢复后自动执行。" in page.content.decode()
    status = client.get(f"{response['Location']}status/").json()
    assert (status["waiting_for_broker"], status["notice"]) == (True, "已保存，后台任务将在服务恢复后自动执行。")

    down.start()
    try:
        worker = worker_processes(env={"REDIS_URL": down.url})
        job = wait_status(job, ImportJob.Status.VALIDATED, worker)
    finally:
        down.stop()

    assert job.summary["new"] == 3
    assert OutboxMessage.objects.get().sent_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "已保存，后台任务将在服务恢复后自动执行。" not in page and "确认导入" in page


def test_a_confirm_while_redis_is_down_is_saved_and_says_so(
    unreachable_broker, bureau_user, township_a, client_for, django_capture_on_commit_callbacks
):
    job = validated_job(bureau_user, [person_row(1, township_a)])
    client = client_for(bureau_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM_URL, {"job": job.pk})

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.CONFIRMED, 0)
    assert background.waiting_for_broker(jobs.APPLY_TASK, job.pk)
    html = client.get(response["Location"]).content.decode()
    assert "已确认，排队等待导入" in html and "已保存，后台任务将在服务恢复后自动执行。" in html
    assert client.get(f"{response['Location']}status/").json()["waiting_for_broker"] is True


def test_a_large_export_while_redis_is_down_is_saved_and_says_so(
    unreachable_broker, leader, township_a, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOB_THRESHOLD = 2
    people(township_a, 3)
    client = client_for(leader)
    fields = {f"personresource_{name}": "on" for name in ("name", "id_number")}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT_URL, {"format": "0", "resource": "0", **fields})

    assert (response.status_code, response["Location"]) == (302, MY_EXPORTS)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    assert "已保存，后台任务将在服务恢复后自动执行。" in client.get(MY_EXPORTS).content.decode()
    assert client.get(f"{MY_EXPORTS}{job.pk}/status/").json()["notice"] == "已保存，后台任务将在服务恢复后自动执行。"


# --- what a killed worker may leave, swept ------------------------------------------------------


def test_the_sweep_deletes_unconfirmed_imports_and_what_killed_runs_left(
    bureau_user, leader, township_a, private_root, settings, client_for
):
    unconfirmed = validated_job(bureau_user, [person_row(1, township_a)])
    ImportJob.objects.filter(pk=unconfirmed.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    done_with_file = validated_job(bureau_user, [person_row(2, township_a)])  # killed after its commit
    ImportJob.objects.filter(pk=done_with_file.pk).update(status=ImportJob.Status.DONE)
    fresh = validated_job(bureau_user, [person_row(3, township_a)])  # the user may still confirm it
    failed_export = ExportJob.objects.create(user=leader, model="bureau.person", kind="人员", status="failed")
    failed_export.file.save("export.xlsx", ContentFile(b"half"), save=True)
    scratch = jobs.scratch_directory(failed_export)
    scratch.mkdir(parents=True)
    (scratch / "openpyxl.tmp").write_bytes(b"rows")
    left = {job.pk: Path(job.file.path) for job in (unconfirmed, done_with_file)}

    jobs.export_jobs_expire()

    unconfirmed.refresh_from_db()
    assert (unconfirmed.status, unconfirmed.error) == (
        ImportJob.Status.FAILED,
        "上传后长时间未确认，文件已删除，未写入任何记录。请重新上传文件导入。",
    )
    assert not any(path.exists() for path in left.values())
    assert files_under(private_root) == [Path(fresh.file.path)]
    html = client_for(bureau_user).get(f"/admin/bureau/person/import/{unconfirmed.pk}/").content.decode()
    assert "上传后长时间未确认" in html and "重新上传" in html and "文件中有" not in html
