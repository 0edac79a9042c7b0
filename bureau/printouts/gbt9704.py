"""
The page and type of GB/T 9704 (党政机关公文格式), shared by every Word file the portal writes.

A4, text block 156 × 225 mm, title 2号 小标宋, body 3号 仿宋_GB2312 with a 2-character first-line
indent and fixed 28.95 pt lines (22 lines a page), level-1 headings 黑体, level-2 headings 楷体_GB2312,
headings kept with the paragraph after them. Page numbers "— 1 —" in 4号 宋体, odd pages on the right
and even pages on the left, one character in. Tables never merge cells: WPS mangles merged cells on
round trips. A landscape page turns the text block (225 × 156 mm), as a wide table's attachment does.

Used by the printout kit (`bureau.printouts.render`) and the annual report (`reports.docx`).
"""

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
TABLE_SIZE = Pt(14)  # 4号: a five-column table fits the 156 mm text block
LIST_SIZE = Pt(12)  # 小四: a list of many columns (a roster), still legible when signed
LINE_SPACING = Pt(28.95)  # 225 mm / 22 lines
INDENT_2_CHARACTERS = Pt(32)
PAGE_NUMBER_INDENT = Pt(14)  # one character of the 4号 page number in from the edge
SIGNATURE_INDENT = Pt(64)  # 署名 and 成文日期 stand four characters in from the right edge

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


# --- page and styles ---------------------------------------------------------------------------


def set_up_page(word, *, landscape: bool = False) -> None:
    """A4 with the GB/T 9704 margins (turned for a landscape page) and the odd/even page numbers."""
    section = word.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(14)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        # The page number sits about 7 mm below the text block.
        section.footer_distance = Mm(23)
    # Odd pages number on the right, even pages on the left (w:evenAndOddHeaders in settings.xml).
    word.settings.odd_and_even_pages_header_footer = True
    page_number(word, section.footer.paragraphs[0], odd=True)
    page_number(word, section.even_page_footer.paragraphs[0], odd=False)


def page_number(word, paragraph, *, odd: bool) -> None:
    """「— 1 —」: 4号 宋体 Arabic numerals between dashes, one character in from the outer edge."""
    paragraph.style = word.styles["页码"]
    paragraph_format = paragraph.paragraph_format
    if odd:
        paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph_format.right_indent = PAGE_NUMBER_INDENT
    else:
        paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        paragraph_format.left_indent = PAGE_NUMBER_INDENT
    add_run(paragraph, "— ", PAGE_NUMBER_FONT, TABLE_SIZE)
    add_page_field(paragraph)
    add_run(paragraph, " —", PAGE_NUMBER_FONT, TABLE_SIZE)


def set_up_styles(word, extra: dict | None = None) -> None:
    """The styles of `STYLES` (and `extra`, of the same shape), on Chinese fonts named for every script."""
    styles = word.styles
    # The default template points every style at theme fonts, and its theme language is Japanese:
    # left alone, Chinese text falls back to MS Mincho. Theme attributes win over explicit names.
    for rfonts in styles.element.iter(qn("w:rFonts")):
        for attribute in THEME_FONT_ATTRIBUTES:
            rfonts.attrib.pop(qn(attribute), None)
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(default_rpr, BODY_FONT)
    default_rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)

    for name, (font, size, alignment, indent, bold) in {**STYLES, **(extra or {})}.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = size
        style.font.bold = bold
        set_fonts(style.element.get_or_add_rPr(), font)
        format_paragraph(style.paragraph_format, style.element.get_or_add_pPr(), alignment, indent)
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


def format_paragraph(paragraph_format, ppr, alignment, indent: bool) -> None:
    paragraph_format.alignment = alignment
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE_SPACING
    paragraph_format.space_before = paragraph_format.space_after = Pt(0)
    if indent:
        paragraph_format.first_line_indent = INDENT_2_CHARACTERS
        # WPS and Word measure the indent in characters when this is present.
        ppr.get_or_add_ind().set(qn("w:firstLineChars"), "200")


def set_fonts(rpr, font: str) -> None:
    """Name the font for every script; `font.name` alone leaves East Asian text on the theme font."""
    rfonts = rpr.get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        rfonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attribute), font)


def add_run(paragraph, text: str, font: str, size, *, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = size
    if bold:
        run.bold = True
    set_fonts(run._element.get_or_add_rPr(), font)
    return run


def add_page_field(paragraph) -> None:
    """A PAGE field as Word writes it (begin, instruction, separate, placeholder, end)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = add_run(paragraph, "", PAGE_NUMBER_FONT, TABLE_SIZE)
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


def paragraph(word, style: str, *parts: tuple[str, bool], styles: dict | None = None):
    """A paragraph of the style; each part is (text, bold) and gets the style's font explicitly."""
    added = word.add_paragraph(style=style)
    font, size = (styles or STYLES)[style][0], (styles or STYLES)[style][1]
    for text, bold in parts:
        if text:
            add_run(added, text, font, size, bold=bold)
    return added


def table(
    word, columns: list[tuple[str, int]], rows: list[list[str]], *, header="表格表头", text="表格文字", styles=None
):
    """
    A grid table, centred, of fixed column widths (mm); `header` and `text` name the styles of the
    header row and of the other rows. Returns the table.
    """
    styles = styles or STYLES
    added = word.add_table(rows=1, cols=len(columns))
    added.style = word.styles["Table Grid"]
    added.alignment = WD_TABLE_ALIGNMENT.CENTER
    added.autofit = False
    # Setting `paragraph.style` by name searches every style of the document each time, which
    # made a long table take seconds; resolve the two style ids once and set them directly.
    header_id, text_id = word.styles[header].style_id, word.styles[text].style_id
    for cell, (title, _) in zip(added.rows[0].cells, columns, strict=True):
        fill_cell(cell, title, styles[header], header_id)
    for row in rows:
        for cell, value in zip(added.add_row().cells, row, strict=True):
            fill_cell(cell, value, styles[text], text_id)
    for column, (_, width) in zip(added.columns, columns, strict=True):
        # Word reads the cell widths, LibreOffice and WPS the grid: set both.
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return added


def fill_cell(cell, text: str, style: tuple, style_id: str, *, bold: bool = False) -> None:
    """The cell's one paragraph in the style (`style` is its `STYLES` entry, `style_id` its id in the document)."""
    cell_paragraph = cell.paragraphs[0]
    cell_paragraph._p.get_or_add_pPr().style = style_id
    if text:
        add_run(cell_paragraph, text, style[0], style[1], bold=bold)
