"""
Word rendering of the annual report, laid out after GB/T 9704 (党政机关公文格式).

A4, text block 156 × 225 mm, title 2号 小标宋, body 3号 仿宋_GB2312 with a
2-character first-line indent and fixed 28.95 pt lines (22 lines a page),
level-1 headings 黑体, level-2 headings 楷体_GB2312, headings kept with the paragraph after them.
Page numbers "— 1 —" in 4号 宋体, odd pages on the right and even pages on the left, one character in.
After the body: the attachment note (附件：1．主要数据表 / 2．主要图表), the signature and date, then
each attachment on a page of its own headed 附件1, 附件2 (附件 alone when there is one). The gap
list (数据缺项) is for staff: it is a sheet of the Excel workbook, not a page of this document.
Tables never merge cells: WPS mangles merged cells on round trips.
"""

import datetime
from decimal import Decimal
from io import BytesIO
from typing import TYPE_CHECKING

from django.utils import timezone
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from bureau.reporting import Figure
from reports.compose import RenderedItem, ReportDocument

if TYPE_CHECKING:
    from reports.charts import CJKFont

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
TABLE_SIZE = Pt(14)  # 4号: a five-column table fits the 156 mm text block
LINE_SPACING = Pt(28.95)  # 225 mm / 22 lines
INDENT_2_CHARACTERS = Pt(32)
PAGE_NUMBER_INDENT = Pt(14)  # one character of the 4号 page number in from the edge
CHART_WIDTH = Mm(150)
NO_VALUE = "—"

THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# name: (font, size, alignment, first-line indent, bold)
STYLES = {
    "公文标题": (TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "公文副标题": (KAITI, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "公文正文": (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, True, False),
    "公文一级标题": (HEITI, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, True, False),
    "公文二级标题": (KAITI, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, True, False),
    "公文署名": (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, False, False),
    "附件说明": (BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, False, False),
    "附件标题": (HEITI, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, False, False),
    "附件名称": (TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "表格表头": (HEITI, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "表格文字": (BODY_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "表注": (BODY_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.LEFT, False, False),
    "图": (BODY_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "图题": (HEITI, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "页码": (PAGE_NUMBER_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
}
OUTLINE_LEVELS = {"公文一级标题": 0, "公文二级标题": 1}
# A heading left alone at the foot of a page moves over with the paragraph after it.
KEEP_WITH_NEXT = ("公文标题", "公文副标题", "公文一级标题", "公文二级标题", "附件标题", "附件名称", "图")

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


# --- page and styles ---------------------------------------------------------------------------


def _set_up_page(word) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The page number sits about 7 mm below the text block.
    section.footer_distance = Mm(23)
    # Odd pages number on the right, even pages on the left (w:evenAndOddHeaders in settings.xml).
    word.settings.odd_and_even_pages_header_footer = True
    _page_number(word, section.footer.paragraphs[0], odd=True)
    _page_number(word, section.even_page_footer.paragraphs[0], odd=False)


def _page_number(word, paragraph, *, odd: bool) -> None:
    """「— 1 —」: 4号 宋体 Arabic numerals between dashes, one character in from the outer edge."""
    paragraph.style = word.styles["页码"]
    paragraph_format = paragraph.paragraph_format
    if odd:
        paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph_format.right_indent = PAGE_NUMBER_INDENT
    else:
        paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph_format.left_indent = PAGE_NUMBER_INDENT
    _add_run(paragraph, "— ", PAGE_NUMBER_FONT, TABLE_SIZE)
    _add_page_field(paragraph)
    _add_run(paragraph, " —", PAGE_NUMBER_FONT, TABLE_SIZE)


def _set_up_styles(word) -> None:
    styles = word.styles
    # The default template points every style at theme fonts, and its theme language is Japanese:
    # left alone, Chinese text falls back to MS Mincho. Theme attributes win over explicit names.
    for rfonts in styles.element.iter(qn("w:rFonts")):
        for attribute in THEME_FONT_ATTRIBUTES:
            rfonts.attrib.pop(qn(attribute), None)
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(default_rpr, BODY_FONT)
    default_rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)

    for name, (font, size, alignment, indent, bold) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = size
        style.font.bold = bold
        _set_fonts(style.element.get_or_add_rPr(), font)
        _format_paragraph(style.paragraph_format, style.element.get_or_add_pPr(), alignment, indent)
        if name in OUTLINE_LEVELS:
            # Word's navigation pane lists the headings.
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(OUTLINE_LEVELS[name]))
            style.element.get_or_add_pPr().append(outline)
    for name in ("公文标题", "附件名称"):
        styles[name].paragraph_format.line_spacing = Pt(36)
    for name in KEEP_WITH_NEXT:
        styles[name].paragraph_format.keep_with_next = True
    styles["附件标题"].paragraph_format.page_break_before = True
    for name in ("表格表头", "表格文字", "表注", "图题"):
        styles[name].paragraph_format.line_spacing = Pt(20)
    # A picture needs its own height: single spacing, never the body's exact 28.95 pt.
    styles["图"].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    styles["图"].paragraph_format.space_before = Pt(12)
    styles["图题"].paragraph_format.space_after = Pt(12)


def _format_paragraph(paragraph_format, ppr, alignment, indent: bool) -> None:
    paragraph_format.alignment = alignment
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE_SPACING
    paragraph_format.space_before = paragraph_format.space_after = Pt(0)
    if indent:
        paragraph_format.first_line_indent = INDENT_2_CHARACTERS
        # WPS and Word measure the indent in characters when this is present.
        ppr.get_or_add_ind().set(qn("w:firstLineChars"), "200")


def _set_fonts(rpr, font: str) -> None:
    """Name the font for every script; `font.name` alone leaves East Asian text on the theme font."""
    rfonts = rpr.get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attribute), font)


def _add_run(paragraph, text: str, font: str, size, *, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = size
    if bold:
        run.bold = True
    _set_fonts(run._element.get_or_add_rPr(), font)
    return run


def _add_page_field(paragraph) -> None:
    """A PAGE field as Word writes it (begin, instruction, separate, placeholder, end)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _add_run(paragraph, "", PAGE_NUMBER_FONT, TABLE_SIZE)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            run.text = text
            continue
        run._element.append(element)


def _paragraph(word, style: str, *parts: tuple[str, bool]):
    """A paragraph of the style; each part is (text, bold) and gets the style's font explicitly."""
    paragraph = word.add_paragraph(style=style)
    font, size = STYLES[style][0], STYLES[style][1]
    for text, bold in parts:
        if text:
            _add_run(paragraph, text, font, size, bold=bold)
    return paragraph


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
        paragraph.paragraph_format.right_indent = Pt(64)
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
    table = word.add_table(rows=1, cols=len(columns))
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Setting `paragraph.style` by name searches every style of the document each time, which
    # made a long gap table take seconds; resolve the two style ids once and set them directly.
    header_id, text_id = word.styles["表格表头"].style_id, word.styles["表格文字"].style_id
    for cell, (header, _) in zip(table.rows[0].cells, columns, strict=True):
        _fill_cell(cell, header, "表格表头", header_id)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _fill_cell(cell, text, "表格文字", text_id)
    for column, (_, width) in zip(table.columns, columns, strict=True):
        # Word reads the cell widths, LibreOffice and WPS the grid: set both.
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _fill_cell(cell, text: str, style: str, style_id: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph._p.get_or_add_pPr().style = style_id
    if text:
        _add_run(paragraph, text, STYLES[style][0], STYLES[style][1])


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
