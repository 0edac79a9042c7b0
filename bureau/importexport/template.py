"""
The import template of a resource: the empty workbook a user downloads and fills in.

The first sheet holds the header row only (row 1), text columns formatted as text. The sample
row is on the second sheet, 填写说明, under the same header: the import reads the first sheet
alone, so the sample can never be imported by accident. A sample cell comes from the resource's
`sample_row` ({column: value}), else from the column's widget (`sample`: a valid-looking ID
number, a date, the first choice's label…), else from `SAMPLE_TEXT` by the column's name.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from bureau.importexport.formats import HEADER_ROWS, TEXT_FORMAT

# Samples of text columns, by the kit's column names (a widget's `sample` says the rest).
SAMPLE_TEXT = {
    "姓名": "张三",
    "联系电话": "13800000000",
    "住址": "幸福路1号",
    "地址": "幸福路1号",
    "户名": "张三",
    "联系人": "李四",
    "备注": "",
}
SAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")


def sample_value(field, overrides: dict) -> str:
    """The sample cell of a column: the resource's override, the widget's sample, or the text sample."""
    if field.column_name in overrides:
        return overrides[field.column_name]
    sample = getattr(field.widget, "sample", None)
    if sample is not None:
        return sample
    return SAMPLE_TEXT.get(field.column_name, "")


def import_template(model, columns, sample_row=None) -> bytes:
    """An empty xlsx to fill in: the header row, text columns formatted as text, notes and a sample on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(model._meta.verbose_name_plural)[:31]
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "说明"])
    samples = [sample_value(field, sample_row or {}) for field in columns]
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
            f"第一个工作表的第 1 行为表头，请勿修改；从第 {HEADER_ROWS + 1} 行起每行一条记录。"
            "任何一行有错误时，整个文件都不会导入。只导入第一个工作表，本说明页不会导入。",
        ]
    )
    notes.append(
        [
            "",
            "已有的花名册也可直接上传：表头可在前 10 行内（其上的标题行会跳过），"
            "身份证号码、联系方式、所在乡镇等常用列名可以识别，用不到的列（如序号）会被忽略。",
        ]
    )
    notes.append([])
    notes.append(["填写示例（仅供参考，不会导入；请在第一个工作表中填写）"])
    notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
    notes.append([field.column_name for field in columns])
    header_row = notes.max_row
    notes.append([value if value != "" else None for value in samples])
    for index in range(1, len(columns) + 1):
        notes.cell(row=header_row, column=index).font = Font(bold=True)
        sample_cell = notes.cell(row=header_row + 1, column=index)
        sample_cell.fill = SAMPLE_FILL
        sample_cell.number_format = TEXT_FORMAT
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 80
    sheet.freeze_panes = "A2"
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()
