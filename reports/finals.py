"""
Closing a year's report (定稿) on the report's side: the district report as it stood when the year was
closed, its files and every figure kept (`FinalReport`), and what changed since when it is generated
again after an unlock. The lock itself is the core's (`bureau.rules.closing`); permissions
(`bureau.close_year`, `bureau.reopen_year`) are checked by the views and the commands, not here.
"""

import datetime
import hashlib
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bureau.models import ClosedYear, SiteProfile
from bureau.rules.closing import year_close, year_reopen
from reports.compose import ReportDocument, compose_report
from reports.docx import render_docx
from reports.models import FinalReport, ReportDownload
from reports.xlsx import KEY_FIGURES_ITEM, render_xlsx

FINAL_RENDERERS = {"docx": render_docx, "xlsx": render_xlsx}
# The registry's key figures (基本情况) are kept under this item key.
KEY_FIGURES_KEY = "key_figures"
CENT = Decimal("0.01")


class FinalFileMissing(LookupError):
    """The final report has no such file, or it is gone from disk."""


@dataclass
class Change:
    """One figure that differs from the final version: as it was signed, and as it is now."""

    item_title: str
    label: str
    final: object
    now: object
    unit: str = ""

    @property
    def final_text(self) -> str:
        return value_text(self.final, self.unit)

    @property
    def now_text(self) -> str:
        return value_text(self.now, self.unit)

    def __str__(self) -> str:
        return f"{self.item_title}·{self.label}：定稿 {self.final_text}，现 {self.now_text}"


def stored_value(value):
    """A figure's value as JSON keeps it exactly: money as its decimal text, names as a list."""
    if isinstance(value, Decimal):
        # Fen at least, whatever the database returns for a sum (13300 on SQLite, 13300.00 on PostgreSQL).
        return f"{value.quantize(CENT):f}" if value.as_tuple().exponent >= -2 else f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [stored_value(v) for v in value]
    if value == "" or value == []:
        return None
    return value


def value_text(value, unit: str = "") -> str:
    """A stored value as people read it: 13300.00 元, 张一、张二, — for none."""
    if value is None or value == []:
        return "—"
    text = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return f"{text} {unit}".strip() if unit else text


def document_figures(document: ReportDocument) -> dict:
    """Every figure of the report: {item key: {figure key: {label, value, unit, item_title}}}, in report order."""
    figures: dict[str, dict] = {}
    for compared in document.figures:
        figure = compared.figure
        figures.setdefault(compared.item_key, {})[figure.key] = {
            "label": figure.label,
            "value": stored_value(figure.value),
            "unit": figure.unit,
            "item_title": compared.item,
        }
    for figure in document.key_figures:
        figures.setdefault(KEY_FIGURES_KEY, {})[figure.key] = {
            "label": figure.label,
            "value": stored_value(figure.value),
            "unit": figure.unit,
            "item_title": KEY_FIGURES_ITEM,
        }
    return figures


def latest_final(year: int) -> FinalReport | None:
    return FinalReport.objects.filter(year=year).select_related("closed_by").order_by("-version").first()


def figures_changed(*, year: int, document: ReportDocument, final: FinalReport | None = None) -> list[Change]:
    """
    The figures of a freshly composed district report that differ from the year's latest final version,
    in the report's order (a figure the final version had and the report no longer states comes last).
    Unchanged figures are not listed; without a final version nothing is.
    """
    final = final or latest_final(year)
    if final is None:
        return []
    kept = final.figures
    now = document_figures(document)
    changes = []
    for item_key, figures in now.items():
        for figure_key, figure in figures.items():
            signed = kept.get(item_key, {}).get(figure_key)
            before = signed["value"] if signed else None
            if before != figure["value"]:
                changes.append(Change(figure["item_title"], figure["label"], before, figure["value"], figure["unit"]))
    for item_key, figures in kept.items():
        for figure_key, figure in figures.items():
            if figure_key not in now.get(item_key, {}) and figure["value"] is not None:
                changes.append(Change(figure["item_title"], figure["label"], figure["value"], None, figure["unit"]))
    return changes


def changes_record(final: FinalReport, changes: list[Change]) -> dict:
    """What a run keeps of the comparison (AnnualReportRun.final_changes)."""
    return {"version": final.version, "changes": [asdict(change) for change in changes]}


def changes_from_record(record: dict | None) -> list[Change]:
    return [Change(**change) for change in (record or {}).get("changes", [])]


def _refuse_if_closed(year: int) -> None:
    closing = ClosedYear.objects.filter(year=year, closed=True).first()
    if closing is not None:
        raise ValidationError(
            f"{year}年已于{timezone.localtime(closing.closed_at):%Y年%m月%d日}定稿，不能重复定稿；"
            "如需更正后重新定稿，请先由有权限的人员解锁。"
        )


def report_close(*, year: int, by) -> FinalReport:
    """
    定稿: compose the year's district report, write its Word and Excel files, keep them with every figure
    as the year's next FinalReport version, and close the year (bureau.rules.closing.year_close), in one
    transaction: a failure leaves no version, no file and the year open. A closed year, or a year whose
    report states nothing, is refused (ValidationError, in Chinese).
    """
    _refuse_if_closed(year)
    document = compose_report(year=year)
    if not document.sections:
        raise ValidationError(f"{year}年没有可写入报告的数据，不能定稿。")
    contents = {file_format: render(document) for file_format, render in FINAL_RENDERERS.items()}
    written = []
    storage = FinalReport._meta.get_field("docx_file").storage
    try:
        with transaction.atomic():
            _refuse_if_closed(year)
            last = FinalReport.objects.filter(year=year).aggregate(last=Max("version"))["last"] or 0
            final = FinalReport(year=year, version=last + 1, closed_by=by, figures=document_figures(document))
            for file_format, content in contents.items():
                final.file_for(file_format).save(final.storage_name(file_format), ContentFile(content), save=False)
                written.append(final.file_for(file_format).name)
                setattr(final, f"{file_format}_sha256", hashlib.sha256(content).hexdigest())
            final.save()
            closing = year_close(year=year, by=by)
            final.closed_at = closing.closed_at
            final.save(update_fields=["closed_at"])
    except BaseException:
        for name in written:  # no file of a closing that did not happen
            storage.delete(name)
        raise
    return final


def report_reopen(*, year: int, by, reason: str):
    """解锁: reopen a closed year with a reason (audited by bureau.rules.closing.year_reopen); the final files stay."""
    return year_reopen(year=year, by=by, reason=reason)


@dataclass
class YearState:
    """A year's closing as the dashboard and the admin say it."""

    year: int
    closing: ClosedYear | None
    finals: list[FinalReport]

    @property
    def closed(self) -> bool:
        return bool(self.closing and self.closing.closed)

    @property
    def latest(self) -> FinalReport | None:
        return self.finals[0] if self.finals else None

    @property
    def text(self) -> str:
        closing = self.closing
        if closing is None:
            return f"{self.year}年报告尚未定稿。"
        closed = f"{_name(closing.closed_by)}，{timezone.localtime(closing.closed_at):%Y-%m-%d %H:%M}"
        version = f"，第{self.latest.version}版" if self.latest else ""
        if closing.closed:
            return f"{self.year}年报告已定稿（{closed}{version}）。"
        return (
            f"{self.year}年报告已解锁（{_name(closing.reopened_by)}，"
            f"{timezone.localtime(closing.reopened_at):%Y-%m-%d %H:%M}，原因：{closing.reopen_reason}）；"
            f"上次定稿：{closed}{version}。"
        )


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def year_state(year: int) -> YearState:
    closing = ClosedYear.objects.filter(year=year).select_related("closed_by", "reopened_by").first()
    finals = list(FinalReport.objects.filter(year=year).select_related("closed_by").order_by("-version"))
    return YearState(year=year, closing=closing, finals=finals)


def final_download_open(*, final: FinalReport, file_format: str, by) -> File:
    """Open a final report's file for download and log who took it (ReportDownload). Raises FinalFileMissing."""
    if file_format not in FinalReport.FILE_FORMATS or not final.file_for(file_format):
        raise FinalFileMissing(file_format)
    try:
        opened = final.file_for(file_format).open("rb")
    except FileNotFoundError as error:
        raise FinalFileMissing(file_format) from error
    ReportDownload.objects.create(final=final, user=by, file_format=file_format)
    return opened


def final_download_filename(*, final: FinalReport, file_format: str) -> str:
    return final.download_name(file_format, SiteProfile.get().full_bureau_name)
