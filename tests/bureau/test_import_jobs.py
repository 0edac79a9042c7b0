"""
Admin imports as jobs (bureau.importexport.jobs): the upload is stored privately, validated by a
task with progress, previewed as a summary, confirmed once by its user and applied in one
transaction. Eager here (the embedded default); the last test runs a real Celery worker.
"""

import datetime
import threading
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings
from django.test import TestCase

from bureau.importexport import jobs
from bureau.models import ImportJob, Person
from tests.bureau.test_import_export import IMPORT_HEADERS, person_row, xlsx_file
from tests.factories import make_id_number
from tests.reports import test_worker as report_worker_tests

# The annual report's real-worker fixture (a worker thread on this process's own queue): one pattern for both.
worker = report_worker_tests.worker

IMPORT_URL = "/admin/bureau/person/import/"
CONFIRM_URL = "/admin/bureau/person/process_import/"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


def upload(client, content, name="people.xlsx"):
    file = BytesIO(content)
    file.name = name
    # Tasks are queued on commit; the test's transaction never commits, so run them at the end of the request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": file})


def confirm(client, job):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(CONFIRM_URL, {"job": job.pk})


def test_an_import_runs_as_a_job_with_progress_and_a_summary_preview(client_for, bureau_user, township_a, person_a):
    rows = [person_row(2000, township_a, {"身份证号": person_a.id_number, "姓名": "张甲改"})]
    rows += [person_row(n, township_a) for n in range(1, 601)]
    client = client_for(bureau_user)

    response = upload(client, xlsx_file(rows))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/bureau/person/import/{job.pk}/"
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.rows_total, job.rows_done, job.progress) == (601, 601, 100)
    assert {key: job.summary[key] for key in ("new", "update", "skip", "error")} == {
        "new": 600,
        "update": 1,
        "skip": 0,
        "error": 0,
    }
    assert Person.objects.count() == 1  # the dry run wrote nothing
    # Stored privately: under PRIVATE_ROOT, never under MEDIA_ROOT (which /files/ serves).
    assert job.file.path.startswith(str(settings.PRIVATE_ROOT))
    assert not job.file.path.startswith(str(settings.MEDIA_ROOT))
    assert client.get(f"/files/{job.file.name}").status_code == 404

    page = client.get(f"/admin/bureau/person/import/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for label, count in (("新增", 600), ("修改", 1), ("未变", 0), ("错误", 0)):
        assert f"<tr><th>{label}</th><td class=" in html and f">{count}</td>" in html
    sample = job.summary["sample"]
    assert len(sample) == 20  # a sample, not every row
    changed = next(change for change in sample if change["type"] == "update")
    assert changed["row"] == 2
    assert {"column": "姓名", "before": "张甲", "after": "张甲改"} in changed["fields"]
    assert "张甲改" in html and "confirm" in html

    status = client.get(f"/admin/bureau/person/import/{job.pk}/status/").json()
    assert status == {
        "id": job.pk,
        "status": "validated",
        "status_label": "校验通过，待确认",
        "rows_total": 601,
        "rows_done": 601,
        "finished": True,
        "waiting_for_broker": False,
        "notice": "",
    }

    done = confirm(client, job)

    job.refresh_from_db()
    assert done.status_code == 302
    assert job.status == ImportJob.Status.DONE
    assert job.result == {"new": 600, "update": 1, "skip": 0, "error": 0}
    assert Person.objects.count() == 601
    assert Person.objects.get(pk=person_a.pk).name == "张甲改"
    assert not job.file  # the file is deleted once imported
    assert "导入完成" in client.get(f"/admin/bureau/person/import/{job.pk}/").content.decode()


def test_a_confirm_posted_twice_imports_once(client_for, bureau_user, township_a):
    client = client_for(bureau_user)
    upload(client, xlsx_file([person_row(n, township_a) for n in range(1, 4)]))
    job = ImportJob.objects.get()

    confirm(client, job)
    again = confirm(client, job)

    assert Person.objects.count() == 3
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    shown = [str(message) for message in client.get(again["Location"]).context["messages"]]
    assert shown == ["该导入已经确认过，不会重复导入。"]


def test_another_user_can_neither_see_nor_confirm_the_job(client_for, bureau_user, superuser, township_a):
    upload(client_for(bureau_user), xlsx_file([person_row(1, township_a)]))
    job = ImportJob.objects.get()
    other = client_for(superuser)

    assert other.get(f"/admin/bureau/person/import/{job.pk}/").status_code == 404
    assert other.get(f"/admin/bureau/person/import/{job.pk}/status/").status_code == 404
    assert confirm(other, job).status_code == 404
    assert other.get("/admin/bureau/person/import/999999/").status_code == 404
    assert other.post(CONFIRM_URL, {"job": "abc"}).status_code == 404
    assert ImportJob.objects.get().status == ImportJob.Status.VALIDATED
    assert Person.objects.count() == 0


def test_a_station_user_sees_no_job_of_the_bureau(client_for, bureau_user, station_user_a, township_a):
    upload(client_for(bureau_user), xlsx_file([person_row(1, township_a)]))
    job = ImportJob.objects.get()

    response = client_for(station_user_a).get(f"/admin/bureau/person/import/{job.pk}/")

    assert response.status_code in (302, 403, 404)  # the admin is closed to stations; never the job
    assert "导入" not in response.content.decode()


def test_a_file_with_errors_shows_chinese_row_errors_and_writes_nothing(client_for, bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 201)]
    for n in range(10, 160):  # 150 rows with an unknown township
        rows[n]["乡镇（街道）"] = "不存在镇"
    client = client_for(bureau_user)

    upload(client, xlsx_file(rows))

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert job.error_count == 150
    assert len(job.errors) == 100
    assert job.errors[0] == "第 12 行：乡镇（街道）“不存在镇”不存在。"
    assert job.summary["error"] == 150
    page = client.get(f"/admin/bureau/person/import/{job.pk}/")
    html = page.content.decode()
    assert "文件中有 150 处错误，未导入任何记录" in html
    assert "第 12 行：乡镇（街道）“不存在镇”不存在。" in html
    assert "第 161 行" not in html  # beyond the first 100
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None
    assert confirm(client, job).status_code == 302
    assert Person.objects.count() == 0
    assert not job.file  # an invalid file is not kept


def test_the_preview_page_holds_a_summary_not_the_rows(client_for, bureau_user, township_a):
    # Its size does not grow with the file: counts, at most 100 errors and a 20-row sample.
    rows = [
        {
            "姓名": f"人员{n}",
            "身份证号": make_id_number(birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=n), sequence=n),
            "乡镇（街道）": township_a.name,
        }
        for n in range(3000)
    ]
    client = client_for(bureau_user)

    upload(client, xlsx_file(rows, headers=IMPORT_HEADERS[:2] + ["乡镇（街道）"]))

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALIDATED, job.errors
    assert job.summary["new"] == 3000
    page = client.get(f"/admin/bureau/person/import/{job.pk}/")
    assert len(page.content) < 100 * 1024  # the library's preview of these rows: ~3.7 MB


# --- a real worker ----------------------------------------------------------------------------


@pytest.mark.slow  # starts a real Celery worker process and waits for it: about 2 s of CPU, 5 s of wall time
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_through_a_real_celery_worker_completes_with_progress_and_a_preview(
    worker, bureau_user, township_a, client_for
):
    client = client_for(bureau_user)
    workbook = xlsx_file([person_row(n, township_a) for n in range(1, 1101)])
    file = BytesIO(workbook)
    file.name = "people.xlsx"

    response = client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": file})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    job = wait_for(job, worker, ImportJob.Status.VALIDATED)
    assert (job.rows_total, job.rows_done) == (1100, 1100)
    # The worker noted its progress as it went: every 500 rows, the last note at row 1,000.
    assert jobs.progress_cache.get(jobs.progress_key(job)) == 1000
    assert job.summary["new"] == 1100
    assert Person.objects.count() == 0

    worker.clear()
    client.post(CONFIRM_URL, {"job": job.pk})
    job = wait_for(job, worker, ImportJob.Status.DONE)
    assert job.result["new"] == 1100
    assert Person.objects.count() == 1100


def wait_for(job, task_ran: threading.Event, status):
    # No polling meanwhile: see tests/reports/test_worker.py (SQLite table locks).
    if not task_ran.wait(60):
        pytest.fail(f"import job {job.pk} not run after 60 s: is the worker consuming the queue?")
    job.refresh_from_db()
    assert job.status == status, (job.status, job.errors)
    return job


def test_the_progress_of_a_running_job_is_read_from_its_note(bureau_user):
    job = ImportJob.objects.create(user=bureau_user, model="bureau.person", kind="人员", rows_total=2000)
    jobs.progress_cache.set(jobs.progress_key(job), 1000)
    assert jobs.rows_done(job) == 1000
    job.status = ImportJob.Status.DONE
    assert jobs.rows_done(job) == 0


def test_an_uploaded_workbook_of_the_template_is_read(bureau_user):
    # The template's own file passes the checks and reads back (sanity of the helper above).
    workbook = openpyxl.load_workbook(BytesIO(xlsx_file([])))
    assert [cell.value for cell in workbook.active[1]] == IMPORT_HEADERS
