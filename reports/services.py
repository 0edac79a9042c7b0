"""
Writes of the annual report engine: request a run, execute it (in the Celery worker), retry it,
download its file. Views, the admin and the task call these and stay thin.
"""

import datetime
import hashlib
import logging
import posixpath
import time
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from bureau.base.scoping import sees_all_townships, township_of
from bureau.models import SiteProfile, Township
from bureau.rules import background
from reports.compose import Part, compose_report, display_value, render_text, report_context, year_parts
from reports.dashboard import opening_year
from reports.docx import render_docx
from reports.finals import changes_record, figures_changed, latest_final
from reports.models import AnnualReportRun, Narrative, ReportDownload
from reports.registry import collect_sections
from reports.xlsx import render_xlsx

logger = logging.getLogger(__name__)

REQUEST_PERMISSION = "reports.request_annualreportrun"
FIRST_YEAR = 2000
RENDERERS = {"docx": render_docx, "xlsx": render_xlsx}
GENERATE_TASK = "reports.tasks.generate_annual_report"


class ReportFileMissing(LookupError):
    """The run has no such file (not done, format not requested, or the file is gone from disk)."""


def default_report_year() -> int:
    """The year the dashboard opens on: the last year with data, at most the current year (`reports.dashboard`)."""
    return opening_year()


def report_years() -> range:
    """Years a report may be requested for, newest first: 2000 to next year (plans are drafted early)."""
    return range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)


def may_request_reports(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(REQUEST_PERMISSION))


def requestable_townships(user):
    """Townships the user may request a report for; `may_request_district` says whether 全区 is allowed too."""
    if sees_all_townships(user):
        return Township.objects.all()
    own = township_of(user)
    return Township.objects.filter(pk=own.pk) if own else Township.objects.none()


def may_request_district(user) -> bool:
    return sees_all_townships(user)


def _require_may_request(*, township: Township | None, by) -> None:
    if not may_request_reports(by):
        raise PermissionDenied("您没有生成年度报告的权限。")
    if not sees_all_townships(by):
        own = township_of(by)
        if township is None:
            raise PermissionDenied("服务站工作人员只能生成本乡镇（街道）的报告，不能生成全区报告。")
        if own is None or township.pk != own.pk:
            raise PermissionDenied("服务站工作人员只能生成本乡镇（街道）的报告。")


def report_run_request(*, year: int, township: Township | None, formats: list[str], by) -> AnnualReportRun:
    """
    Create a queued run and queue its generation through the outbox (bureau.rules.background): sent
    when the transaction commits, or later by the outbox if the broker is down then.

    Station staff may request only their own township; a district-wide run (township None)
    needs a role that sees all townships.
    """
    _require_may_request(township=township, by=by)
    errors = {}
    years = report_years()
    if not isinstance(year, int) or year not in years:
        errors["year"] = f"年度须在{years[-1]}年至{years[0]}年之间。"
    chosen = set(formats or [])
    if not chosen:
        errors["formats"] = "请至少选择一种格式（Word 或 Excel）。"
    elif not chosen <= set(AnnualReportRun.FILE_FORMATS):
        errors["formats"] = "格式只能是 Word（docx）或 Excel（xlsx）。"
    if errors:
        raise ValidationError(errors)

    run = AnnualReportRun(
        year=year,
        township=township,
        # Stored in a fixed order, so "xlsx,docx" and "docx,xlsx" are the same choice.
        formats=",".join(f for f in AnnualReportRun.FILE_FORMATS if f in chosen),
        requested_by=by,
    )
    run.full_clean()
    with transaction.atomic():
        run.save()
        # The outbox row is written with the run: the worker finds the row, a rolled-back request
        # queues nothing, and a broker that is down delays the run instead of losing it.
        background.job_queue(run, GENERATE_TASK)
    return run


def report_run_stalled(run: AnnualReportRun) -> bool:
    """Generating, but its worker stopped beating for JOB_STALE_SECONDS: the worker died mid-way."""
    return run.status == AnnualReportRun.Status.RUNNING and background.job_stalled(run)


def report_run_retryable(run: AnnualReportRun) -> bool:
    """Failed, or stalled while generating: the dashboard offers 重试."""
    return run.status == AnnualReportRun.Status.FAILED or report_run_stalled(run)


def report_run_retry(*, run: AnnualReportRun, by) -> AnnualReportRun:
    """
    重试. A failed run: a new run with its parameters; the failed run stays, with its error.
    A stalled run (its worker died; normally the watchdog resumes it by itself): the same run
    queued again from the start, its attempts counted anew. A run still generating is refused.
    """
    if run.status == AnnualReportRun.Status.FAILED:
        return report_run_request(year=run.year, township=run.township, formats=run.format_list, by=by)
    if run.status != AnnualReportRun.Status.RUNNING:
        raise ValidationError("只有生成失败或已中断的任务可以重试。")
    _require_may_request(township=run.township, by=by)
    with transaction.atomic():
        locked = AnnualReportRun.objects.select_for_update().get(pk=run.pk)
        if not report_run_stalled(locked):
            raise ValidationError("该任务正在生成中，请稍候；只有生成失败或已中断的任务可以重试。")
        locked.status, locked.attempts, locked.progress, locked.step = AnnualReportRun.Status.QUEUED, 0, 0, "排队等待中"
        locked.save(update_fields=["status", "attempts", "progress", "step"])
        background.job_queue(locked, GENERATE_TASK)
    return locked


def report_runs_waiting_for_broker(runs) -> set[int]:
    """Ids of the queued `runs` whose task still waits in the outbox (the broker was down)."""
    return background.jobs_waiting_for_broker(run for run in runs if run.status == AnnualReportRun.Status.QUEUED)


def _set_progress(run: AnnualReportRun, progress: int, step: str) -> None:
    # A plain UPDATE outside any transaction, so the dashboard's status poll sees it at once.
    run.progress, run.step = progress, step
    AnnualReportRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def between_steps(run: AnnualReportRun, step: str) -> None:
    """
    Called between the steps of a run (after composing, after each file is rendered). Does nothing:
    it is where a test stops the run (tests/worker_process.py `pause_at="reports.services:between_steps"`).
    """


def between_files(run: AnnualReportRun, file_format: str) -> None:
    """
    Called after each file is written to storage, before the run is marked done. Does nothing: it
    is where a test stops the run with a file already on disk (`pause_at="reports.services:between_files"`).
    """


def _file_names(run: AnnualReportRun, file_format: str) -> set[str]:
    """Where this run's file of `file_format` may lie: upload_to's year folder is the year it was written."""
    field = run.file_for(file_format).field
    # As FileField.generate_filename names it, for each year from the request's to today's.
    return {
        field.storage.generate_filename(
            posixpath.join(datetime.date(year, 1, 1).strftime(str(field.upload_to)), run.storage_name(file_format))
        )
        # The process's clock names the folder: from a year before the request (any time zone) to now.
        for year in range(run.created_at.year - 1, timezone.localdate().year + 2)
    }


def _delete_earlier_files(run: AnnualReportRun) -> None:
    """Files an earlier attempt of this run wrote before its worker died: deleted, not orphaned."""
    storage = run.docx_file.storage
    for file_format in AnnualReportRun.FILE_FORMATS:
        for name in _file_names(run, file_format):
            if storage.exists(name):
                logger.warning("Annual report run %s: deleting %s left by an interrupted attempt.", run.pk, name)
                storage.delete(name)


def report_run_execute(*, run_id: int) -> AnnualReportRun:
    """
    Generate the files of a queued run: compose, render, store with their SHA-256, mark done.

    The run is claimed first (bureau.rules.background.job_claim): a message delivered twice, a run
    another worker is generating, or a finished run is left alone; a run whose worker died
    (stale heartbeat) is generated again from the start. The files are written at the end, under
    the run's row lock and only while this attempt still holds the run; files an interrupted
    attempt left are deleted first, so a crash leaves no orphan file.

    Any error marks the run failed with a Chinese message (the traceback goes to the log);
    the run is never left done with a file missing.
    """
    Status = AnnualReportRun.Status
    run = background.job_claim(AnnualReportRun, run_id, from_states=[Status.QUEUED], to_state=Status.RUNNING)
    if run is None:
        return AnnualReportRun.objects.select_related("township").filter(pk=run_id).first()
    attempt = run.attempts
    run.started_at = timezone.now()
    run.progress, run.step, run.error = 5, "正在汇总各业务数据", ""
    AnnualReportRun.objects.filter(pk=run.pk).update(
        started_at=run.started_at, progress=run.progress, step=run.step, error=""
    )

    started = time.monotonic()
    written = []
    try:
        with background.job_heartbeat(run):
            document = compose_report(year=run.year, township=run.township)
            _compare_with_final(run, document)
            between_steps(run, "compose")
            contents = {}
            for index, file_format in enumerate(run.format_list):
                _set_progress(
                    run, 40 + 40 * index // len(run.format_list), f"正在生成 {run.FORMAT_LABELS[file_format]} 文件"
                )
                contents[file_format] = RENDERERS[file_format](document)
                between_steps(run, file_format)
            _set_progress(run, 90, "正在保存文件")
            with transaction.atomic():
                holder = AnnualReportRun.objects.select_for_update().filter(pk=run.pk).first()
                if holder is None or holder.status != Status.RUNNING or holder.attempts != attempt:
                    # Taken over by a later attempt (this worker was thought dead) or retried: not ours to write.
                    logger.warning("Annual report run %s was taken over; attempt %s writes nothing.", run.pk, attempt)
                    return holder
                _delete_earlier_files(run)
                for file_format, content in contents.items():
                    run.file_for(file_format).save(run.storage_name(file_format), ContentFile(content), save=False)
                    written.append(run.file_for(file_format).name)
                    setattr(run, f"{file_format}_sha256", hashlib.sha256(content).hexdigest())
                    between_files(run, file_format)
                run.status = Status.DONE
                run.progress, run.step = 100, "已完成"
                run.finished_at = timezone.now()
                run.duration = datetime.timedelta(seconds=time.monotonic() - started)
                run.save()
    except Exception:
        logger.exception("Annual report run %s failed at step %r", run.pk, run.step)
        failed_step = run.step
        for name in written:  # no orphan files of a failed run
            run.docx_file.storage.delete(name)
        # Only while this attempt holds the run: a later attempt's run is not failed by this one.
        AnnualReportRun.objects.filter(pk=run.pk, status=Status.RUNNING, attempts=attempt).update(
            status=Status.FAILED,
            step="生成失败",
            error=(
                f"报告生成失败：{failed_step.removeprefix('正在')}时出错，详细原因已记入系统日志。"
                "请点击“重试”重新生成；如仍失败，请联系系统管理员。"
            ),
            docx_file="",
            xlsx_file="",
            docx_sha256="",
            xlsx_sha256="",
            finished_at=timezone.now(),
            duration=datetime.timedelta(seconds=time.monotonic() - started),
        )
        run.refresh_from_db()
    return run


def _compare_with_final(run: AnnualReportRun, document) -> None:
    """A district run of a year with a final version: what changed since, on the run and in its Excel file."""
    final = latest_final(run.year) if run.township_id is None else None
    if final is None:
        run.final_changes = None
        return
    document.final_changes = figures_changed(year=run.year, document=document, final=final)
    run.final_changes = changes_record(final, document.final_changes)


def report_download_open(*, run: AnnualReportRun, file_format: str, by) -> File:
    """Open a done run's file for download and log who took it. Raises ReportFileMissing."""
    if file_format not in AnnualReportRun.FILE_FORMATS or not run.has_file(file_format):
        raise ReportFileMissing(file_format)
    try:
        opened = run.file_for(file_format).open("rb")
    except FileNotFoundError as error:
        raise ReportFileMissing(file_format) from error
    ReportDownload.objects.create(run=run, user=by, file_format=file_format)
    return opened


def download_filename(*, run: AnnualReportRun, file_format: str) -> str:
    return run.download_name(file_format, SiteProfile.get().full_bureau_name)


@dataclass
class NarrativePreview:
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def narrative_preview(*, narrative: Narrative) -> NarrativePreview:
    """
    The narrative as the report would print it with the year's district figures, and the
    warnings the report would carry if the wording falls back to the default.
    """
    preview = NarrativePreview()
    context = report_context(year=narrative.year)
    sections = collect_sections(year=narrative.year)
    part = next((part for part in year_parts(sections) if part.key == narrative.key), None)
    if part is not None:
        where, default = part.name, part.default
    else:
        item = next((item for section in sections for item in section.items if item.key == narrative.key), None)
        if item is None:
            preview.warnings.append(
                f"段落代码“{narrative.key}”不存在：报告不会使用这段文字。"
                "请填写 opening、closing、导语代码（如 employment.lead）或条目代码。"
            )
            return preview
        if not item.has_data:
            labels = "、".join(figure.label for figure in item.missing_figures)
            preview.notes.append(
                f"{narrative.year}年该条目缺少数据（{labels}），报告将其列入“数据缺项”，不会印出这段文字。"
            )
        where, default = item.title, item.default_sentence
        context.update({figure.key: display_value(figure) for figure in item.figures})
    preview.text = render_text(narrative.text, default, context, where=where, warnings=preview.warnings)
    return preview


def year_words(*, year: int) -> list[tuple[Part, Narrative | None]]:
    """The year's words (opening, each section's lead, closing) with the year's edited row of each, if any."""
    rows = {n.key: n for n in Narrative.objects.filter(year=year)}
    return [(part, rows.get(part.key)) for part in year_parts(collect_sections(year=year))]


def year_words_fill(*, year: int, by=None) -> list[tuple[Part, Narrative]]:
    """
    为该年填入默认文字: a Narrative row for each of the year's words that has none, holding the default
    wording for staff to edit. A row that exists is never overwritten (edited or not); a section without a
    default lead gets no row. Returns the parts filled, with their new rows.
    """
    created = []
    for part, row in year_words(year=year):
        if row is None and part.default:
            narrative, new = Narrative.objects.get_or_create(
                year=year, key=part.key, defaults={"text": part.default, "updated_by": by}
            )
            if new:  # another clerk's fill at the same moment keeps theirs
                created.append((part, narrative))
    return created
