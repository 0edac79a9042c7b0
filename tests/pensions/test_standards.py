"""
Benefit standards (抚恤补助标准): the monthly amount of a category from a date; a new amount is a
new standard, the earlier one stays for the months it covered; one in force is never changed.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bureau.models import PreferentialCategory
from pensions.models import BenefitStandard

C = PreferentialCategory
pytestmark = pytest.mark.django_db


def standard(category=C.DISABLED_SOLDIER, amount="2150.00", valid_from=datetime.date(2021, 1, 1), **extra):
    return BenefitStandard.objects.create(category=category, monthly_amount=amount, valid_from=valid_from, **extra)


def test_the_standard_in_force_is_the_latest_from_its_month_on():
    standard(amount="2150.00", valid_from=datetime.date(2021, 1, 1))
    standard(amount="2300.00", valid_from=datetime.date(2021, 8, 1))
    standard(category=C.MARTYR_FAMILY, amount="2380.00", valid_from=datetime.date(2021, 1, 1))
    standard(amount="3100.00", valid_from=datetime.date(2021, 1, 1), disability_grade=1)

    july = BenefitStandard.objects.in_force(datetime.date(2021, 7, 31))
    august = BenefitStandard.objects.in_force(datetime.date(2021, 8, 31))

    assert july == {
        (C.DISABLED_SOLDIER, None): Decimal("2150.00"),
        (C.DISABLED_SOLDIER, 1): Decimal("3100.00"),
        (C.MARTYR_FAMILY, None): Decimal("2380.00"),
    }
    assert august[(C.DISABLED_SOLDIER, None)] == Decimal("2300.00")
    assert BenefitStandard.objects.in_force(datetime.date(2020, 12, 31)) == {}


def test_the_model_refuses_to_change_or_delete_a_standard_in_force_not_one_to_come():
    in_force = standard(valid_from=datetime.date(2021, 1, 1))
    to_come = standard(valid_from=datetime.date(2099, 1, 1))
    message = ["该标准已开始执行，不能修改或删除；标准调整请新增一条自新执行日期起的标准。"]

    in_force.monthly_amount = Decimal("9999.00")
    for action in (in_force.save, in_force.delete, in_force.full_clean):
        with pytest.raises(ValidationError) as refused:
            action()
        assert refused.value.messages == message
    to_come.monthly_amount = Decimal("2400.00")
    to_come.full_clean()
    to_come.save()

    assert BenefitStandard.objects.get(pk=in_force.pk).monthly_amount == Decimal("2150.00")
    assert BenefitStandard.objects.get(pk=to_come.pk).monthly_amount == Decimal("2400.00")
    to_come.delete()
    assert not BenefitStandard.objects.filter(pk=to_come.pk).exists()


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({}, "该类别在该执行日期已有标准。"),
        ({"disability_grade": 2}, None),
        ({"valid_from": datetime.date(2022, 1, 1)}, None),
        ({"monthly_amount": "0", "valid_from": datetime.date(2022, 1, 1)}, "确保该值大于或等于0.01。"),
    ],
    ids=["same-date", "a-grade", "another-date", "zero"],
)
def test_one_standard_per_category_grade_and_date(second, message):
    standard()
    values = {"category": C.DISABLED_SOLDIER, "monthly_amount": "2200.00", "valid_from": datetime.date(2021, 1, 1)}
    candidate = BenefitStandard(**{**values, **second})

    if message is None:
        candidate.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            candidate.full_clean()
        assert refused.value.messages == [message]


def test_a_standard_in_force_cannot_be_changed_or_deleted_one_to_come_can(client_for, bureau_user):
    in_force = standard(valid_from=datetime.date(2021, 1, 1))
    to_come = standard(valid_from=datetime.date(2099, 1, 1))
    client = client_for(bureau_user)

    refused = client.post(
        reverse("admin:pensions_benefitstandard_change", args=[in_force.pk]),
        {"category": C.DISABLED_SOLDIER, "monthly_amount": "9999.00", "valid_from": "2021-01-01"},
    )
    page = client.get(reverse("admin:pensions_benefitstandard_change", args=[in_force.pk])).content.decode()
    not_deleted = client.post(reverse("admin:pensions_benefitstandard_delete", args=[in_force.pk]), {"post": "yes"})
    corrected = client.post(
        reverse("admin:pensions_benefitstandard_change", args=[to_come.pk]),
        {"category": C.DISABLED_SOLDIER, "monthly_amount": "2400.00", "valid_from": "2099-01-01"},
    )

    assert (refused.status_code, not_deleted.status_code, corrected.status_code) == (403, 403, 302)
    assert 'name="monthly_amount"' not in page  # shown read-only
    in_force.refresh_from_db()
    to_come.refresh_from_db()
    assert (in_force.monthly_amount, to_come.monthly_amount) == (Decimal("2150.00"), Decimal("2400.00"))
    assert [entry.monthly_amount for entry in to_come.history.order_by("history_id")] == [
        Decimal("2150.00"),
        Decimal("2400.00"),
    ]
