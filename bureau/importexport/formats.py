"""
The spreadsheet side of import/export: the xlsx reader, Excel row numbers and
the escaping of strings a spreadsheet program would run as formulas.
"""

from io import BytesIO

import tablib
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

# A string cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The header is row 1 of the sheet, so data row n (counted from 1) is Excel row n + 1.
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


class PortalXLSX(XLSX):
    """
    xlsx import that keeps every sheet row (blank ones too, so row numbers stay
    Excel's) and pads short rows: files written by other programs often lack
    the sheet dimension, and their rows end at the last filled cell.
    """

    def create_dataset(self, in_stream):
        workbook = load_workbook(BytesIO(in_stream), read_only=True, data_only=True)
        rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        workbook.close()
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        width = max(len(row) for row in rows)
        dataset.headers = [("" if value is None else value) for value in rows[0]] + [""] * (width - len(rows[0]))
        for row in rows[1:]:
            dataset.append(row + [None] * (width - len(row)))
        return dataset
