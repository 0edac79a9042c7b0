import datetime

import pytest
from django.core.exceptions import ValidationError

from bureau.base.masking import mask_id_number, mask_phone
from bureau.validators import parse_resident_id, validate_phone
from tests.factories import make_id_number


def test_the_standard_example_number_is_valid_and_derives_birth_date_and_gender():
    resident = parse_resident_id("11010519491231002X")

    assert resident.birth_date == datetime.date(1949, 12, 31)
    assert resident.gender == "F"
    assert resident.number == "11010519491231002X"


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"


def test_odd_seventeenth_digit_means_male():
    number = make_id_number(birth_date=datetime.date(1985, 6, 15), sequence=131, male=True)

    resident = parse_resident_id(number)

    assert resident.gender == "M"
    assert resident.birth_date == datetime.date(1985, 6, 15)


def test_wrong_check_digit_is_refused_in_chinese():
    number = "110105194912310021"

    with pytest.raises(ValidationError) as error:
        parse_resident_id(number)

    assert error.value.messages == ["身份证号校验位错误，请核对号码。"]


def test_impossible_birth_date_is_refused_even_with_a_matching_check_digit():
    # 30 February with a correct check digit for its first 17 digits.
    body = "32010219800230123"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]

    with pytest.raises(ValidationError) as error:
        parse_resident_id(body + check)

    assert error.value.messages == ["身份证号中的出生日期不存在。"]


def test_future_birth_date_is_refused():
    number = make_id_number(birth_date=datetime.date(2090, 1, 1))

    with pytest.raises(ValidationError) as error:
        parse_resident_id(number)

    assert error.value.messages == ["身份证号中的出生日期不合理。"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "身份证号应为 18 位，当前为 16 位。"),
        ("11010519491231A02X", "身份证号只能由数字组成，最后一位可以是 X。"),
        ("991005194912310021", "身份证号前两位（省级行政区划代码）无效。"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError) as error:
        parse_resident_id(value)

    assert error.value.messages == [message]


def test_region_code_newer_than_the_birth_date_is_accepted():
    # 320115 (江宁区) was created long after 1930; older veterans carry such numbers.
    number = make_id_number(region="320115", birth_date=datetime.date(1930, 5, 1))

    assert parse_resident_id(number).birth_date == datetime.date(1930, 5, 1)


@pytest.mark.parametrize("phone", ["13812345678", "025-12345678", "02512345678"])
def test_valid_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23812345678", "138123456789", "abc"])
def test_invalid_phones_are_refused_in_chinese(phone):
    with pytest.raises(ValidationError) as error:
        validate_phone(phone)

    assert "电话号码格式不正确" in error.value.messages[0]


def test_masks_keep_four_leading_and_trailing_characters():
    assert mask_id_number("320102198001011234") == "3201**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""
