"""
The fast sheet reader of imports (bureau.importexport.sheet) reads what openpyxl reads: every
kind of cell, Excel's row numbers, both date epochs; what it does not know goes to openpyxl.
"""

import datetime
import zipfile
from io import BytesIO

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from bureau.importexport import sheet
from bureau.importexport.formats import read_sheet


def naive(*parts) -> datetime.datetime:
    """A date and time as a spreadsheet holds it: without a time zone."""
    return datetime.datetime(*parts)  # noqa: DTZ001


def by_openpyxl(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def trimmed(rows: list[list]) -> list[list]:
    """Rows without their trailing empty cells, and without trailing empty rows (openpyxl pads to the dimension)."""
    rows = [list(row) for row in rows]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def saved(workbook) -> bytes:
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def varied_workbook(*, date1904: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    if date1904:
        workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    first = workbook.active
    first.title = "人员"
    first.append(["姓名", "身份证号", "数量", "金额", "是否", "入伍日期", "时刻", "时长", "公式", "富文本"])
    first.append(
        [
            "张三",
            "110101199003071234",
            12,
            1234.5,
            True,
            naive(1990, 3, 1),
            datetime.time(8, 30),
            datetime.timedelta(hours=30),
            "=C2*2",
            CellRichText(["红", TextBlock(InlineFont(b=True), "旗")]),
        ]
    )
    first["A5"] = "第五行"  # rows 3 and 4 missing from the file
    first["D5"] = 1e-7
    first["F5"] = datetime.date(2021, 8, 1)
    first["F5"].number_format = "yyyy年m月d日"
    first["C6"] = -3
    first["B6"] = "'=1+1"
    workbook.create_sheet("第二张")["A1"] = "不读"
    return saved(workbook)


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_the_reader_reads_what_openpyxl_reads(date1904):
    content = varied_workbook(date1904=date1904)

    rows = sheet.read_rows(content)

    assert trimmed(rows) == trimmed(by_openpyxl(content))
    assert rows[1][:8] == [
        "张三",
        "110101199003071234",
        12,
        1234.5,
        True,
        naive(1990, 3, 1),
        datetime.time(8, 30),
        datetime.timedelta(hours=30),
    ]
    assert rows[1][9] == "红旗"
    assert rows[2] == rows[3] == []  # the rows the file leaves out keep their numbers
    assert rows[4][0] == "第五行" and rows[4][5] == naive(2021, 8, 1)


def test_inline_strings_of_a_write_only_workbook_are_read():
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    worksheet.append(["姓名", None, "乡镇"])
    worksheet.append(["李四", 3.0, "甲镇"])
    content = saved(workbook)

    assert sheet.read_rows(content) == by_openpyxl(content) == [["姓名", None, "乡镇"], ["李四", 3.0, "甲镇"]]


def test_a_workbook_the_reader_does_not_know_is_read_by_openpyxl():
    content = varied_workbook()
    stream = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as source, zipfile.ZipFile(stream, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'r="C2" t="n"', b'r="C2" t="d"').replace(
                    b"<v>12</v>", b"<v>2021-08-01T00:00:00</v>"
                )
            target.writestr(item, data)
    changed = stream.getvalue()

    with pytest.raises(sheet.Unreadable):
        sheet.read_rows(changed)
    assert read_sheet(changed)[1][2] == naive(2021, 8, 1)


def test_a_sheet_larger_than_the_checked_head_is_read_whole():
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet()
    for n in range(3000):
        worksheet.append([f"人员{n}", f"3201021990010{n:05d}", n, n / 4])
    content = saved(workbook)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > sheet.HEAD_BYTES

    rows = sheet.read_rows(content)

    assert rows == by_openpyxl(content)
    assert rows[-1] == ["人员2999", "320102199001002999", 2999, 749.75]
