"""
Word rendering of the annual report, laid out after GB/T 9704 (党政机关公文格式).

A4, text block 156 × 225 mm, title 2号 小标宋, body 3号 仿宋_GB2312 with a
2-character first-line indent and fixed 28.95 pt lines (22 lines a page),
level-1 headings 黑体, level-2 headings 楷体_GB2312, headings kept with the paragraph after them.
Page numbers "— 1 —" in 4号 宋体, odd pages on the right and even pages on the left, one character in.
After the body: the attachment note (附件：1．主要数据表 / 2．主要图表), the signature and date, then
each attachment on a page of its own headed 附件1, 附件2 (附件 alone when there is one). The gap
list (数据缺项) is for staff: it is a sheet of the Excel workbook, not a page of this document.
Tables never merge cells: WPS mangles merged cells on round trips. The page and type are the printout
kit's (`bureau.printouts.gbt9704`), shared with every printout of the portal.
"""

import datetime
from decimal import Decimal
from io import BytesIO
from typing import TYPE_CHECKING

from django.utils import timezone
from docx import Document
from docx.shared import Mm, Pt

from bureau.printouts import gbt9704
from bureau.reporting import Figure
from reports.compose import RenderedItem, ReportDocument

if TYPE_CHECKING:
    from reports.charts import CJKFont

CHART_WIDTH = Mm(150)
NO_VALUE = "—"
# The page and type of GB/T 9704 are the printout kit's (bureau.printouts.gbt9704), shared with every printout.
STYLES = gbt9704.STYLES
BODY_SIZE, LINE_SPACING, INDENT_2_CHARACTERS = gbt9704.BODY_SIZE, gbt9704.LINE_SPACING, gbt9704.INDENT_2_CHARACTERS
_set_up_page, _set_up_styles, _paragraph = gbt9704.set_up_page, gbt9704.set_up_styles, gbt9704.paragraph

KEY_FIGURES_TITLE = "主要数据表"
CHARTS_TITLE = "主要图表"


def render_docx(document: ReportDocument, *, chart_font: "CJKFont | None" = None) -> bytes:
    """
    The report as a .docx file (bytes), ready to print or to edit in Word/WPS.

    The charts are drawn with `chart_font` (default: `reports.charts.cjk_font()`); without a CJK font
    installed this raises `reports.charts.CJKFontMissing` rather than print boxes for the Chinese text.
    """
    charts = [chart for chart in document.charts if not chart.is_empty]
    # Imported here: matplotlib takes 0.7 s of CPU to import, which every web and worker process would pay
    # at start (the URLconf imports this module) for the few that write a Word report.
    from reports.charts import draw_chart

    images = [draw_chart(chart, chart_font) for chart in charts]
    attachments = [KEY_FIGURES_TITLE] + ([CHARTS_TITLE] if charts else [])
    word = Document()
    _set_up_styles(word)
    _set_up_page(word)
    _write_body(word, document)
    _write_attachment_note(word, attachments)
    _write_signature(word, document)
    _write_attachment_heading(word, attachments, 0)
    _write_key_figures(word, document)
    if charts:
        _write_attachment_heading(word, attachments, 1)
        _write_charts(word, charts, images)
    _set_properties(word, document)
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# --- the document ------------------------------------------------------------------------------


def _write_body(word, document: ReportDocument) -> None:
    title = _paragraph(word, "公文标题", (document.title, False))
    last_heading = title
    if document.subtitle:
        last_heading = _paragraph(word, "公文副标题", (document.subtitle, False))
    # One blank line between the title block and the text.
    last_heading.paragraph_format.space_after = LINE_SPACING
    _paragraph(word, "公文正文", (document.opening, False))
    _paragraph(word, "公文一级标题", ("一、工作开展落实情况", False))
    if not document.sections:
        _paragraph(word, "公文正文", ("本年度各部分均无可统计的记录。", False))
    for rendered in document.sections:
        heading = rendered.section.heading.rstrip("。")
        _paragraph(word, "公文二级标题", (f"{rendered.label}{heading}。", False))
        if rendered.lead:
            _paragraph(word, "公文正文", (rendered.lead, False))
        for item in rendered.items:
            _paragraph(word, "公文正文", *_item_parts(item))
    _paragraph(word, "公文正文", (document.closing, False))


def _item_parts(rendered: RenderedItem) -> list[tuple[str, bool]]:
    """`一是标题。` in bold, the sentence plain: the paragraph reads back exactly as `rendered.text`."""
    lead_in = f"{rendered.label}{rendered.item.title}。"
    if rendered.text.startswith(lead_in):
        return [(lead_in, True), (rendered.text[len(lead_in) :], False)]
    return [(rendered.text, False)]


def _write_attachment_note(word, attachments: list[str]) -> None:
    """附件说明 (GB/T 9704 7.3.4): a blank line after the body, two characters in; numbered when several."""
    if len(attachments) == 1:
        lines = [f"附件：{attachments[0]}"]
    else:
        lines = [f"{'附件：' if n == 1 else ''}{n}．{name}" for n, name in enumerate(attachments, start=1)]
    for n, line in enumerate(lines):
        paragraph = _paragraph(word, "附件说明", (line, False))
        # The names of further attachments align with the first name, after 「附件：」.
        paragraph.paragraph_format.left_indent = INDENT_2_CHARACTERS + (BODY_SIZE * 3 if n else 0)
        if n == 0:
            paragraph.paragraph_format.space_before = LINE_SPACING


def signing_date(document: ReportDocument) -> datetime.date:
    """The year's signing date; without one the year's last day, never the day the file is generated."""
    return document.signed_on or datetime.date(document.year, 12, 31)


def _write_signature(word, document: ReportDocument) -> None:
    signed = signing_date(document)
    for text in (document.signatory, f"{signed.year}年{signed.month}月{signed.day}日"):
        paragraph = _paragraph(word, "公文署名", (text, False))
        # 署名 and 成文日期 stand four characters in from the right edge.
        paragraph.paragraph_format.right_indent = gbt9704.SIGNATURE_INDENT
    word.paragraphs[-2].paragraph_format.space_before = LINE_SPACING * 2
    word.paragraphs[-2].paragraph_format.keep_with_next = True


def _write_attachment_heading(word, attachments: list[str], index: int) -> None:
    """A page of its own: 「附件1」 top left in 黑体, the attachment's name centred on the third line."""
    _paragraph(word, "附件标题", ("附件" if len(attachments) == 1 else f"附件{index + 1}", False))
    name = _paragraph(word, "附件名称", (attachments[index], False))
    name.paragraph_format.space_before = LINE_SPACING
    name.paragraph_format.space_after = Pt(14)


def _write_key_figures(word, document: ReportDocument) -> None:
    year = document.year
    previous_year = document.previous_year
    # The columns name the years compared; an unrecorded previous year keeps its column, with dashes.
    columns = [("指标", 52), ("单位", 20), (f"{year}年", 30), (f"{previous_year or year - 1}年", 30), ("增减", 24)]
    rows = []
    for figure in document.key_figures:
        previous = document.previous_key_figures.get(figure.key) if previous_year else None
        rows.append(_key_figure_row(figure, previous, recorded=previous_year is not None))
    _table(word, columns, rows)
    if previous_year is None:
        note = f"注：{year - 1}年的数据未录入本系统，{year - 1}年及增减栏以“{NO_VALUE}”表示。"
    else:
        note = f"注：增减为{year}年较{previous_year}年的变化。"
    _paragraph(word, "表注", (note, False)).paragraph_format.space_before = Pt(6)


def _write_charts(word, charts: list, images: list[bytes]) -> None:
    """Each chart 150 mm wide, its caption 「图1　…」 below it."""
    for number, (chart, image) in enumerate(zip(charts, images, strict=True), start=1):
        paragraph = word.add_paragraph(style="图")
        paragraph.add_run().add_picture(BytesIO(image), width=CHART_WIDTH)
        _paragraph(word, "图题", (f"图{number}　{chart.title}", False))


def _table(word, columns: list[tuple[str, int]], rows: list[list[str]]) -> None:
    gbt9704.table(word, columns, rows)


def _set_properties(word, document: ReportDocument) -> None:
    properties = word.core_properties
    properties.title = document.title
    properties.subject = f"{document.year}年“六稳六保”工作情况"
    properties.author = properties.last_modified_by = document.signatory
    properties.comments = ""
    properties.keywords = ""
    properties.category = "工作汇报"
    properties.language = "zh-CN"
    properties.revision = 1
    properties.created = properties.modified = timezone.now()


# --- figures as the table shows them -----------------------------------------------------------


def _key_figure_row(figure: Figure, previous, *, recorded: bool = True) -> list[str]:
    """指标, 单位, 本年, 上年, 增减; money in one unit per row (万元 from 10,000 yuan on, else 元).

    When the previous year is not recorded (`recorded` False) its column and the change show 「—」.
    """
    value = figure.value
    numeric = isinstance(value, int | Decimal)
    change = value - previous if numeric and isinstance(previous, int | Decimal) else None
    unit, show = figure.unit, _plain
    if figure.unit == "元" and numeric:
        divisor, unit = (Decimal(10000), "万元") if abs(value) >= 10000 else (Decimal(1), "元")

        def show(amount) -> str:
            return "" if amount is None else _decimal(Decimal(amount) / divisor)

    if not recorded or previous is None:
        return [figure.label, unit, show(value), NO_VALUE, NO_VALUE]
    return [figure.label, unit, show(value), show(previous), _signed(change, show) or NO_VALUE]


def _signed(change, show) -> str:
    if change is None:
        return ""
    return ("+" if change > 0 else "") + show(change)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return _decimal(value)
    return str(value)


def _decimal(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
