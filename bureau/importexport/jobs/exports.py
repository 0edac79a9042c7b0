"""
Export jobs: an admin list above EXPORT_JOB_THRESHOLD rows written by the worker with openpyxl's
write-only mode, masked as the admin's export unless asked and allowed, logged in ExportLog and
offered in 我的导出 until it expires. A run again after a crash rewrites the file from the first
row, having deleted what the dead run left (its file and its scratch folder).
"""

import contextlib
import datetime
import logging
import shutil
import tempfile
from contextlib import nullcontext
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.query_utils import DeferredAttribute
from django.test import RequestFactory
from django.utils import timezone
from import_export.fields import Field
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bureau.base import masking
from bureau.base.masking import shown
from bureau.celery import app as celery_app
from bureau.importexport.formats import FORMULA_TRIGGERS, escape_formula
from bureau.importexport.resources import PortalResource
from bureau.models import ExportJob, ExportLog
from bureau.models.jobs import private_storage
from bureau.rules import background

from .common import PROGRESS_EVERY, PROGRESS_TIMEOUT, may_export, model_admin_for, progress_cache, progress_key

logger = logging.getLogger(__name__)


def after_export_rows(job, written: int) -> None:
    """
    Called after each row an export has written. Does nothing: it is the place where a test stops
    an export mid-way (WORKER_PAUSE_AT="bureau.importexport.jobs.exports:after_export_rows").
    """


EXPORT_TASK = "bureau.tasks.run_export_job"


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


def values_columns(resource, selected) -> tuple[list[str], list] | None:
    """
    The values the export reads (`values_list` paths, the primary key first) and, per column, the
    function of a row of them giving its cell, exactly as `PortalResource.export_field` gives it from
    the record: the widget's `render` of the field's value, masked as the model declares (counted by
    the open `disclosure()`), formula-escaped. None when a column needs the record itself (a
    `dehydrate_` method, a property, a widget that names the record): the export then reads records.
    """
    kind = type(resource)
    if any(getattr(kind, name) is not getattr(PortalResource, name) for name in RECORD_HOOKS):
        return None
    model = resource._meta.model
    user = resource.user
    paths = ["pk"]
    columns = []
    for field in resource.get_export_fields(selected):
        name = resource.get_field_name(field)
        method = field.get_dehydrate_method(name)
        if type(field) is not Field or callable(method) or getattr(resource, method, None) is not None:
            return None
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            model_field = model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None
        mask = resource.mask_of(field)
        export_render = getattr(field.widget, "export_render", None)
        render = export_render() if export_render is not None else field.widget.render
        if not model_field.is_relation and model_field.concrete:
            # A value the model's descriptor hands back unchanged (not a file, not a property).
            if type(getattr(model, model_field.attname, None)) is not DeferredAttribute:
                return None
            index = len(paths)
            paths.append(model_field.attname)
            columns.append(_column(index, None, render, mask, user))
        elif (model_field.many_to_one or model_field.one_to_one) and model_field.concrete:
            related = getattr(field.widget, "export_related", None)
            plan = related() if related is not None else None
            if plan is None:
                return None
            related_name, related_cell = plan
            index = len(paths)
            paths += [model_field.attname, f"{model_field.name}__{related_name}"]
            # A record without the related one: the widget's `render` of None, as `Field.get_value` gives.
            columns.append(_column(index, (render(None), related_cell), render, mask, user))
        else:
            return None
    return paths, columns


def _column(index: int, related, render, mask, user):
    """The cell function of one column (see `values_columns`): `related` is (cell without it, cell of its value)."""
    if related is None:
        rendered = lambda row: render(row[index])  # noqa: E731
    else:
        absent, of_value = related
        rendered = lambda row: absent if row[index] is None else of_value(row[index + 1])  # noqa: E731
    if mask is None:
        return lambda row: text_cell(rendered(row))
    return lambda row: text_cell(shown(user, rendered(row), mask))


def text_cell(value):
    """`cell_value(escape_formula(value))`, the regular expression run only on a string that is not all printable."""
    if value.__class__ is str:
        if value.startswith(FORMULA_TRIGGERS):
            value = "'" + value
        return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)
    return cell_value(escape_formula(value))


# A resource overriding one of these makes its cells from records (the library's way), not from values.
RECORD_HOOKS = ("export_field", "export_resource", "get_export_fields", "iter_queryset", "get_field_name")


def _rows(resource, queryset, fields):
    """The rows of cells: from values in chunks where every column allows it, else from the records."""
    queryset = resource.filter_export(queryset, export_fields=fields)
    plan = values_columns(resource, fields)
    if plan is None:
        for instance in resource.iter_queryset(queryset):
            yield [cell_value(value) for value in resource.export_resource(instance, selected_fields=fields)]
        return
    paths, columns = plan
    # No prefetch is read; the primary key keeps a DISTINCT query (a filter across a relation) one row a record.
    values = queryset.prefetch_related(None).values_list(*paths)
    for row in values.iterator(chunk_size=resource.get_chunk_size()):
        yield [column(row) for column in columns]


def _note_progress(job: ExportJob, written: int) -> None:
    """
    How far the export is, in the progress cache the job's page reads: no query per PROGRESS_EVERY rows.
    Only when the cache does not answer is the count written on the job's row instead.
    """
    try:
        progress_cache.set(progress_key(job), written, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("进度缓存不可用，本次进度记入导出任务。", exc_info=True)
        ExportJob.objects.filter(pk=job.pk).update(rows_done=written)


def _write_rows(job: ExportJob, resource, queryset, stream) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(job.kind)[:31] or "导出")
    fields = job.export_fields or None
    resource.before_export(queryset, export_fields=fields)
    sheet.append(resource.get_export_headers(selected_fields=fields))
    written = 0
    for cells in _rows(resource, queryset, fields):
        sheet.append(cells)
        written += 1
        if written % PROGRESS_EVERY == 0:
            _note_progress(job, written)
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
