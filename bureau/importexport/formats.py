"""
The spreadsheet side of import/export: the xlsx reader and the checks of an
uploaded file before it is parsed, Excel row numbers and the escaping of
strings a spreadsheet program would run as formulas.
"""

import zipfile
from io import BytesIO

import tablib
from defusedxml import DefusedXmlException
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

from bureau.importexport import sheet

# An xlsx is a zip of XML files. A hostile one is small on the wire and huge once
# decompressed (a "zip bomb"), so its zip directory is checked before openpyxl reads
# anything. Python's zipfile stops a member at its declared size, so the declared
# sizes checked here bound what parsing can decompress.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 1000
# Sheet XML compresses about 15:1; a large member far beyond that is padding, not data.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# The parts every xlsx workbook has.
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Macro workbooks (.xlsm, .xltm) declare these content types and hold the macros in vbaProject.bin.
MACRO_MARKERS = (b"macroEnabled", b"vbaProject")
NOT_XLSX_MESSAGE = "文件不是 Excel 工作簿（.xlsx）：请用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”后再上传。"

# A string cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The template's header is row 1 of the sheet, so data row n (counted from 1) is Excel row n + 1.
# An uploaded roster's header may be lower (title rows above it): the resource's `excel_row`
# counts from the header row it found (bureau.importexport.columns).
HEADER_ROWS = 1
TEXT_FORMAT = "@"


def escape_formula(value):
    """Prefix `'` to a string a spreadsheet would run as a formula; other values (numbers, dates) pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value):
    """Undo `escape_formula`, so that an exported file imports back unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def excel_row(row_number: int) -> int:
    """Excel row of import-export's 1-based data row number."""
    return row_number + HEADER_ROWS


class UploadRefused(ValueError):
    """An uploaded file refused before parsing; the message is the Chinese one the user sees."""


def check_xlsx_upload(file, size: int) -> None:
    """
    Refuse, with `UploadRefused`, a file that is too large, is not an xlsx workbook, holds
    macros, or would decompress to too much. Reads only the zip directory and
    `[Content_Types].xml`; `file` is a seekable binary file of `size` bytes.
    """
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"文件过大（{size / 1024 / 1024:.1f} MB）：导入文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(NOT_XLSX_MESSAGE) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused(
                f"文件内部的组成部分过多（{len(members)} 个，最多 {MAX_MEMBERS} 个），不是正常的 Excel 工作簿。"
            )
        names = {member.filename for member in members}
        if not all(name in names for name in REQUIRED_MEMBERS):
            raise UploadRefused(NOT_XLSX_MESSAGE)
        total = sum(member.file_size for member in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UploadRefused(
                f"文件解压后过大（{total / 1024 / 1024:.0f} MB，最多 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB），"
                "可能是恶意构造的压缩文件，已拒绝。"
            )
        for member in members:
            if member.file_size > RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
                member.compress_size, 1
            ):
                raise UploadRefused("文件压缩比异常，可能是恶意构造的压缩文件，已拒绝。")
        content_types = archive.getinfo("[Content_Types].xml")
        if content_types.file_size > MAX_CONTENT_TYPES_BYTES:
            raise UploadRefused(NOT_XLSX_MESSAGE)
        has_macros = any(name.lower().endswith("vbaproject.bin") for name in names) or any(
            marker in archive.read(content_types) for marker in MACRO_MARKERS
        )
        if has_macros:
            raise UploadRefused(
                "文件是含宏的工作簿（.xlsm），不能导入：请另存为不含宏的“Excel 工作簿（*.xlsx）”后再上传。"
            )
    # The rows and cells the first sheet declares, before any row is parsed (IMPORT_MAX_ROWS, IMPORT_MAX_CELLS).
    try:
        file.seek(0)
        sheet.check_dimension(file)
    except sheet.SheetTooLarge as too_large:
        raise UploadRefused(str(too_large)) from None


def causes(error: BaseException):
    """The error and the errors it was raised from."""
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def read_sheet(content: bytes) -> list[list]:
    """
    The first sheet's rows: by the fast reader (bureau.importexport.sheet), or openpyxl where it
    declines; within the limits either way (`sheet.SheetTooLarge`).
    """
    try:
        return sheet.read_rows(content)
    except sheet.Unreadable:
        limits = sheet.Limits()  # counted afresh: the fast reader may have stopped part way
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
        try:
            worksheet = workbook.active
            if worksheet.max_row and worksheet.max_column:  # the dimension, when the file has one
                limits.check_declared(worksheet.max_row, worksheet.max_column)
            rows = []
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                limits.row(number)
                limits.cells(len(row))
                rows.append(list(row))
            return rows
        finally:
            workbook.close()


class PortalXLSX(XLSX):
    """
    xlsx import that keeps every sheet row (blank ones too, so row numbers stay
    Excel's) and pads short rows: files written by other programs often lack
    the sheet dimension, and their rows end at the last filled cell.
    """

    def create_dataset(self, in_stream):
        check_xlsx_upload(BytesIO(in_stream), len(in_stream))
        try:
            rows = read_sheet(in_stream)
        except sheet.SheetTooLarge as too_large:
            raise UploadRefused(str(too_large)) from None
        except Exception as error:
            # defusedxml (installed, so openpyxl parses with it) refuses entity declarations ("billion
            # laughs"); openpyxl may wrap its error in a ValueError of its own.
            if any(isinstance(cause, DefusedXmlException) for cause in causes(error)):
                raise UploadRefused("文件中含有不允许的 XML 实体定义，可能是恶意构造的文件，已拒绝。") from None
            # Whatever else openpyxl trips on, the user is told in Chinese, not with a library's class name.
            raise UploadRefused(NOT_XLSX_MESSAGE) from None
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        width = max(len(row) for row in rows)
        dataset.headers = [("" if value is None else value) for value in rows[0]] + [""] * (width - len(rows[0]))
        for row in rows[1:]:
            dataset.append(row + [None] * (width - len(row)))
        return dataset
