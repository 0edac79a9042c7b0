"""
Imports and large exports as jobs of the Celery worker (in-process on the embedded default,
where CELERY_TASK_ALWAYS_EAGER runs the same tasks eagerly).

Import: `import_job_create` stores the checked upload privately and queues `import_job_validate`
(a dry run of the resource, with progress), whose summary the preview shows; `import_job_confirm`
(once, by the job's user) queues `import_job_apply`, which imports the file in one transaction.

Export: `export_job_create` (above EXPORT_JOB_THRESHOLD rows) queues `export_job_run`, which writes
the file with openpyxl's write-only mode, masked as the admin export, logs it in ExportLog and offers
it in 我的导出 until `expires_at`; `export_jobs_expire` (beat) deletes the expired files.

Every step survives a crash (bureau.rules.background): tasks go through the outbox (a broker that is down
delays them, loses nothing), each step claims its job and beats while it works, and the watchdog
sends a step whose worker died again, or gives up after JOB_MAX_ATTEMPTS (failed, the upload
deleted). A step may therefore run again from the start: validation is a dry run, the import one
transaction (a killed one wrote nothing), and an export rewrites its file from scratch.
"""

import contextlib
import datetime
import logging
import shutil
import tempfile
from contextlib import nullcontext
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from django.utils.connection import ConnectionProxy
from import_export.results import RowResult
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bureau.base import masking
from bureau.celery import app as celery_app
from bureau.importexport import is_blank
from bureau.importexport.formats import UploadRefused
from bureau.importexport.resources import MORE_ERRORS_MESSAGE
from bureau.models import ExportJob, ExportLog, ImportJob
from bureau.models.jobs import private_storage
from bureau.rules import background

logger = logging.getLogger(__name__)

# Progress notes live in the "progress" cache (settings.CACHES): written from inside the job's own
# transaction, which hides (and a dry run rolls back) database writes, the database cache included.
progress_cache = ConnectionProxy(caches, "progress")
# Progress is written every this many rows (to the cache: the import's own transaction hides DB writes).
PROGRESS_EVERY = 500
# The preview keeps this many row errors and this many changed rows; it never lists every row.
ERRORS_KEPT = 100
SAMPLE_ROWS = 20
PROGRESS_TIMEOUT = 24 * 60 * 60


def model_admin_for(label: str):
    """The ModelAdmin the job's model is registered with (its resources, scoping, export queryset)."""
    return admin.site._registry[apps.get_model(label)]


def may_import(user, label: str) -> bool:
    opts = apps.get_model(label)._meta
    return bool(
        user.is_active
        and user.has_perm(f"{opts.app_label}.{settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE}_{opts.model_name}")
    )


def may_export(user, label: str) -> bool:
    opts = apps.get_model(label)._meta
    return bool(
        user.is_active
        and user.has_perm(f"{opts.app_label}.{settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE}_{opts.model_name}")
    )


def progress_key(job) -> str:
    # With the creation time: a reused id (a database restored or recreated) never reads an old note.
    return f"job-progress:{job._meta.model_name}:{job.pk}:{job.created_at.timestamp():.6f}"


def progress_note(job) -> int:
    """The running job's last progress note; 0 when there is none or the cache does not answer."""
    try:
        return progress_cache.get(progress_key(job)) or 0
    except Exception:
        logger.warning("进度缓存不可用，按已保存的进度显示。", exc_info=True)
        return 0


def progress_note_write(job, rows: int) -> None:
    """Note how far the job is. Display only: a cache that does not answer is logged, never fails the job."""
    try:
        progress_cache.set(progress_key(job), rows, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("进度缓存不可用，本次进度未记录。", exc_info=True)


def rows_done(job) -> int:
    """Rows the running job has done: its last progress note, or the row's own count."""
    return max(job.rows_done, progress_note(job)) if job.is_active else job.rows_done


def status_of(job) -> dict:
    """What a job's page polls: its status, how far it is, and whether it waits for the broker."""
    waiting = background.job_waiting_for_broker(job)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_total": job.rows_total,
        "rows_done": rows_done(job),
        "finished": not job.is_active,
        "waiting_for_broker": waiting,
        "notice": background.BROKER_DOWN_MESSAGE if waiting else "",
    }


def after_rows(job, done: int) -> None:
    """
    Called after each row an import's validation or apply has read (`done` so far), apart from
    the progress notes. Does nothing: it is the place where a test stops a job mid-way
    (tests/worker_hooks.py's WORKER_PAUSE_AT="bureau.importexport.jobs:after_rows").
    """


def after_export_rows(job, written: int) -> None:
    """Called after each row an export has written; the place where a test stops an export mid-way."""


VALIDATE_TASK = "bureau.tasks.validate_import_job"
APPLY_TASK = "bureau.tasks.apply_import_job"
EXPORT_TASK = "bureau.tasks.run_export_job"


# --- import -----------------------------------------------------------------------------------


def import_job_create(*, user, label: str, resource_index: int, upload, kind: str) -> ImportJob:
    """Store a checked upload (PortalImportForm) privately and queue its validation."""
    if not may_import(user, label):
        raise PermissionDenied("您没有导入该类数据的权限。")
    job = ImportJob(
        user=user,
        model=label,
        kind=kind,
        resource_index=resource_index,
        original_name=PurePosixPath(upload.name or "").name[:255],
    )
    job.full_clean(exclude=["file"])
    with transaction.atomic():
        job.save()
        # The stored name is the job's, never the uploaded one.
        job.file.save(f"import-{job.pk}.xlsx", upload, save=True)
        # Through the outbox: with the broker down the job and its file are kept and validated later.
        background.job_queue(job, VALIDATE_TASK)
    return job


class ProgressTracker:
    """Counts the rows the resource imports, notes progress every PROGRESS_EVERY rows, samples changes."""

    def __init__(self, job, resource, *, sample: bool):
        self.job, self.resource, self.sample = job, resource, sample
        self.done = 0
        self.blank = 0
        self.changes = []
        self.current = None
        self.columns = [field for field in resource.get_import_fields() if not field.readonly]

    def track(self, resource):
        """Wrap the resource's per-row steps (instance methods, so the resource class stays as it is)."""
        import_row, import_instance = resource.import_row, resource.import_instance

        def tracked_instance(instance, row, **kwargs):
            # The row's instance with the file's values: the sample's "after" (row results keep it only on request).
            self.current = instance
            return import_instance(instance, row, **kwargs)

        def tracked_row(row, instance_loader, **kwargs):
            self.current = None
            row_result = import_row(row, instance_loader, **kwargs)
            self.row_done(row, row_result, kwargs.get("row_number"))
            return row_result

        resource.import_instance = tracked_instance
        resource.import_row = tracked_row

    def row_done(self, row, row_result, row_number):
        self.done += 1
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP and all(is_blank(value) for value in row.values()):
            self.blank += 1
        if (
            self.sample
            and len(self.changes) < SAMPLE_ROWS
            and row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
            and (instance := row_result.instance or self.current) is not None
        ):
            self.changes.append(
                {
                    "row": (row_number or self.done) + 1,
                    "type": row_result.import_type,
                    "pk": instance.pk if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE else None,
                    "after": self.values(instance),
                }
            )
        if self.done % PROGRESS_EVERY == 0:
            progress_note_write(self.job, self.done)
        after_rows(self.job, self.done)

    def values(self, instance) -> dict:
        """The row's values as the user may see them (sensitive fields masked, like an export)."""
        shown = {}
        for field in self.columns:
            try:
                value = self.resource.export_field(field, instance)
            except Exception:  # a half-built instance of a new row: the value is not shown
                value = ""
            shown[field.column_name] = "" if value is None else str(value)
        return shown

    def sample_changes(self) -> list[dict]:
        """Field by field: a new row's filled values; an updated row's values before (as stored) and after."""
        model = apps.get_model(self.job.model)
        originals = model._default_manager.in_bulk([change["pk"] for change in self.changes if change["pk"]])
        sample = []
        for change in self.changes:
            before = self.values(originals[change["pk"]]) if change["pk"] in originals else {}
            fields = [
                {"column": column, "before": before.get(column, ""), "after": after}
                for column, after in change["after"].items()
                if (after != before.get(column, "")) and (after or before)
            ]
            sample.append({"row": change["row"], "type": change["type"], "fields": fields})
        return sample


def _read_dataset(job):
    model_admin = model_admin_for(job.model)
    file_format = model_admin.get_import_formats()[0]()
    with job.file.open("rb") as stored:
        return file_format.create_dataset(stored.read())


def _import_resource(job, *, sample: bool):
    model_admin = model_admin_for(job.model)
    resource_class = model_admin.get_import_resource_classes(None)[job.resource_index]
    resource = resource_class(user=job.user)
    tracker = ProgressTracker(job, resource, sample=sample)
    tracker.track(resource)
    return resource, tracker


def _row_messages(result) -> list[str]:
    messages = list(getattr(result, "row_messages", None) or [])
    if not messages and (result.has_errors() or result.has_validation_errors()):
        messages = ["文件中有错误，未导入任何记录。"]
    return messages


def _counts(result, tracker) -> dict:
    totals = result.totals
    return {
        "new": totals.get(RowResult.IMPORT_TYPE_NEW, 0),
        "update": totals.get(RowResult.IMPORT_TYPE_UPDATE, 0),
        # Blank lines are skipped too; they are not rows of the list.
        "skip": max(0, totals.get(RowResult.IMPORT_TYPE_SKIP, 0) - tracker.blank),
        "error": totals.get(RowResult.IMPORT_TYPE_ERROR, 0) + totals.get(RowResult.IMPORT_TYPE_INVALID, 0),
    }


def _finish_invalid(job: ImportJob, messages: list[str], status=ImportJob.Status.INVALID) -> None:
    job.status = status
    # The job keeps the first errors; when there are more, it says so in their place.
    job.errors = messages if len(messages) <= ERRORS_KEPT else [*messages[: ERRORS_KEPT - 1], MORE_ERRORS_MESSAGE]
    job.error_count = len(messages)
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "errors", "error_count", "finished_at", "rows_done", "rows_total", "summary", "result"]
    )
    # A file that will not be imported is not kept.
    job.file.delete(save=True)


def _fail(job: ImportJob, message: str) -> None:
    """Failed for a reason that is not the file's rows (the page shows `error`, not row errors); the file goes."""
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    job.file.delete(save=True)


VALIDATE_FAILED = "校验时出错，详细原因已记入系统日志。请重新上传文件导入；如仍失败，请联系系统管理员。"
APPLY_FAILED = "导入时出错，未写入任何记录，详细原因已记入系统日志。请重新上传文件导入；如仍失败，请联系系统管理员。"
NOT_CONFIRMED = "上传后长时间未确认，文件已删除，未写入任何记录。请重新上传文件导入。"


def import_job_validate(*, job_id: int) -> ImportJob | None:
    """
    The dry run of a queued import: counts, the errors by Excel row, a sample of the changes.
    Claimed from 排队 (or from 正在校验 when the run before it died): a dry run writes nothing,
    so a run again after a crash starts over.
    """
    job = background.job_claim(
        ImportJob, job_id, from_states=[ImportJob.Status.QUEUED], to_state=ImportJob.Status.VALIDATING
    )
    if job is None:  # a duplicate message, another live run, or given up
        return ImportJob.objects.filter(pk=job_id).first()
    if not may_import(job.user, job.model):
        _finish_invalid(job, ["您没有导入该类数据的权限。"])
        return job
    with background.job_heartbeat(job):
        _validate(job)
    return job


def _validate(job: ImportJob) -> None:
    try:
        dataset = _read_dataset(job)
        job.rows_total = len(dataset)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
        resource, tracker = _import_resource(job, sample=True)
        result = resource.import_data(dataset, dry_run=True, raise_errors=False)
    except UploadRefused as refused:
        _finish_invalid(job, [str(refused)])
        return
    except Exception:
        logger.exception("Import job %s failed while validating", job.pk)
        _fail(job, VALIDATE_FAILED)
        return
    job.rows_done = job.rows_total
    job.summary = {**_counts(result, tracker), "sample": tracker.sample_changes() if not result.has_errors() else []}
    messages = _row_messages(result)
    if messages:
        _finish_invalid(job, messages)
        return
    job.status = ImportJob.Status.VALIDATED
    job.save(update_fields=["status", "rows_done", "rows_total", "summary"])


def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """Queue the import of a validated job; only its user, and only once (a second post changes nothing)."""
    if job.user_id != by.pk:
        raise PermissionDenied("只能确认自己上传的导入。")
    with transaction.atomic():
        # The user starts the import anew: its own attempts (the validation's are spent).
        confirmed = ImportJob.objects.filter(pk=job.pk, user=by, status=ImportJob.Status.VALIDATED).update(
            status=ImportJob.Status.CONFIRMED, confirmed_at=timezone.now(), rows_done=0, attempts=0
        )
        if not confirmed:
            job.refresh_from_db()
            if job.status in (ImportJob.Status.CONFIRMED, ImportJob.Status.APPLYING, ImportJob.Status.DONE):
                raise ValidationError("该导入已经确认过，不会重复导入。")
            raise ValidationError(f"该导入的状态是“{job.get_status_display()}”，不能确认导入。")
        background.job_queue(job, APPLY_TASK)
    job.refresh_from_db()
    return job


def import_job_apply(*, job_id: int) -> ImportJob | None:
    """
    Import a confirmed job's file in one transaction: every row, or (any error) none. Claimed
    from 已确认 (or from 正在导入 when the run before it died): a killed run's transaction wrote
    nothing, so the next one imports every row, once.
    """
    job = background.job_claim(
        ImportJob, job_id, from_states=[ImportJob.Status.CONFIRMED], to_state=ImportJob.Status.APPLYING
    )
    if job is None:  # a duplicate message, another live run, or given up
        return ImportJob.objects.filter(pk=job_id).first()
    if not may_import(job.user, job.model):
        _finish_invalid(job, ["您没有导入该类数据的权限。"], ImportJob.Status.FAILED)
        return job
    with background.job_heartbeat(job):
        _apply(job)
    return job


def _apply(job: ImportJob) -> None:
    try:
        dataset = _read_dataset(job)
        resource, tracker = _import_resource(job, sample=False)
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, raise_errors=False)
            messages = _row_messages(result)
            if not messages:
                job.status = ImportJob.Status.DONE
                job.rows_done = job.rows_total
                job.result = _counts(result, tracker)
                job.finished_at = timezone.now()
                # Saved in the import's transaction: the job says done exactly when the rows are there.
                job.save(update_fields=["status", "rows_done", "result", "finished_at"])
    except Exception:
        logger.exception("Import job %s failed while importing", job.pk)
        _fail(job, APPLY_FAILED)
        return
    if messages:
        # The file no longer validates (records changed since the preview): the resource rolled back.
        _finish_invalid(job, messages, ImportJob.Status.FAILED)
        return
    job.file.delete(save=True)


# --- export -----------------------------------------------------------------------------------


def export_job_create(
    *,
    user,
    label: str,
    kind: str,
    resource_index: int,
    query: str,
    export_fields: list[str] | None,
    unmasked: bool,
    purpose: str,
) -> ExportJob:
    """Queue an export of the admin list (`query`: its filters) to be written by the worker."""
    if not may_export(user, label):
        raise PermissionDenied("您没有导出该类数据的权限。")
    if unmasked and not masking.can_view_sensitive(user):
        raise PermissionDenied("您没有导出完整个人信息的权限。")
    if unmasked and not purpose.strip():
        raise ValidationError("导出完整个人信息时必须填写用途。")
    job = ExportJob(
        user=user,
        model=label,
        kind=kind,
        resource_index=resource_index,
        query=query,
        export_fields=list(export_fields or []),
        unmasked=unmasked,
        purpose=purpose.strip(),
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        # Through the outbox: with the broker down the job is kept and written once it is back.
        background.job_queue(job, EXPORT_TASK)
    return job


def _export_request(job: ExportJob):
    """The admin list request the export was made from, for its user: filters, search and scope."""
    opts = apps.get_model(job.model)._meta
    request = RequestFactory().get(f"/admin/{opts.app_label}/{opts.model_name}/", data=None, QUERY_STRING=job.query)
    request.user = job.user
    return request


def cell_value(value):
    """A value openpyxl can write: local time without zone, no control characters."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_rows(job: ExportJob, resource, queryset, stream) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(job.kind)[:31] or "导出")
    fields = job.export_fields or None
    resource.before_export(queryset, export_fields=fields)
    sheet.append(resource.get_export_headers(selected_fields=fields))
    written = 0
    for instance in resource.iter_queryset(resource.filter_export(queryset, export_fields=fields)):
        sheet.append([cell_value(value) for value in resource.export_resource(instance, selected_fields=fields)])
        written += 1
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=written)
            progress_note_write(job, written)
        after_export_rows(job, written)
    workbook.save(stream)
    return written


def scratch_directory(job: ExportJob) -> Path:
    """Where an export's temporary files are: the job's own folder in the private storage."""
    return Path(private_storage.path(f"exports/tmp/export-{job.pk}"))


@contextlib.contextmanager
def _scratch(job: ExportJob):
    """
    Every temporary file of the export in the job's own folder, deleted at the end: openpyxl's
    write-only sheet keeps the rows written so far in a temporary file it deletes only at exit,
    which a killed worker never reaches. A run killed mid-way leaves them in that folder, and the
    next run of the job (or the hourly sweep) deletes it; never a file of people's data in /tmp.
    A worker's process runs one task at a time, so pointing `tempfile` there for the write affects
    only the export; not so a threaded web server running the task eagerly (the embedded default),
    where the other requests' temporary files must stay where they are.
    """
    directory = scratch_directory(job)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    in_worker = not celery_app.conf.task_always_eager
    saved = tempfile.tempdir
    if in_worker:
        tempfile.tempdir = str(directory)
    try:
        yield directory
    finally:
        if in_worker:
            tempfile.tempdir = saved
        shutil.rmtree(directory, ignore_errors=True)


def _discard_partial(job: ExportJob) -> None:
    """What an earlier run of the job left when it died: its file (named on the row before writing) and its scratch folder."""
    if job.file:
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
    shutil.rmtree(scratch_directory(job), ignore_errors=True)


def _export_failed(job: ExportJob, message: str) -> ExportJob:
    _discard_partial(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """
    Write a queued export: the user's permission and scope checked again, masked unless asked and
    allowed. Claimed from 排队中 (or from 正在导出 when the run before it died): the file is
    written again from the first row, and what the dead run left is deleted first.
    """
    job = background.job_claim(
        ExportJob, job_id, from_states=[ExportJob.Status.QUEUED], to_state=ExportJob.Status.RUNNING
    )
    if job is None:  # a duplicate message, another live run, or given up
        return ExportJob.objects.filter(pk=job_id).first()
    _discard_partial(job)
    if not may_export(job.user, job.model):
        return _export_failed(job, "您已没有导出该类数据的权限，导出未进行。")
    if job.unmasked and not masking.can_view_sensitive(job.user):
        return _export_failed(job, "您已没有导出完整个人信息的权限，导出未进行。")
    model_admin = model_admin_for(job.model)
    request = _export_request(job)
    try:
        queryset = model_admin.get_export_queryset(request)
    except IncorrectLookupParameters:
        return _export_failed(job, "导出的筛选条件无效。")
    with background.job_heartbeat(job):
        return _export(job, model_admin, request, queryset)


def _export(job: ExportJob, model_admin, request, queryset) -> ExportJob:
    job.rows_total = queryset.count()
    job.rows_done = 0
    # The file's name is on the row before a byte is written: a run killed after writing it leaves
    # no file the next run (or the sweep of failed exports) does not know of.
    job.file.name = job.file.field.generate_filename(job, f"export-{job.pk}.xlsx")
    job.save(update_fields=["rows_total", "rows_done", "file"])
    resource_class = model_admin.get_export_resource_classes(request)[job.resource_index]
    resource = resource_class(**model_admin.get_export_resource_kwargs(request))
    try:
        with (
            _scratch(job) as scratch,
            masking.disclosure() as disclosed,
            masking.unmasked() if job.unmasked else nullcontext(),
        ):
            part = scratch / "export.xlsx.part"
            with part.open("w+b") as stream:
                written = _write_rows(job, resource, queryset, stream)
                stream.seek(0)
                if private_storage.exists(job.file.name):
                    private_storage.delete(job.file.name)
                job.file.name = private_storage.save(job.file.name, File(stream))
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        return _export_failed(job, "导出时出错，详细原因已记入系统日志。请重新导出；如仍失败，请联系系统管理员。")
    job.rows_done = written
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
    with transaction.atomic():
        job.save()
        # As the admin's own export logs it (the row writes the audit event): whether whole values were in the file.
        ExportLog.objects.create(
            user=job.user,
            kind=job.kind,
            file_format="xlsx",
            row_count=written,
            unmasked=disclosed.unmasked,
            detail=(f"用途：{job.purpose}；{job.query}" if job.purpose else job.query)[:500],
        )
    return job


def export_job_download(*, job: ExportJob, by):
    """Open a finished export for its owner; anyone else, or an expired file, is refused (LookupError)."""
    if job.user_id != by.pk or not job.is_downloadable:
        raise LookupError(job.pk)
    try:
        return job.file.open("rb")
    except FileNotFoundError as error:
        raise LookupError(job.pk) from error


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of exports past their time (and of imports never confirmed within it); answer how many."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        expired += 1
    stale = now - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
    # Imports validated and never confirmed: their file (whole ID numbers) is not kept.
    for job in ImportJob.objects.filter(status=ImportJob.Status.VALIDATED, created_at__lte=stale).exclude(file=""):
        job.file.delete(save=False)
        job.status, job.error, job.finished_at = ImportJob.Status.FAILED, NOT_CONFIRMED, now
        job.save(update_fields=["file", "status", "error", "finished_at"])
    # What a worker killed at the wrong moment may leave: the file of a finished import, of a failed
    # export (named on its row before writing), and the scratch folder of an export no longer running.
    finished = (ImportJob.Status.DONE, ImportJob.Status.INVALID, ImportJob.Status.FAILED)
    for job in [
        *ImportJob.objects.filter(status__in=finished).exclude(file=""),
        *ExportJob.objects.filter(status=ExportJob.Status.FAILED).exclude(file=""),
    ]:
        job.file.delete(save=True)
    scratch = Path(private_storage.path("exports/tmp"))
    if scratch.is_dir():
        running = {
            f"export-{pk}" for pk in ExportJob.objects.filter(status__in=ExportJob.ACTIVE).values_list("pk", flat=True)
        }
        for directory in scratch.iterdir():
            if directory.name not in running:
                shutil.rmtree(directory, ignore_errors=True)
    return expired
