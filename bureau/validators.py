"""Validators for the identifiers the registry keeps: resident ID numbers and phones."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
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
