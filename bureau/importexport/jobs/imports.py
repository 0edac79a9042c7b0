"""
Import jobs: the checked upload stored privately, validated by a dry run whose summary the preview
shows (counts, errors by Excel row, a sample of the changes), then, once its user confirms, imported
in one transaction. Either step may run again after a crash from the start: the dry run writes
nothing, and a killed import's transaction wrote nothing.

The validation keeps the rows it checked, as the values to write (bureau.importexport.validated,
a file next to the upload); the import writes those, re-checking only what may have changed since
the preview (the records' versions, new keys taken meanwhile, the user's role and scope, the closed
years), without reading the sheet or validating a row again. A job without kept rows (validated
before they were kept, or with a value they do not keep) is validated again by its import, as before.
"""

import logging
from pathlib import PurePosixPath

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from import_export.results import RowResult

from bureau.importexport import is_blank, validated
from bureau.importexport.formats import UploadRefused
from bureau.importexport.resources import MORE_ERRORS_MESSAGE
from bureau.models import ImportJob
from bureau.rules import background

from .common import PROGRESS_EVERY, may_import, model_admin_for, progress_note_write

logger = logging.getLogger(__name__)

# The preview keeps this many row errors and this many changed rows; it never lists every row.
ERRORS_KEPT = 100
SAMPLE_ROWS = 20


def after_rows(job, done: int) -> None:
    """
    Called after each row an import's validation or apply has read (`done` so far), apart from
    the progress notes. Does nothing: it is the place where a test stops a job mid-way
    (tests/worker_hooks.py's WORKER_PAUSE_AT="bureau.importexport.jobs.imports:after_rows").
    """


VALIDATE_TASK = "bureau.tasks.validate_import_job"
APPLY_TASK = "bureau.tasks.apply_import_job"


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
                    "row": self.resource.excel_row(row_number or self.done),
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


def _finish_invalid(job: ImportJob, messages: list[str], status=ImportJob.Status.INVALID, *, keep_file=False) -> None:
    job.status = status
    # The job keeps the first errors; when there are more, it says so in their place.
    job.errors = messages if len(messages) <= ERRORS_KEPT else [*messages[: ERRORS_KEPT - 1], MORE_ERRORS_MESSAGE]
    job.error_count = len(messages)
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "errors", "error_count", "finished_at", "rows_done", "rows_total", "summary", "result"]
    )
    # A file that will not be imported is not kept; unless its header lacks a column a clerk may
    # map from one it did not recognise (checked again from the preview; the sweep deletes it later).
    if not keep_file:
        job.file.delete(save=True)


def _fail(job: ImportJob, message: str) -> None:
    """Failed for a reason that is not the file's rows (the page shows `error`, not row errors); the file goes."""
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    job.file.delete(save=True)


VALIDATE_FAILED = "校验时出错，详细原因已记入系统日志。请重新上传文件导入；如仍失败，请联系系统管理员。"
APPLY_FAILED = "导入时出错，未写入任何记录，详细原因已记入系统日志。请重新上传文件导入；如仍失败，请联系系统管理员。"


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
    kept = None
    # A run before this one (killed, or before a mapping changed) may have kept rows: never used now.
    validated.kept_delete(job)
    try:
        dataset = _read_dataset(job)
        job.rows_total = len(dataset)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
        resource, tracker = _import_resource(job, sample=True)
        kept = resource.kept_rows = validated.KeptRows(resource)
        result = resource.import_data(dataset, dry_run=True, raise_errors=False)
    except UploadRefused as refused:
        _discard(kept)
        _finish_invalid(job, [str(refused)])
        return
    except Exception:
        _discard(kept)
        logger.exception("Import job %s failed while validating", job.pk)
        _fail(job, VALIDATE_FAILED)
        return
    # Below the header row found (title rows above it are not rows of the list).
    job.rows_total = job.rows_done = len(dataset)
    job.summary = {**_counts(result, tracker), "sample": tracker.sample_changes() if not result.has_errors() else []}
    # The header row found, the columns recognised by alias or saved mapping, those ignored (the preview's).
    columns = resource.header_report
    if columns:
        job.summary["columns"] = columns
    messages = _row_messages(result)
    if messages:
        kept.discard()
        mappable = bool(resource.file_problem and columns and columns["unknown"] and columns["targets"])
        _finish_invalid(job, messages, keep_file=mappable)
        return
    try:
        rows = kept.save(job, resource.header_row)
    except Exception:  # not kept: the import validates the file again
        logger.exception("Import job %s: the validated rows were not kept", job.pk)
        rows = None
    if rows is not None:
        job.summary["validated_rows"] = rows
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


def _discard(kept) -> None:
    if kept is not None:
        kept.discard()


def _apply(job: ImportJob) -> None:
    try:
        kept = validated.kept_open(job)
    except Exception:
        logger.exception("Import job %s: its validated rows cannot be read; validating the file again", job.pk)
        kept = None
    if kept is not None:
        _apply_kept(job, *kept)
        return
    try:
        dataset = _read_dataset(job)
        resource, tracker = _import_resource(job, sample=False)
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, raise_errors=False)
            messages = _row_messages(result)
            if not messages:
                _done(job, _counts(result, tracker))
    except Exception:
        logger.exception("Import job %s failed while importing", job.pk)
        _fail(job, APPLY_FAILED)
        return
    if messages:
        # The file no longer validates (records changed since the preview): the resource rolled back.
        _finish_invalid(job, messages, ImportJob.Status.FAILED)
        return
    job.file.delete(save=True)


def _done(job: ImportJob, result: dict) -> None:
    """The job done with its counts, saved in the import's transaction: it says done exactly when the rows are there."""
    job.status = ImportJob.Status.DONE
    job.rows_done = job.rows_total
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows_done", "result", "finished_at"])


def _apply_kept(job: ImportJob, kept: dict, lines) -> None:
    """The rows the validation checked, written after the re-checks of what may have changed since."""

    def on_row(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            progress_note_write(job, done)
        after_rows(job, done)

    try:
        model_admin = model_admin_for(job.model)
        resource = model_admin.get_import_resource_classes(None)[job.resource_index](user=job.user)
        with transaction.atomic():
            try:
                messages = validated.apply_rows(resource, kept, lines, on_row=on_row)
            except validated.Refused as refused:
                messages = refused.messages
            if messages:
                transaction.set_rollback(True)
            else:
                _done(job, {key: job.summary.get(key, 0) for key in ("new", "update", "skip", "error")})
    except Exception:
        logger.exception("Import job %s failed while importing", job.pk)
        _fail(job, APPLY_FAILED)
        return
    if messages:
        _finish_invalid(job, messages, ImportJob.Status.FAILED)
        return
    job.file.delete(save=True)


@receiver(post_save, sender=ImportJob, dispatch_uid="bureau.importexport.jobs.kept_rows")
def kept_rows_cleanup(sender, instance, **kwargs) -> None:
    """
    The kept rows (whole ID numbers, as the upload) go with the upload: whatever path deletes it or
    ends the job (done, failed, given up by the watchdog, swept), the next save of the job deletes them.
    """
    if instance.file and instance.status in (ImportJob.Status.VALIDATED, *ImportJob.ACTIVE):
        return
    validated.kept_delete(instance)
