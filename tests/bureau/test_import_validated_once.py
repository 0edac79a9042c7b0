"""
An import validates once (bureau.importexport.validated): the validation job keeps the rows it
checked next to the upload, and the import job writes them without reading the sheet or validating
a row again, re-checking only what may have changed since the preview: a record changed or a key
taken meanwhile refuses the file (a stale write is refused), and nothing is written. A change of
the column mapping drops the kept rows.
"""

from pathlib import Path

import pytest
from django.test import TestCase

from bureau.importexport import jobs, sheet, validated
from bureau.importexport.resources import PortalResource
from bureau.models import AuditEvent, ImportJob, Person
from bureau.models.jobs import private_storage
from tests.bureau.test_import_export import IMPORT_HEADERS, person_row, xlsx_file
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    return settings.PRIVATE_ROOT


@pytest.fixture
def calls(monkeypatch):
    """Counts of the sheet reader's and the row validation's calls (the real functions, counted)."""
    counted = {"read_rows": 0, "validate_instance": 0}
    read_rows, validate_instance = sheet.read_rows, PortalResource.validate_instance

    def counting_read_rows(*args, **kwargs):
        counted["read_rows"] += 1
        return read_rows(*args, **kwargs)

    def counting_validate_instance(self, *args, **kwargs):
        counted["validate_instance"] += 1
        return validate_instance(self, *args, **kwargs)

    monkeypatch.setattr(sheet, "read_rows", counting_read_rows)
    monkeypatch.setattr(PortalResource, "validate_instance", counting_validate_instance)
    return counted


def validated_job(user, content) -> ImportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = jobs.import_job_create(
            user=user, label="bureau.person", resource_index=0, upload=_named(content), kind="人员"
        )
    job.refresh_from_db()
    return job


def confirmed(job, user) -> ImportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.import_job_confirm(job=job, by=user)
    job.refresh_from_db()
    return job


def _named(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("people.xlsx", content)


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_the_import_job_writes_the_validated_rows_without_reading_or_validating_them_again(
    calls, bureau_user, township_a, person_a, private_root
):
    rows = [person_row(1, township_a), person_row(2, township_a)]
    rows.append(person_row(3, township_a, {"身份证号": person_a.id_number, "姓名": "张甲改", "住址": "新华路3号"}))
    version = person_a.version

    job = validated_job(bureau_user, xlsx_file(rows))

    assert job.status == ImportJob.Status.VALIDATED
    assert calls == {"read_rows": 1, "validate_instance": 3}
    kept = job.summary["validated_rows"]
    assert kept["rows"] == 3
    assert private_storage.exists(kept["name"]) and kept["name"] == f"{job.file.name}.rows.gz"
    calls.update(read_rows=0, validate_instance=0)
    events = AuditEvent.objects.filter(content_type__model="person").count()

    job = confirmed(job, bureau_user)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert calls == {"read_rows": 0, "validate_instance": 0}  # neither parsed nor validated again
    assert job.result == {"new": 2, "update": 1, "skip": 0, "error": 0}
    written = {
        person.id_number: (person.name, person.phone, person.address, person.township_id, person.review_status)
        for person in Person.objects.all()
    }
    assert written == {
        rows[0]["身份证号"]: ("导入人员1", "13900000001", "幸福路1号", township_a.pk, "approved"),
        rows[1]["身份证号"]: ("导入人员2", "13900000002", "幸福路2号", township_a.pk, "approved"),
        person_a.id_number: ("张甲改", "13900000003", "新华路3号", township_a.pk, "approved"),
    }
    person_a.refresh_from_db()
    assert person_a.version == version + 1
    assert Person.objects.get(id_number=rows[0]["身份证号"]).discharged_on.isoformat() == "1985-10-01"
    assert Person.history.filter(history_type="+").count() == 2 + 1  # two new, and person_a's own creation
    assert Person.history.filter(history_type="~", id=person_a.pk).count() == 1
    assert AuditEvent.objects.filter(content_type__model="person").count() == events + 3
    assert files_under(private_root) == []  # the upload and its kept rows are deleted


def test_a_record_changed_after_the_validation_refuses_the_import_and_nothing_is_written(
    bureau_user, superuser, township_a, person_a
):
    rows = [person_row(1, township_a), person_row(2, township_a, {"身份证号": person_a.id_number, "姓名": "张甲改"})]
    job = validated_job(bureau_user, xlsx_file(rows))
    assert job.status == ImportJob.Status.VALIDATED
    # Someone else saves the record between the preview and the confirm.
    person_a.phone = "13811112222"
    person_a._history_user = superuser
    person_a.save()

    job = confirmed(job, bureau_user)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0] == validated.STALE_HEAD
    assert job.errors[1].startswith("第 3 行：该记录已于 ") and "修改" in job.errors[1]
    assert job.error_count == 2
    person_a.refresh_from_db()
    assert (person_a.name, person_a.phone) == ("张甲", "13811112222")  # not written over
    assert list(Person.objects.values_list("id_number", flat=True)) == [person_a.id_number]  # nor the new row
    assert not job.file


def test_a_record_added_after_the_validation_with_a_new_rows_key_refuses_the_import(bureau_user, township_a):
    rows = [person_row(1, township_a), person_row(2, township_a)]
    job = validated_job(bureau_user, xlsx_file(rows))
    assert job.summary["new"] == 2
    PersonFactory(name="他人录入", id_number=rows[1]["身份证号"], township=township_a)

    job = confirmed(job, bureau_user)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        validated.STALE_HEAD,
        "第 3 行：" + validated.ADDED_MEANWHILE.format(columns="身份证号"),
    ]
    assert list(Person.objects.values_list("name", flat=True)) == ["他人录入"]


def test_a_mapping_change_drops_the_kept_rows_and_the_next_validation_keeps_the_mapped_column(
    calls, bureau_user, township_a
):
    headers = [("家庭电话" if header == "联系电话" else header) for header in IMPORT_HEADERS]
    rows = [
        {("家庭电话" if key == "联系电话" else key): value for key, value in person_row(n, township_a).items()}
        for n in (1, 2)
    ]
    job = validated_job(bureau_user, xlsx_file(rows, headers=headers))
    assert job.status == ImportJob.Status.VALIDATED
    assert job.summary["columns"]["unknown"] == ["家庭电话"]
    stale_rows = job.summary["validated_rows"]["name"]
    assert private_storage.exists(stale_rows)

    jobs.import_job_map_columns(job=job, by=bureau_user, choices={"家庭电话": "联系电话"})

    # Before the validation runs again: the rows read without the phone column are gone.
    assert not private_storage.exists(stale_rows)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and "validated_rows" not in job.summary
    with TestCase.captureOnCommitCallbacks(execute=True):
        jobs.import_job_validate(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    calls.update(read_rows=0, validate_instance=0)

    job = confirmed(job, bureau_user)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert calls == {"read_rows": 0, "validate_instance": 0}
    assert sorted(Person.objects.values_list("phone", flat=True)) == ["13900000001", "13900000002"]


def test_a_job_validated_without_kept_rows_is_validated_again_by_its_import(calls, bureau_user, township_a):
    job = validated_job(bureau_user, xlsx_file([person_row(1, township_a)]))
    validated.kept_delete(job)
    job.summary.pop("validated_rows")
    job.save(update_fields=["summary"])
    calls.update(read_rows=0, validate_instance=0)

    job = confirmed(job, bureau_user)

    assert job.status == ImportJob.Status.DONE
    assert calls == {"read_rows": 1, "validate_instance": 1}
    assert list(Person.objects.values_list("name", flat=True)) == ["导入人员1"]


def test_kept_values_read_back_as_the_validation_had_them():
    import datetime
    from decimal import Decimal

    from django.db import models

    values = {
        models.DateField(): datetime.date(1985, 10, 1),
        models.DateTimeField(): datetime.datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC),
        models.DecimalField(max_digits=10, decimal_places=2): Decimal("1234.50"),
        models.DurationField(): datetime.timedelta(days=2, seconds=5),
        models.CharField(): "张三",
        models.IntegerField(): 7,
        models.BooleanField(): True,
    }
    for field, value in values.items():
        assert validated.decoder(field)(validated.encode(value)) == value
    with pytest.raises(validated.Unstorable):
        validated.encode(object())


def test_the_kept_rows_go_with_the_upload_whatever_ends_the_job(bureau_user, township_a, private_root):
    given_up = validated_job(bureau_user, xlsx_file([person_row(1, township_a)]))
    swept = validated_job(bureau_user, xlsx_file([person_row(2, township_a)]))
    assert len(files_under(private_root)) == 4  # two uploads, each with its kept rows
    ImportJob.objects.filter(pk=swept.pk).update(status=ImportJob.Status.DONE)  # a run killed after its commit

    given_up.job_give_up("多次尝试均未完成。")  # the watchdog's
    jobs.export_jobs_expire()  # the hourly sweep

    assert files_under(private_root) == []
