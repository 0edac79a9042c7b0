"""Validators for the identifiers the registry keeps: resident ID numbers and phones."""

import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from stdnum.cn import ric, uscc

# First two digits of a resident ID: province-level region codes of GB/T 2260.
PROVINCE_CODES = frozenset(
    {
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
        71, 81, 82, 83,
    }
)  # fmt: skip

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F", as Person.Gender


def parse_resident_id(value: str, *, today: datetime.date | None = None) -> ResidentId:
    """
    Check an 18-character resident ID number (GB 11643) and derive birth date and gender.

    The check digit is computed by python-stdnum. Its own `validate()` also
    looks the region code up against the birth year and refuses a region
    created after the birth date; older veterans carry exactly such numbers
    (their county was renamed or re-coded), so only the province part is checked.
    """
    number = ric.compact(str(value or ""))
    if len(number) != 18:
        raise ValidationError(
            "身份证号应为 18 位，当前为 %(length)s 位。", code="length", params={"length": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号只能由数字组成，最后一位可以是 X。", code="format")
    if int(number[:2]) not in PROVINCE_CODES:
        raise ValidationError("身份证号前两位（省级行政区划代码）无效。", code="region")
    try:
        birth_date = ric.get_birth_date(number)
    except Exception:
        raise ValidationError("身份证号中的出生日期不存在。", code="birth_date") from None
    today = today or timezone.localdate()
    if birth_date > today or birth_date.year < 1900:
        raise ValidationError("身份证号中的出生日期不合理。", code="birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("身份证号校验位错误，请核对号码。", code="checksum")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth_date, gender=gender)


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", str(value or ""))


def validate_phone(value: str) -> None:
    phone = normalize_phone(value)
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise ValidationError("电话号码格式不正确：手机号为 11 位（1 开头），固定电话如 025-12345678。", code="phone")


CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_credit_code(value: str) -> str:
    return uscc.compact(str(value or ""))


def validate_credit_code(value: str) -> None:
    """
    Unified social credit code (GB 32100): 18 characters of `0-9A-HJ-NPQRTUWXY`,
    the last a check character computed by python-stdnum. stdnum's own `validate()`
    also demands 8 leading digits, which the standard does not, so only the
    alphabet and the check character are tested here.
    """
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码应为 18 位，当前为 %(length)s 位。", code="length", params={"length": len(code)}
        )
    if any(character not in CREDIT_CODE_ALPHABET for character in code):
        raise ValidationError("统一社会信用代码只能由数字和大写字母（不含 I、O、Z、S、V）组成。", code="format")
    if uscc.calc_check_digit(code) != code[-1]:
        raise ValidationError("统一社会信用代码校验位错误，请核对。", code="checksum")


CENT = Decimal("0.01")


def is_whole_fen(amount: Decimal) -> bool:
    """An amount of money in 元 with at most two decimals (to the fen, 分)."""
    return amount == amount.quantize(CENT)


# --- uploaded files: the extension and the content ----------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls (Office 97-2003)
# What a file of each extension begins with; docx and xlsx are zip packages with their main part.
MAGIC_BYTES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": (OLE_MAGIC,),
    "xls": (OLE_MAGIC,),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
PACKAGE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
FILE_TYPE_NAMES = {"jpg": "JPG 图片", "jpeg": "JPG 图片", "png": "PNG 图片", "mp4": "MP4 视频"}


def content_matches(head: bytes, extension: str, file) -> bool:
    """Whether the file's first bytes (and, for docx/xlsx, its zip directory) are of that extension's type."""
    if extension == "mp4":
        # ISO base media: a box size, then "ftyp".
        return head[4:8] == b"ftyp"
    if not head.startswith(MAGIC_BYTES[extension]):
        return False
    if extension in PACKAGE_PARTS:
        try:
            file.seek(0)
            # The central directory only: no member is decompressed.
            return PACKAGE_PARTS[extension] in zipfile.ZipFile(file).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    return True


@deconstructible
class UploadValidator:
    """
    The one check of an uploaded file, for every FileField of the portal: the extension is one of
    `extensions` and the content is of that type (magic bytes; a docx or xlsx must be a zip holding
    its main part), so an executable renamed "签字.pdf" is refused. A file already stored (a
    record saved again) was checked when it was uploaded and is not read again.
    """

    def __init__(self, extensions):
        self.extensions = [extension.lower() for extension in extensions]

    def __call__(self, value) -> None:
        name = getattr(value, "name", "") or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in self.extensions:
            raise ValidationError(
                "不支持的文件类型“%(extension)s”，只能上传：%(allowed)s。",
                code="invalid_extension",
                params={"extension": extension or "无扩展名", "allowed": "、".join(self.extensions)},
            )
        if getattr(value, "_committed", False):
            return
        file = getattr(value, "file", value)
        try:
            file.seek(0)
            head = file.read(16)
            ok = content_matches(head, extension, file)
        finally:
            file.seek(0)
        if not ok:
            kind = FILE_TYPE_NAMES.get(extension, f"{extension.upper()} 文件")
            raise ValidationError(
                "文件内容与扩展名不符：“%(name)s”不是有效的%(kind)s，请上传原始文件。",
                code="invalid_content",
                params={"name": name.rsplit("/", 1)[-1], "kind": kind},
            )

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and self.extensions == other.extensions


# --- free text: something a reader can see --------------------------------------------------------

# Characters that print as nothing but are not in Unicode's space or format categories.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\u2800\uffa0\u180e")


def has_visible_text(text: str) -> bool:
    """
    Whether the text holds a character a reader sees: not only whitespace (U+3000 included),
    zero-width or other format characters (U+200B…U+200D, U+2060, U+FEFF …), controls or
    blank-looking letters (Hangul fillers, the blank Braille pattern).
    """
    return any(
        not (
            char.isspace()
            or char in BLANK_LOOKING
            or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}
        )
        for char in text or ""
    )
