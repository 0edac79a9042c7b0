"""
A memorial message with a link or a phone number is flagged when saved (含链接/电话), for the
moderator's list (a column and a filter); it waits for moderation like any other and never shows
before it. A date, a year or an ID number is not a phone number.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from commemoration.models import Tribute
from commemoration.moderation import contact_flag
from tests.commemoration.factories import MartyrFactory, MessageFactory

LINKS = [
    "请访问 http://example.com 了解更多",
    "https://a.cn",
    "HTTPS://HERO.ORG/page",
    "www.baidu.com",
    "www。hero。cn",
    "英雄网 hero.cn 有更多",
    "看看abc.com",
    "网址 ｗｗｗ．ａｂｃ．ｃｏｍ",
    "ｈｔｔｐ：／／ｘ.ｙｚ",
    "abc点com",
    "sub.example.com.cn/x",
]
PHONES = [
    "电话13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "+86 13912345678",
    "１３９１２３４５６７８",
    "联系010-62345678",
    "(0571)88886666",
    "０５７１－８８８８６６６",
    "QQ 12345678",
    "qq号：123456789",
    "微信：hero_2021",
    "加vx wang888",
]
NEITHER = [
    "英雄不朽，浩气长存！",
    "2021-05-01 缅怀英烈",
    "２０２１－０５－０１",
    "2021.05.01",
    "20210501",
    "2021-05-01—2021-05-03",
    "1949年10月1日",
    "1937-1945年抗战",
    "生于1921年，1950年至1953年抗美援朝",
    "第128师 3.14",
    "110101199003071234",
    "130102199003071234",
    "No.1 英雄 e.g. i.e.",
    "他是微信里说的英雄",
    "qq",
]


@pytest.mark.parametrize("text", LINKS)
def test_a_link_is_flagged(text):
    assert contact_flag(text) == "link"


@pytest.mark.parametrize("text", PHONES)
def test_a_phone_or_an_account_is_flagged(text):
    assert contact_flag(text) == "phone"


@pytest.mark.parametrize("text", NEITHER)
def test_dates_years_and_id_numbers_are_not_flagged(text):
    assert contact_flag(text) == "none"


def test_both_at_once():
    assert contact_flag("访问 x.com 或拨打 138 1234 5678") == "both"


@pytest.fixture
def martyr(db):
    cache.clear()
    yield MartyrFactory()
    cache.clear()


def test_a_message_left_with_a_link_and_a_phone_is_flagged_and_waits(client, martyr):
    url = reverse("commemoration:memorial_message", args=[martyr.pk])
    client.post(url, {"message": "详情见 www.hero-memorial.cn，电话 139-1234-5678", "signature": "张三"})
    client.post(url, {"message": "2021-05-01，向英雄致敬", "signature": "学生"})
    client.post(url, {"message": "英雄千古", "signature": "微信 abc12345"})
    flags = dict(Tribute.objects.values_list("signature", "contact_flag"))
    assert flags == {"张三": "both", "学生": "none", "微信 abc12345": "phone"}
    assert set(Tribute.objects.values_list("moderation", flat=True)) == {Tribute.Moderation.PENDING}
    assert (
        "hero-memorial" not in client.get(reverse("commemoration:memorial_martyr", args=[martyr.pk])).content.decode()
    )


def test_the_flag_follows_an_edited_message(martyr):
    tribute = MessageFactory(martyr=martyr, message="英雄不朽")
    assert tribute.contact_flag == Tribute.ContactFlag.NONE
    tribute.message = "英雄不朽 www.x.com"
    tribute.save(update_fields=["message"])
    tribute.refresh_from_db()
    assert tribute.contact_flag == Tribute.ContactFlag.LINK


def test_the_moderators_list_shows_the_flag_and_filters_by_it(client, martyr, bureau_user):
    MessageFactory(martyr=martyr, message="见 www.x.com", signature="甲")
    MessageFactory(martyr=martyr, message="电话13912345678", signature="乙")
    MessageFactory(martyr=martyr, message="英雄千古", signature="丙")
    client.force_login(bureau_user)
    changelist = reverse("admin:commemoration_tribute_changelist")
    page = client.get(changelist)
    text = page.content.decode()
    assert page.status_code == 200
    assert "含链接/电话" in text
    shown = {row.signature: row for row in page.context["cl"].result_list}
    admin = page.context["cl"].model_admin
    assert {name: admin.contact_shown(row) for name, row in shown.items()} == {
        "甲": "含链接",
        "乙": "含电话/QQ/微信",
        "丙": None,
    }
    filtered = client.get(changelist, {"contact_flag__exact": "link"})
    assert [row.signature for row in filtered.context["cl"].result_list] == ["甲"]
    unflagged = client.get(changelist, {"contact_flag__exact": "none"})
    assert [row.signature for row in unflagged.context["cl"].result_list] == ["丙"]
    assert "含电话/QQ/微信" in text
