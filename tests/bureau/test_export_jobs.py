"""
Large admin exports as jobs (bureau.importexport.jobs): above EXPORT_JOB_THRESHOLD rows the export
is written by the worker (eagerly here), masked and formula-escaped as the admin's own export,
logged, offered in 我的导出 to its owner only, and deleted when it expires.
"""

import datetime
import os
from io import BytesIO

import openpyxl
import pytest
from django.contrib.sessions.models import Session
from django.test import TestCase
from django.utils import timezone

from bureau.base.masking import mask_id_number
from bureau.importexport import jobs
from bureau.importexport.records import PersonResource
from bureau.models import AuditEvent, ExportJob, ExportLog, ImportJob, Person, ReviewStatus
from tests.bureau.test_import_export import FULL_ID
from tests.factories import make_id_number

EXPORT_URL = "/admin/bureau/person/export/"
MY_EXPORTS = "/admin/exports/"
FORMULA = '=HYPERLINK("http://example.com","点我")'


def people(township, count: int) -> list[Person]:
    """`count` approved people in one query batch (bulk_create: no per-row save)."""
    start = datetime.date(1940, 1, 1)
    return Person.objects.bulk_create(
        [
            Person(
                name=f"人员{n}",
                id_number=make_id_number(birth_date=start + datetime.timedelta(days=n), sequence=n % 1000),
                phone=f"139{n:08d}",
                township=township,
                address=FORMULA if n == 0 else f"幸福路{n}号",
                review_status=ReviewStatus.APPROVED,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )


def post_export(client, **extra):
    fields = {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
    # The job is queued on commit, which the test's transaction never does: run it at the end of the request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(EXPORT_URL, {"format": "0", "resource": "0", **fields, **extra})


def download(client, job):
    response = client.get(f"{MY_EXPORTS}{job.pk}/download/")
    assert response.status_code == 200
    return openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active


@pytest.mark.slow  # writes and reads back 20,000 rows (~14 s)
def test_an_export_of_20000_rows_runs_as_a_job_masked_and_formula_escaped(client_for, leader, township_a):
    people(township_a, 20000)
    client = client_for(leader)

    response = post_export(client)

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == MY_EXPORTS
    assert (job.user, job.status, job.rows_total, job.rows_done, job.unmasked) == (
        leader,
        ExportJob.Status.DONE,
        20000,
        20000,
        False,
    )
    assert job.expires_at == job.finished_at + datetime.timedelta(hours=24)
    page = client.get(MY_EXPORTS).content.decode()
    assert "人员名册" in page and f"{MY_EXPORTS}{job.pk}/download/" in page

    sheet = download(client, job)
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert len(rows) == 20001
    assert headers == PersonResource().get_export_headers()
    by_column = [dict(zip(headers, row, strict=True)) for row in rows[1:]]
    first = next(row for row in by_column if row["姓名"] == "人员0")
    assert first["住址"] == "'" + FORMULA  # escaped, as the admin's own export
    assert first["身份证号"] == mask_id_number(Person.objects.get(name="人员0").id_number)
    assert not any(FULL_ID.search(str(row["身份证号"])) for row in by_column)
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.file_format, log.row_count, log.unmasked) == (
        leader,
        "人员名册",
        "xlsx",
        20000,
        False,
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=leader, object_id=str(job.pk)).count() == 1


def test_the_download_is_refused_to_another_user(client_for, leader, bureau_user, township_a, settings):
    settings.EXPORT_JOB_THRESHOLD = 2
    people(township_a, 3)
    post_export(client_for(leader))
    job = ExportJob.objects.get()
    other = client_for(bureau_user)

    assert other.get(f"{MY_EXPORTS}{job.pk}/download/").status_code == 404
    assert other.get(f"{MY_EXPORTS}{job.pk}/status/").status_code == 404
    assert f"{MY_EXPORTS}{job.pk}/download/" not in other.get(MY_EXPORTS).content.decode()
    assert other.get(f"{MY_EXPORTS}999999/download/").status_code == 404


def test_an_export_at_or_below_the_threshold_is_answered_at_once(client_for, leader, township_a, settings):
    settings.EXPORT_JOB_THRESHOLD = 3
    people(township_a, 3)

    response = post_export(client_for(leader))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert not ExportJob.objects.exists()


def test_an_unmasked_export_job_carries_the_purpose_and_holds_whole_values(
    client_for, bureau_user, township_a, settings
):
    settings.EXPORT_JOB_THRESHOLD = 2
    created = people(township_a, 3)
    client = client_for(bureau_user)

    post_export(client, unmasked="on", purpose="核对优待对象名单")

    job = ExportJob.objects.get()
    assert (job.unmasked, job.purpose, job.status) == (True, "核对优待对象名单", ExportJob.Status.DONE)
    numbers = {row[1] for row in download(client, job).iter_rows(min_row=2, values_only=True)}
    assert numbers == {person.id_number for person in created}
    log = ExportLog.objects.get()
    assert (log.row_count, log.unmasked, log.detail) == (3, True, "用途：核对优待对象名单；")


def test_an_unmasked_export_job_of_a_user_without_the_permission_writes_nothing(leader, township_a):
    # The task checks the user again: whole values only for a user who may see them now.
    people(township_a, 3)
    job = ExportJob.objects.create(user=leader, model="bureau.person", kind="人员名册", unmasked=True, purpose="核对")

    job = jobs.export_job_run(job_id=job.pk)

    assert (job.status, job.error) == (ExportJob.Status.FAILED, "您已没有导出完整个人信息的权限，导出未进行。")
    assert not job.file
    assert not ExportLog.objects.exists()


def test_expired_exports_are_deleted_by_the_beat_task(client_for, leader, township_a, settings):
    settings.EXPORT_JOB_THRESHOLD = 2
    people(township_a, 3)
    client = client_for(leader)
    post_export(client)
    job = ExportJob.objects.get()
    path = job.file.path

    assert jobs.export_jobs_expire(now=job.expires_at - datetime.timedelta(minutes=1)) == 0
    assert jobs.export_jobs_expire(now=job.expires_at) == 1

    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportJob.Status.EXPIRED, "")
    assert not os.path.exists(path)
    assert client.get(f"{MY_EXPORTS}{job.pk}/download/").status_code == 404
    assert "bureau.tasks.delete_expired_exports" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_polling_an_export_or_an_import_job_does_not_keep_an_idle_session_alive(client_for, leader, bureau_user):
    export = ExportJob.objects.create(user=leader, model="bureau.person", kind="人员名册", rows_total=10)
    imported = ImportJob.objects.create(user=bureau_user, model="bureau.person", kind="人员名册", rows_total=10)
    for user, status_url in (
        (leader, f"{MY_EXPORTS}{export.pk}/status/"),
        (bureau_user, f"/admin/bureau/person/import/{imported.pk}/status/"),
    ):
        client = client_for(user)
        client.get(MY_EXPORTS)
        key = client.session.session_key
        soon = timezone.now() + datetime.timedelta(minutes=5)
        Session.objects.filter(pk=key).update(expire_date=soon)

        response = client.get(status_url)

        assert response.status_code == 200
        assert response.json()["finished"] is False
        assert Session.objects.get(pk=key).expire_date == soon  # the page's own polling renews nothing
        client.get(MY_EXPORTS)
        assert Session.objects.get(pk=key).expire_date > timezone.now() + datetime.timedelta(minutes=29)


def test_the_export_status_endpoint_says_how_far_the_job_is(client_for, leader):
    job = ExportJob.objects.create(user=leader, model="bureau.person", kind="人员名册", rows_total=10)
    client = client_for(leader)

    response = client.get(f"{MY_EXPORTS}{job.pk}/status/")

    assert response.json() == {
        "id": job.pk,
        "status": "queued",
        "status_label": "排队中",
        "rows_total": 10,
        "rows_done": 0,
        "finished": False,
        "waiting_for_broker": False,
        "notice": "",
    }
