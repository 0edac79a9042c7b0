"""
Uploads are checked by content, not only by extension (issue 23, item 10): one validator
(`bureau.validators.UploadValidator`) on every FileField people upload to, magic bytes against
the extension for pdf, jpg, png, docx, xlsx and mp4.
"""

import io
import zipfile

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from bureau.models import Attachment
from bureau.validators import UploadValidator

# The portal's own files, never a person's upload: an import is checked by the import path
# (check_xlsx_upload, defusedxml, the bounded reader); exports and the annual report are written by the portal.
NOT_UPLOADS = {
    "bureau.ImportJob.file",
    "bureau.ExportJob.file",
    "reports.AnnualReportRun.docx_file",
    "reports.AnnualReportRun.xlsx_file",
    # The final version's files are written by the portal when a year is closed, never uploaded.
    "reports.FinalReport.docx_file",
    "reports.FinalReport.xlsx_file",
}


def package(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


GOOD = {
    "pdf": b"%PDF-1.7\n%...",
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "docx": package("word/document.xml"),
    "xlsx": package("xl/workbook.xml"),
    "mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00",
}
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode."


def test_every_uploaded_file_field_of_the_portal_uses_the_one_validator():
    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.fields
        if isinstance(field, models.FileField)
        and f"{model._meta.label}.{field.name}" not in NOT_UPLOADS
        and not model.__name__.startswith("Historical")
    ]
    assert len(fields) >= 4  # the attachment, the signature scan, the martyr's photo and relic file
    for model, field in fields:
        assert any(isinstance(v, UploadValidator) for v in field.validators), f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("extension", sorted(GOOD))
def test_a_file_of_its_type_passes(extension):
    UploadValidator(list(GOOD))(SimpleUploadedFile(f"文件.{extension}", GOOD[extension]))


@pytest.mark.parametrize("extension", sorted(GOOD))
def test_an_executable_renamed_to_the_extension_is_refused(extension):
    with pytest.raises(ValidationError) as refused:
        UploadValidator(list(GOOD))(SimpleUploadedFile(f"文件.{extension}", EXECUTABLE))
    assert refused.value.messages[0].startswith(f"文件内容与扩展名不符：“文件.{extension}”不是有效的")


def test_a_zip_without_the_documents_part_is_not_a_docx_and_a_png_is_not_a_jpg():
    validator = UploadValidator(list(GOOD))
    with pytest.raises(ValidationError):
        validator(SimpleUploadedFile("报告.docx", package("xl/workbook.xml")))
    with pytest.raises(ValidationError) as refused:
        validator(SimpleUploadedFile("照片.jpg", GOOD["png"]))
    assert refused.value.messages == ["文件内容与扩展名不符：“照片.jpg”不是有效的JPG 图片，请上传原始文件。"]


def test_an_extension_not_allowed_is_refused_in_chinese():
    with pytest.raises(ValidationError) as refused:
        UploadValidator(["pdf"])(SimpleUploadedFile("run.exe", EXECUTABLE))
    assert refused.value.messages == ["不支持的文件类型“exe”，只能上传：pdf。"]


@pytest.mark.django_db
def test_an_attachment_of_a_renamed_executable_is_refused_by_full_clean(township_a):
    from tests.employment.factories import JobFairFactory

    fair = JobFairFactory(township=township_a)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(fair),
        object_id=fair.pk,
        file=SimpleUploadedFile("纪要.pdf", EXECUTABLE),
    )
    with pytest.raises(ValidationError) as refused:
        attachment.full_clean()
    assert refused.value.message_dict["file"] == [
        "文件内容与扩展名不符：“纪要.pdf”不是有效的PDF 文件，请上传原始文件。"
    ]
