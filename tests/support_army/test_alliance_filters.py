"""
The public alliance page filtered by kind of offer (the enterprise's 行业领域) and township, with
plain GET parameters; each option counts what the other filter leaves; an empty result says so; a
bad value is a Chinese 400 or an empty list, never a 500.
"""

import pytest
from django.urls import reverse

from support_army.models import AllianceMember
from tests.support_army.factories import AllianceMemberFactory

pytestmark = pytest.mark.django_db

ALLIANCE = reverse("support_army:alliance")
NO_MATCH = "没有符合条件的拥军优属单位。"


@pytest.fixture
def members(township_a, township_b):
    """甲镇: 2 餐饮, 1 医疗 (and a 餐饮 member who left); 乙镇: 1 餐饮, 1 医疗, 1 商超, 1 without a sector."""
    rows = [
        ("甲镇餐饮一", "餐饮", township_a),
        ("甲镇餐饮二", "餐饮", township_a),
        ("甲镇医疗", "医疗", township_a),
        ("乙镇餐饮", "餐饮", township_b),
        ("乙镇医疗", "医疗", township_b),
        ("乙镇商超", "商超", township_b),
        ("乙镇未填行业", "", township_b),
    ]
    for name, sector, township in rows:
        AllianceMemberFactory(enterprise__name=name, enterprise__sector=sector, enterprise__township=township)
    AllianceMemberFactory(
        enterprise__name="甲镇已退出",
        enterprise__sector="餐饮",
        enterprise__township=township_a,
        status=AllianceMember.Status.LEFT,
        left_on="2021-12-31",
    )
    return township_a, township_b


def names(response) -> list[str]:
    return sorted(m.enterprise.name for _, batch in response.context["batches"] for m in batch)


def options(response) -> tuple[list, list]:
    return (
        [f"{kind}（{count}）" for kind, count in response.context["kinds"]],
        [f"{name}（{count}）" for _, name, count in response.context["townships"]],
    )


def test_without_filters_every_member_and_every_option_with_its_count(client, members):
    response = client.get(ALLIANCE)
    assert response.status_code == 200
    assert len(names(response)) == 7 and response.context["total"] == 7
    assert options(response) == (["医疗（2）", "商超（1）", "餐饮（3）"], ["甲镇（3）", "乙镇（4）"])
    text = response.content.decode()
    assert '<option value="">全部类别</option>' in text and '<option value="">全部乡镇（街道）</option>' in text
    assert "符合条件的会员企业" not in text


def test_by_kind_the_townships_count_that_kind(client, members):
    response = client.get(ALLIANCE, {"kind": "餐饮"})
    assert names(response) == ["乙镇餐饮", "甲镇餐饮一", "甲镇餐饮二"]
    assert options(response) == (["医疗（2）", "商超（1）", "餐饮（3）"], ["甲镇（2）", "乙镇（1）"])
    text = response.content.decode()
    assert '<option value="餐饮" selected>餐饮（3）</option>' in text
    assert "符合条件的会员企业 <strong>3</strong> 家。" in text
    assert "目前共有 <strong>7</strong> 家会员企业" in text


def test_by_kind_and_township(client, members):
    township_a, _ = members
    response = client.get(ALLIANCE, {"kind": "餐饮", "township": township_a.pk})
    assert names(response) == ["甲镇餐饮一", "甲镇餐饮二"]
    assert options(response) == (["医疗（1）", "商超（0）", "餐饮（2）"], ["甲镇（2）", "乙镇（1）"])
    assert f'<option value="{township_a.pk}" selected>甲镇（2）</option>' in response.content.decode()


def test_by_township_alone_the_member_without_a_sector_is_listed(client, members):
    _, township_b = members
    response = client.get(ALLIANCE, {"township": township_b.pk})
    assert names(response) == ["乙镇医疗", "乙镇商超", "乙镇未填行业", "乙镇餐饮"]


def test_nothing_matching_says_so(client, members):
    township_a, _ = members
    response = client.get(ALLIANCE, {"kind": "商超", "township": township_a.pk})
    assert response.status_code == 200
    assert names(response) == []
    assert NO_MATCH in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "火星"},
        {"kind": "餐饮\x00"},
        {"kind": "餐" * 5000},
        {"township": "99999999999999999999"},
        {"township": "999999"},
    ],
)
def test_a_value_no_member_has_gives_the_empty_list(client, members, params):
    response = client.get(ALLIANCE, params)
    assert response.status_code == 200
    assert names(response) == []
    assert NO_MATCH in response.content.decode()


@pytest.mark.parametrize("township", ["abc", "-1", "1.5", "1 OR 1=1"])
def test_a_township_that_is_not_a_number_is_a_chinese_400(client, members, township):
    response = client.get(ALLIANCE, {"township": township})
    assert response.status_code == 400
    text = response.content.decode()
    assert "筛选条件无效，请从列表中选择乡镇（街道）。" in text
    assert NO_MATCH in text


def test_no_members_at_all_keeps_the_old_words(client, db):
    response = client.get(ALLIANCE)
    assert "暂无会员企业信息。" in response.content.decode()
    assert NO_MATCH not in response.content.decode()
