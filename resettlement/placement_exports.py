"""
The result list of a placement batch's public selection: a printable Word list and an Excel sheet.

Both follow the session's own state (`selection.session_state`): the candidates in rank order with
their score, the post chosen, when it was confirmed and whether it was signed. The Excel sheet adds
each component of the score. Neither carries an ID number or a phone: the list is posted publicly
after the session. Every export is an `ExportLog` line.
"""

import io

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from bureau.importexport.formats import escape_formula
from bureau.models import ExportLog
from resettlement import selection
from resettlement.models import PlacementBatch, PlacementCandidate

VIEW_PERMISSION = "resettlement.view_placementbatch"
EXPORT_KIND = "公开选岗结果名单"
HEADERS = ["排名", "姓名", "总分", "主管部门", "事业单位", "岗位", "确认时间", "签字"]
ADJUSTMENT_HEADER = "评分调整"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEITI = "黑体"
BODY_SIZE = Pt(14)  # 4号
# Only to read the rule's component labels, in the rule's order.
EMPTY_CANDIDATE = PlacementCandidate(service_years=0, hardship_years=0)
# Column widths of the Word table on landscape A4 (267 mm of text).
COLUMN_WIDTHS_MM = [14, 22, 18, 40, 56, 40, 42, 20]


def _check(by) -> None:
    if not by.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("您没有查看安排工作选岗批次的权限。")


def _date(value) -> str:
    return f"{value:%Y年%m月%d日}" if value else ""


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def result_rows(state: selection.SessionState) -> list[list]:
    """The table of the list: one row per candidate in rank order (the same in Word and Excel)."""
    rows = []
    for row in state.ranked:
        candidate = row.candidate
        chosen = getattr(candidate, "selection", None)
        position = chosen.position if chosen else None
        rows.append(
            [
                row.rank,
                candidate.person.name,
                row.score,
                position.department if position else "",
                position.institution if position else "",
                position.title if position else row.status,
                _time(chosen.chosen_at) if chosen else "",
                "已签字" if chosen and chosen.signed else "",
            ]
        )
    return rows


def notes(batch: PlacementBatch) -> list[str]:
    """The lines above the table: when and where, the rule, the ranking and turn rules, the state."""
    rule = batch.rule
    lines = [
        f"选岗日期：{_date(batch.session_on) or '未定'}　　选岗地点：{batch.venue or '未定'}",
        f"量化评分办法：{rule.name}"
        + (f"（{rule.document}）" if rule.document else "")
        + f"，{_date(rule.published_on)}公布。",
        "排名规则：按量化评分总分从高到低排名。" + selection.TIE_RULE,
        "选岗规则：" + selection.TURN_RULE,
    ]
    if batch.state == PlacementBatch.State.PREPARING:
        lines.append("（公开选岗尚未开始，以下为按当前评分的预排名。）")
    elif batch.state == PlacementBatch.State.IN_SESSION:
        lines.append(f"（公开选岗正在进行，本名单截至{timezone.localtime():%Y年%m月%d日 %H:%M}。）")
    return lines


def _log(*, by, batch: PlacementBatch, file_format: str, rows: int) -> None:
    ExportLog.objects.create(
        user=by, kind=EXPORT_KIND, file_format=file_format, row_count=rows, unmasked=False, detail=str(batch)
    )


def _filename(batch: PlacementBatch, extension: str) -> str:
    return f"公开选岗结果-{batch.year}-{batch.pk}.{extension}"


# --- Word ---------------------------------------------------------------------------------------


def _font(run, name: str, size: Pt, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # Chinese text takes the East Asian font; without it Word falls back to the theme's.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(word, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, center: bool = False, bold=False):
    paragraph = word.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(4)
    _font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def result_docx(batch: PlacementBatch, *, by) -> tuple[bytes, str]:
    """The printable result list (Word), for the notice board and the file."""
    _check(by)
    rows = result_rows(selection.session_state(batch))
    word = Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)

    _paragraph(word, batch.full_title, font=TITLE_FONT, size=Pt(22), center=True)
    _paragraph(word, "公开选岗结果名单", font=TITLE_FONT, size=Pt(18), center=True)
    for line in notes(batch):
        _paragraph(word, line)

    table = word.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEITI, Pt(12))
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, Pt(12))
    for column, width in zip(table.columns, COLUMN_WIDTHS_MM, strict=True):
        for cell in column.cells:
            cell.width = Mm(width)

    placed = sum(1 for values in rows if values[3])
    _paragraph(word, f"候选人共 {len(rows)} 名，已选岗 {placed} 名。")
    _paragraph(word, f"打印时间：{timezone.localtime():%Y年%m月%d日 %H:%M}")
    buffer = io.BytesIO()
    word.save(buffer)
    _log(by=by, batch=batch, file_format="docx", rows=len(rows))
    return buffer.getvalue(), _filename(batch, "docx")


# --- Excel --------------------------------------------------------------------------------------


def result_xlsx(batch: PlacementBatch, *, by) -> tuple[bytes, str]:
    """The result list with every component of each score (Excel): sheet 选岗结果, and the rules in 说明."""
    _check(by)
    state = selection.session_state(batch)
    rows = result_rows(state)
    labels = [component.label for component in selection.score_components(EMPTY_CANDIDATE, batch.rule)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "选岗结果"
    sheet.append([*HEADERS[:3], *labels, ADJUSTMENT_HEADER, *HEADERS[3:]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for ranked, values in zip(state.ranked, rows, strict=True):
        adjustment = sum((a.points for a in ranked.adjustments), 0)
        sheet.append(
            [
                *[escape_formula(value) for value in values[:3]],
                *[component.points for component in ranked.components],
                adjustment,
                *[escape_formula(value) for value in values[3:]],
            ]
        )
    about = workbook.create_sheet("说明")
    about.append([escape_formula(batch.full_title)])
    for line in notes(batch):
        about.append([escape_formula(line)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _log(by=by, batch=batch, file_format="xlsx", rows=len(rows))
    return buffer.getvalue(), _filename(batch, "xlsx")
