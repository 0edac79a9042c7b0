"""
A fast reader of an xlsx file's first sheet, for imports.

openpyxl's read-only mode builds Python objects for every cell and reads a sheet without
a dimension (files other programs write) twice; on a registry of 20,000 rows the parse alone
took longer than validating the rows. This reader walks the sheet's XML once with lxml's
iterparse (C; no DTD loaded, no entity resolved, no network; a file declaring a DTD is left to
openpyxl, which refuses it through defusedxml) and gives each row's values as openpyxl's
`iter_rows(values_only=True)` would: shared and inline strings,
numbers as int or float, booleans, cached values of formulas, and dates by their number
format (1900 or 1904 epoch). Rows keep Excel's numbering: a row missing from the file is an
empty row.

Anything it does not recognise (strict OOXML, a chartsheet first, an unknown cell type)
raises `Unreadable`, and the caller reads the file with openpyxl instead.

Size is bounded before and while reading (`SheetTooLarge`, a Chinese message): the sheet's
declared dimension is checked before any row is read (`check_dimension`), and a file without
one (or lying in it) is stopped at the first row or cell over the limit (`Limits`).
"""

import posixpath
import re
import zipfile
from io import BytesIO

from defusedxml.ElementTree import parse
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
# The start of a member where a DTD would be (it precedes the root element).
HEAD_BYTES = 64 * 1024
ROOT_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:worksheet|sst)[\s>]")
CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})(\d+)$")
ROW, CELL, VALUE, INLINE, TEXT, PHONETIC = (f"{MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "rPh"))


class Unreadable(Exception):
    """The file is of a kind this reader leaves to openpyxl."""


class SheetTooLarge(Exception):
    """
    The sheet has more rows or cells than an import may have; the message is the Chinese one the
    user sees. Not a ValueError: the reader turns those into `Unreadable` (and a second reading).
    """


DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Z]{0,3}\d*)(?::([A-Z]{0,3})(\d+))?\"")


class Limits:
    """
    The most data rows (`IMPORT_MAX_ROWS`, the header not counted) and cells (`IMPORT_MAX_CELLS`)
    an import may have. `row(number)` and `cells(count)` refuse, while reading, the first row or
    cell over them: a file without a dimension is still read only up to the limit.
    """

    def __init__(self, max_rows: int | None = None, max_cells: int | None = None):
        from django.conf import settings

        self.max_rows = max_rows if max_rows is not None else settings.IMPORT_MAX_ROWS
        self.max_cells = max_cells if max_cells is not None else settings.IMPORT_MAX_CELLS
        self.cells_read = 0

    def too_many_rows(self, data_rows: int, *, declared: bool = False) -> SheetTooLarge:
        said = f"工作表标明 {data_rows} 行数据" if declared else f"超过 {self.max_rows} 行数据"
        return SheetTooLarge(f"文件行数过多（{said}，每次最多导入 {self.max_rows} 行）：请分成多个文件分批导入。")

    def too_many_cells(self, cells: int, *, declared: bool = False) -> SheetTooLarge:
        said = f"工作表标明 {cells} 个单元格" if declared else f"超过 {self.max_cells} 个单元格"
        return SheetTooLarge(
            f"文件单元格过多（{said}，每次最多 {self.max_cells} 个）：请删去多余的行和列，或分成多个文件分批导入。"
        )

    def row(self, number: int) -> None:
        """Row `number` (Excel's, the header is row 1) is about to be read."""
        if number - 1 > self.max_rows:
            raise self.too_many_rows(number - 1)

    def cells(self, count: int) -> None:
        self.cells_read += count
        if self.cells_read > self.max_cells:
            raise self.too_many_cells(self.cells_read)

    def check_declared(self, last_row: int, columns: int) -> None:
        if last_row - 1 > self.max_rows:
            raise self.too_many_rows(last_row - 1, declared=True)
        if last_row * columns > self.max_cells:
            raise self.too_many_cells(last_row * columns, declared=True)


def declared_size(head: bytes) -> tuple[int, int] | None:
    """(last row, columns) from the `<dimension ref="A1:K300001"/>` at the start of a sheet, if any."""
    match = DIMENSION.search(head)
    if match is None:
        return None
    last = (match[2] + match[3]) if match[3] else match[1]
    cell = CELL_REFERENCE.match(last.decode())
    if cell is None:
        return None
    return int(cell[2]), column_index(cell[1]) + 1


def check_dimension(content, limits: Limits | None = None) -> None:
    """
    Refuse (`SheetTooLarge`) a workbook whose first sheet declares more rows or cells than the
    limits, reading only the workbook part and the start of the sheet: no row is parsed.
    A file this reader cannot place (no sheet found) is left to the parser that follows.
    """
    limits = limits or Limits()
    try:
        archive = zipfile.ZipFile(content if hasattr(content, "read") else BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        try:
            path, _ = first_sheet_path(archive)
            with archive.open(path) as source:
                head = source.read(HEAD_BYTES)
        except Exception:  # whatever it is, the parser that follows refuses it with its own message
            return
    size = declared_size(head)
    if size is not None:
        limits.check_declared(*size)


def column_index(letters: str, cache: dict = {}) -> int:  # noqa: B006 (a cache shared on purpose)
    """0-based index of a column's letters ("A" → 0, "AA" → 26)."""
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        index = cache[letters] = index - 1
    return index


def text_of(element) -> str:
    """The text of a string item (<si> or <is>): its runs, without the phonetic guides (<rPh>)."""
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag != PHONETIC:
            parts.extend(run.text or "" for run in child.iter(TEXT))
    return "".join(parts)


def first_sheet_path(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """The first sheet's member name, and whether the workbook counts dates from 1904."""
    workbook = parse(BytesIO(archive.read("xl/workbook.xml"))).getroot()
    if workbook.tag != f"{MAIN}workbook":
        raise Unreadable("not a transitional spreadsheetml workbook")
    properties = workbook.find(f"{MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    sheets = workbook.find(f"{MAIN}sheets")
    if sheets is None or not len(sheets):
        raise Unreadable("no sheet")
    relation_id = sheets[0].get(f"{RELATIONSHIPS}id")
    relations = parse(BytesIO(archive.read("xl/_rels/workbook.xml.rels"))).getroot()
    for relation in relations.iter(f"{PACKAGE_RELATIONSHIPS}Relationship"):
        if relation.get("Id") == relation_id:
            if relation.get("Type") != WORKSHEET_TYPE:
                raise Unreadable("the first sheet is not a worksheet")
            target = relation.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            return path, date1904
    raise Unreadable("the first sheet's relationship is missing")


def safe_source(source):
    """
    The member's stream for lxml, refused (`Unreadable`) when it declares a DTD: entities are
    declared only there, so without one nothing can expand.
    """
    head = source.read(HEAD_BYTES)
    root = ROOT_ELEMENT.search(head)
    if root is None:
        raise Unreadable("no root element near the start")
    if b"<!DOCTYPE" in head[: root.start()]:
        raise Unreadable("a DTD is declared")
    return HeadThenRest(head, source)


class HeadThenRest:
    """A stream reading `head` again, then the rest of `source`."""

    def __init__(self, head: bytes, source):
        self.head, self.source = head, source

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                chunk, self.head = self.head + self.source.read(), b""
            else:
                chunk, self.head = self.head[:size], self.head[size:]
            return chunk
        return self.source.read(size)


def events(source, tag: str):
    return etree.iterparse(
        safe_source(source), events=("end",), tag=tag, resolve_entities=False, no_network=True, load_dtd=False
    )


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        source = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with source:
        for _, element in events(source, f"{MAIN}si"):
            strings.append(text_of(element))
            element.clear(keep_tail=True)
    return strings


def date_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    """{style index: "date" or "timedelta"} of the cell formats that show numbers as dates or durations."""
    try:
        styles = parse(BytesIO(archive.read("xl/styles.xml"))).getroot()
    except KeyError:
        return {}
    formats = dict(BUILTIN_FORMATS)
    custom = styles.find(f"{MAIN}numFmts")
    for number_format in custom if custom is not None else ():
        formats[int(number_format.get("numFmtId"))] = number_format.get("formatCode", "")
    kinds = {}
    cell_formats = styles.find(f"{MAIN}cellXfs")
    for index, cell_format in enumerate(cell_formats if cell_formats is not None else ()):
        code = formats.get(int(cell_format.get("numFmtId", 0)), "")
        if code and is_timedelta_format(code):
            kinds[index] = "timedelta"
        elif code and is_date_format(code):
            kinds[index] = "date"
    return kinds


def number(text: str):
    """As openpyxl casts a number's text: int unless it has a decimal point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def read_rows(content: bytes, limits: Limits | None = None) -> list[list]:
    """The first sheet's rows (lists of values, None for an empty cell), from row 1, within the limits."""
    limits = limits or Limits()
    try:
        archive = zipfile.ZipFile(BytesIO(content))
    except zipfile.BadZipFile as error:
        raise Unreadable("not a zip archive") from error
    with archive:
        try:
            path, date1904 = first_sheet_path(archive)
            strings = shared_strings(archive)
            kinds = date_styles(archive)
            with archive.open(path) as source:
                head = source.read(HEAD_BYTES)
                size = declared_size(head)
                if size is not None:
                    limits.check_declared(*size)
                return sheet_rows(
                    HeadThenRest(head, source),
                    strings,
                    kinds,
                    CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900,
                    limits,
                )
        except KeyError as error:
            raise Unreadable(f"missing member {error}") from error
        except (etree.LxmlError, IndexError, ValueError) as error:
            raise Unreadable(str(error)) from error


def sheet_rows(source, strings: list[str], kinds: dict[int, str], epoch, limits: Limits) -> list[list]:
    rows: list[list] = []
    for _, element in events(source, ROW):
        number_of_row = int(element.get("r") or len(rows) + 1)
        if number_of_row <= len(rows):
            raise Unreadable("rows out of order")
        # Whatever the dimension said: never more than the limit's rows and cells in memory.
        limits.row(number_of_row)
        rows.extend([] for _ in range(number_of_row - 1 - len(rows)))
        values: list = []
        for cell in element.iter(CELL):
            reference = cell.get("r")
            if reference is not None:
                match = CELL_REFERENCE.match(reference)
                if match is None:
                    raise Unreadable(f"cell reference {reference}")
                column = column_index(match[1])
            else:
                column = len(values)
            if column < len(values):
                raise Unreadable("cells out of order")
            values.extend([None] * (column - len(values)))
            values.append(cell_value(cell, strings, kinds, epoch))
        limits.cells(len(values))
        rows.append(values)
        # The rows read are dropped from the tree: memory stays that of one row.
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return rows


def cell_value(cell, strings: list[str], kinds: dict[int, str], epoch):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(INLINE)
        return None if inline is None else text_of(inline)
    value = cell.find(VALUE)
    text = value.text if value is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text in ("1", "true")
    if kind == "n":
        result = number(text)
        style = kinds.get(int(cell.get("s", 0)))
        if style == "date":
            return from_excel(result, epoch)
        if style == "timedelta":
            return from_excel(result, epoch, timedelta=True)
        return result
    raise Unreadable(f"cell type {kind}")
