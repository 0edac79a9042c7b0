"""
Hostile files on the admin import: each is refused with a Chinese message naming
what is wrong, on the import page with HTTP 400, before anything is stored or
written. The zip bomb is refused from the zip directory, fast and without
decompressing it.
"""

import re
import time
import zipfile
from io import BytesIO

import pytest

from bureau.importexport import formats
from bureau.models import ImportJob, Person
from bureau.models.jobs import PrivateStorage
from tests.bureau.test_import_export import person_row, upload, xlsx_file

CHINESE = re.compile(r"[\u4e00-\u9fff]")
SHEET = "xl/worksheets/sheet1.xml"
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
BILLION_LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


def rebuilt(workbook: bytes, replace=None, add=None) -> bytes:
    """A copy of a real workbook with some members replaced or added; every other part unchanged."""
    replace, add = replace or {}, add or {}
    stream = BytesIO()
    with zipfile.ZipFile(BytesIO(workbook)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = replace.get(member.filename, source.read(member))
            target.writestr(member.filename, content(source.read(member)) if callable(content) else content)
        for name, content in add.items():
            target.writestr(name, content)
    return stream.getvalue()


def real_workbook(township) -> bytes:
    return xlsx_file([person_row(1, township)])


def zip_bomb(workbook: bytes, megabytes: int) -> bytes:
    """The workbook with its sheet replaced by `megabytes` MB of zeros, written in 1 MB chunks (~1000:1)."""
    stream = BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(BytesIO(workbook)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != SHEET:
                target.writestr(member.filename, source.read(member))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            for _ in range(megabytes):
                sheet.write(chunk)
    return stream.getvalue()


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


@pytest.fixture
def stored_files(monkeypatch):
    """Names of the uploads stored for import jobs (the step before parsing), in the private storage."""
    saved = []
    original_save = PrivateStorage._save

    def save(self, name, content):
        stored = original_save(self, name, content)
        saved.append(stored)
        return stored

    monkeypatch.setattr(PrivateStorage, "_save", save)
    return saved


def refusal(response) -> list[str]:
    assert response.status_code == 400
    errors = response.context["form"].errors["import_file"]
    assert errors
    assert all(CHINESE.search(error) for error in errors)
    assert not any(word in " ".join(errors) for word in ("encountered", "Error", "zip", "Zip"))
    assert Person.objects.count() == 0
    return errors


def test_a_zip_bomb_is_refused_from_the_zip_directory_in_seconds_without_memory(
    client_for, bureau_user, township_a, stored_files
):
    bomb = zip_bomb(real_workbook(township_a), megabytes=200)
    assert len(bomb) < 1024 * 1024  # small on the wire, 200 MB once decompressed
    client = client_for(bureau_user)

    rss_before = rss_bytes()
    started = time.monotonic()
    response = upload(client, bomb)
    elapsed = time.monotonic() - started
    rss_growth = rss_bytes() - rss_before

    assert refusal(response) == ["文件解压后过大（200 MB，最多 100 MB），可能是恶意构造的压缩文件，已拒绝。"]
    assert elapsed < 5
    assert rss_growth < 50 * 1024 * 1024
    assert stored_files == []


def test_a_member_compressed_far_beyond_spreadsheet_data_is_refused(client_for, bureau_user, township_a, stored_files):
    bomb = zip_bomb(real_workbook(township_a), megabytes=5)

    response = upload(client_for(bureau_user), bomb)

    assert refusal(response) == ["文件压缩比异常，可能是恶意构造的压缩文件，已拒绝。"]
    assert stored_files == []


def test_a_renamed_executable_is_refused_as_not_a_workbook(client_for, bureau_user, stored_files):
    executable = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(4096) + b"This program cannot be run in DOS mode."
    )

    response = upload(client_for(bureau_user), executable, name="people.xlsx")

    assert refusal(response) == [formats.NOT_XLSX_MESSAGE]
    assert stored_files == []


def test_a_zip_without_the_workbook_parts_is_refused(client_for, bureau_user, stored_files):
    stream = BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")

    response = upload(client_for(bureau_user), stream.getvalue())

    assert refusal(response) == [formats.NOT_XLSX_MESSAGE]
    assert stored_files == []


def test_a_macro_workbook_is_refused(client_for, bureau_user, township_a, stored_files):
    workbook = rebuilt(
        real_workbook(township_a),
        replace={
            "[Content_Types].xml": lambda xml: xml.replace(XLSX_CONTENT_TYPE.encode(), MACRO_CONTENT_TYPE.encode())
        },
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)},
    )

    response = upload(client_for(bureau_user), workbook, name="people.xlsm")

    assert refusal(response) == [
        "文件是含宏的工作簿（.xlsm），不能导入：请另存为不含宏的“Excel 工作簿（*.xlsx）”后再上传。"
    ]
    assert stored_files == []


def test_a_macro_content_type_alone_is_refused(client_for, bureau_user, township_a):
    workbook = rebuilt(
        real_workbook(township_a),
        replace={
            "[Content_Types].xml": lambda xml: xml.replace(XLSX_CONTENT_TYPE.encode(), MACRO_CONTENT_TYPE.encode())
        },
    )

    assert "含宏" in refusal(upload(client_for(bureau_user), workbook))[0]


def job_refusal(response) -> list[str]:
    """A file that passes the upload checks but not the parser (in the import job): its errors, nothing kept."""
    job = response.context["job"]
    assert job.status == ImportJob.Status.INVALID
    assert not job.file  # the stored copy is deleted
    assert all(CHINESE.search(error) for error in job.errors)
    assert not any(word in " ".join(job.errors) for word in ("encountered", "Error", "zip", "Zip"))
    assert Person.objects.count() == 0
    return job.errors


def test_an_xml_bomb_in_the_sheet_is_refused_by_the_parser_and_its_stored_copy_removed(
    client_for, bureau_user, township_a
):
    workbook = rebuilt(real_workbook(township_a), replace={SHEET: BILLION_LAUGHS})

    started = time.monotonic()
    response = upload(client_for(bureau_user), workbook)

    # The zip checks pass, so the upload is stored for its job; the parser refuses it there.
    assert job_refusal(response) == ["文件中含有不允许的 XML 实体定义，可能是恶意构造的文件，已拒绝。"]
    assert time.monotonic() - started < 5
    assert "文件中含有不允许的 XML 实体定义" in response.content.decode()


def test_a_workbook_of_too_many_parts_is_refused(client_for, bureau_user, township_a, stored_files):
    workbook = rebuilt(real_workbook(township_a), add={f"xl/media/padding{n}.bin": b"" for n in range(1000)})

    response = upload(client_for(bureau_user), workbook)

    assert refusal(response) == ["文件内部的组成部分过多（1009 个，最多 1000 个），不是正常的 Excel 工作簿。"]
    assert stored_files == []


def test_a_file_over_10_mb_is_refused_before_it_is_read(client_for, bureau_user, stored_files):
    response = upload(client_for(bureau_user), b"PK\x03\x04" + bytes(10 * 1024 * 1024))

    assert refusal(response) == ["文件过大（10.0 MB）：导入文件不能超过 10 MB。"]
    assert stored_files == []


def test_an_unreadable_zip_that_passes_the_checks_gets_a_chinese_message(client_for, bureau_user, township_a):
    workbook = rebuilt(real_workbook(township_a), replace={SHEET: b"<worksheet><not closed"})

    assert job_refusal(upload(client_for(bureau_user), workbook)) == [formats.NOT_XLSX_MESSAGE]


def test_the_ordinary_workbook_still_passes_the_checks(client_for, bureau_user, township_a):
    response = upload(client_for(bureau_user), real_workbook(township_a))

    assert response.status_code == 200
    assert response.context["job"].status == ImportJob.Status.VALIDATED
    assert "confirm_form" in response.context
