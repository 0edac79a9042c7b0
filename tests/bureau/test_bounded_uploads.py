"""
Bounded uploads (issue 23, item 7): the rows and cells a sheet declares are checked before any
row is read (IMPORT_MAX_ROWS, default 100,000; IMPORT_MAX_CELLS), a file without a dimension is
still stopped at the limit while reading, and validation stops after MAX_REFUSED_ROWS refused rows.
"""

import io
import time

import pytest

from bureau.importexport import formats, sheet
from bureau.importexport.resources import MAX_REFUSED_ROWS, MORE_ERRORS_MESSAGE
from bureau.models import ImportJob, Person
from tests.bureau.test_hostile_uploads import SHEET, real_workbook, rebuilt, refusal
from tests.bureau.test_import_export import person_row, upload, xlsx_file

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_xml(rows: int, *, dimension: str | None) -> bytes:
    """A sheet of `rows` one-cell rows after the header, with the given dimension (or none), built as text."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, rows + 2))
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
    return f"{head}<sheetData>{header}{body}</sheetData></worksheet>".encode()


def test_the_default_limit_is_100000_rows(settings):
    assert settings.IMPORT_MAX_ROWS == 100_000
    assert settings.IMPORT_MAX_CELLS >= 100_000 * 11  # the registry template's columns


def test_a_300000_row_file_is_refused_from_its_dimension_before_any_row_is_parsed(
    client_for, bureau_user, township_a, monkeypatch
):
    # The dimension says 300,000 data rows in columns A:K; the rows after it are never reached.
    workbook = rebuilt(real_workbook(township_a), replace={SHEET: sheet_xml(3, dimension="A1:K300001")})
    parsed = []
    monkeypatch.setattr(sheet, "sheet_rows", lambda *args, **kwargs: parsed.append(1) or [])
    monkeypatch.setattr(formats, "read_sheet", lambda *args, **kwargs: parsed.append(1) or [])

    response = upload(client_for(bureau_user), workbook)

    assert refusal(response) == [
        "文件行数过多（工作表标明 300000 行数据，每次最多导入 100000 行）：请分成多个文件分批导入。"
    ]
    assert parsed == []
    assert not ImportJob.objects.exists()
    # The check itself reads the zip directory and the sheet's first bytes: milliseconds.
    started = time.monotonic()
    with pytest.raises(formats.UploadRefused):
        formats.check_xlsx_upload(io.BytesIO(workbook), len(workbook))
    assert time.monotonic() - started < 1


def test_too_many_cells_are_refused_from_the_dimension(client_for, bureau_user, township_a, settings):
    settings.IMPORT_MAX_CELLS = 1_000
    workbook = rebuilt(real_workbook(township_a), replace={SHEET: sheet_xml(3, dimension="A1:ZZ3")})

    response = upload(client_for(bureau_user), workbook)

    assert refusal(response) == [
        "文件单元格过多（工作表标明 2106 个单元格，每次最多 1000 个）：请删去多余的行和列，或分成多个文件分批导入。"
    ]


def test_a_file_without_a_dimension_is_stopped_at_the_limit_while_reading(settings):
    settings.IMPORT_MAX_ROWS = 1_000
    workbook = rebuilt(real_workbook_bytes(), replace={SHEET: sheet_xml(5_000, dimension=None)})
    seen = []
    original = sheet.Limits.row

    def counted(self, number):
        seen.append(number)
        return original(self, number)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheet.Limits, "row", counted)
        with pytest.raises(formats.UploadRefused) as refused:
            formats.PortalXLSX().create_dataset(workbook)

    assert str(refused.value) == "文件行数过多（超过 1000 行数据，每次最多导入 1000 行）：请分成多个文件分批导入。"
    assert max(seen) == 1_002  # header + 1,000 rows, and the one over the limit; not row 5,001
    assert seen.count(1_002) == 1  # read once: the refusal is not taken for an unreadable file


def test_a_file_within_the_limit_imports(settings):
    settings.IMPORT_MAX_ROWS = 1_000
    dataset = formats.PortalXLSX().create_dataset(
        rebuilt(real_workbook_bytes(), replace={SHEET: sheet_xml(1_000, dimension="A1:A1001")})
    )
    assert len(dataset) == 1_000


def real_workbook_bytes() -> bytes:
    return xlsx_file([{"姓名": "王"}])


@pytest.mark.django_db
def test_validation_stops_after_200_refused_rows_and_says_there_are_more(client_for, bureau_user, township_a):
    # 250 rows with a bad ID number: 200 listed, then the note that more were not.
    rows = [person_row(n, township_a, {"身份证号": "123"}) for n in range(1, 251)]

    response = upload(client_for(bureau_user), xlsx_file(rows))

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    # 200 refused rows, one message each, and the note; row 202 onwards was not validated.
    assert job.error_count == MAX_REFUSED_ROWS + 1
    assert job.errors[0].startswith("第 2 行：")
    assert (len(job.errors), job.errors[-1]) == (100, MORE_ERRORS_MESSAGE)
    assert MORE_ERRORS_MESSAGE == "还有更多错误未列出：请改正以上错误后重新上传，以查看其余错误。"
    assert MORE_ERRORS_MESSAGE in response.content.decode()
    assert response.status_code == 200
    assert Person.objects.count() == 0
