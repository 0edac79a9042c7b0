"""
A `Printable` as a Word file on the GB/T 9704 page (`bureau.printouts.gbt9704`), and as PDF through
LibreOffice where it is installed (`pdf_available()`; without it no PDF link is offered).
"""

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from bureau.printouts import gbt9704
from bureau.printouts.document import FormLines, Heading, Paragraph, Printable, Table, chinese_date

# The kit's own styles next to GB/T 9704's: a list's smaller type, its captions and the form lines.
EXTRA_STYLES = {
    "列表表头": (gbt9704.HEITI, gbt9704.LIST_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "列表文字": (gbt9704.BODY_FONT, gbt9704.LIST_SIZE, WD_ALIGN_PARAGRAPH.CENTER, False, False),
    "表格标题": (gbt9704.HEITI, gbt9704.TABLE_SIZE, WD_ALIGN_PARAGRAPH.LEFT, False, False),
}
STYLES = {**gbt9704.STYLES, **EXTRA_STYLES}
TABLE_STYLES = {"list": ("列表表头", "列表文字"), "table": ("表格表头", "表格文字")}
PDF_TIMEOUT_SECONDS = 120
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


class PdfFailed(Exception):
    """LibreOffice is missing, timed out or wrote no PDF."""


def render_docx(document: Printable) -> bytes:
    word = Document()
    gbt9704.set_up_styles(word, EXTRA_STYLES)
    for name in EXTRA_STYLES:
        word.styles[name].paragraph_format.line_spacing = Pt(20)
    gbt9704.set_up_page(word, landscape=document.landscape)
    last = _paragraph(word, "公文标题", document.title)
    if document.subtitle:
        last = _paragraph(word, "公文副标题", document.subtitle)
    # One blank line between the title block and the text.
    last.paragraph_format.space_after = gbt9704.LINE_SPACING
    for block in document.blocks:
        _write(word, block)
    _write_signature(word, document)
    properties = word.core_properties
    properties.title = document.title
    properties.author = properties.last_modified_by = (document.signature or ("",))[0]
    properties.language = "zh-CN"
    properties.comments = properties.keywords = ""
    properties.revision = 1
    properties.created = properties.modified = timezone.now()
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _paragraph(word, style: str, text: str):
    return gbt9704.paragraph(word, style, (text, False), styles=STYLES)


def _write(word, block) -> None:
    if isinstance(block, Heading):
        _paragraph(word, "公文一级标题" if block.level == 1 else "公文二级标题", block.text)
    elif isinstance(block, Paragraph):
        _paragraph(word, "公文正文" if block.kind == "body" else "表注", block.text)
    elif isinstance(block, Table):
        _write_table(word, block)
    elif isinstance(block, FormLines):
        line = "　　　　".join(f"{label}：＿＿＿＿＿＿" for label in block.labels)
        _paragraph(word, "表注", line).paragraph_format.space_before = Pt(12)
    else:  # pragma: no cover - a printout's own mistake
        raise TypeError(f"not a printout block: {block!r}")


def _write_table(word, block: Table) -> None:
    if block.caption:
        caption = _paragraph(word, "表格标题", block.caption)
        caption.paragraph_format.space_before = Pt(12)
        caption.paragraph_format.space_after = Pt(4)
        caption.paragraph_format.keep_with_next = True
    header, text = TABLE_STYLES[block.size]
    added = gbt9704.table(word, block.columns, block.rows, header=header, text=text, styles=STYLES)
    # The header row repeats on every page of a long table.
    _repeat_header(added.rows[0])
    bold_id = word.styles[header].style_id
    for values in block.totals:
        for cell, value in zip(added.add_row().cells, values, strict=True):
            gbt9704.fill_cell(cell, value, STYLES[header], bold_id)
    for column, (_, width) in zip(added.columns, block.columns, strict=True):
        for cell in column.cells:
            cell.width = Mm(width)


def _repeat_header(row) -> None:
    """The header row repeats on every page of a long table (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _write_signature(word, document: Printable) -> None:
    lines = list(document.signature) + ([chinese_date(document.signed_on)] if document.signed_on else [])
    for number, text in enumerate(lines):
        paragraph = _paragraph(word, "公文署名", text)
        paragraph.paragraph_format.right_indent = gbt9704.SIGNATURE_INDENT
        if number == 0:
            paragraph.paragraph_format.space_before = gbt9704.LINE_SPACING * 2
            paragraph.paragraph_format.keep_with_next = True


# --- PDF ---------------------------------------------------------------------------------------


def office_program() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def pdf_available() -> bool:
    return office_program() is not None


def to_pdf(content: bytes, *, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """
    The Word file converted by LibreOffice headless, in a directory of its own with a profile of its own
    (`-env:UserInstallation`), so that two conversions at once, or a user's LibreOffice, never clash.
    """
    program = office_program()
    if program is None:
        raise PdfFailed("本机未安装 LibreOffice，不能生成 PDF。")
    with tempfile.TemporaryDirectory(prefix="printout-") as folder:
        work = Path(folder)
        source = work / "printout.docx"
        source.write_bytes(content)
        command = [
            program,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except (subprocess.SubprocessError, OSError) as error:
            raise PdfFailed("生成 PDF 失败，请下载 Word 版打印。") from error
        pdf = work / "printout.pdf"
        if not pdf.exists():
            raise PdfFailed("生成 PDF 失败，请下载 Word 版打印。")
        return pdf.read_bytes()
