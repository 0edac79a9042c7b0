"""The import template of a resource: the empty workbook a user downloads and fills in."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bureau.importexport.formats import HEADER_ROWS, TEXT_FORMAT


def import_template(model, columns) -> bytes:
    """An empty xlsx to fill in: the header row, text columns formatted as text, notes on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(model._meta.verbose_name_plural)[:31]
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for index, field in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=field.column_name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(12, 2 * len(field.column_name) + 4)
        note = getattr(field.widget, "template_note", "")
        if getattr(field.widget, "excel_text", False):
            # Typed into a text column, an 18-digit number keeps all its digits.
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
            sheet.column_dimensions[letter].width = 22
            cell.number_format = TEXT_FORMAT
            note = "以文本格式填写（本列已设为文本格式）"
        notes.append([field.column_name, note])
    notes.append(
        [
            "",
            f"第 1 行为表头，请勿修改；从第 {HEADER_ROWS + 1} 行起每行一条记录。任何一行有错误时，整个文件都不会导入。",
        ]
    )
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 80
    sheet.freeze_panes = "A2"
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()
