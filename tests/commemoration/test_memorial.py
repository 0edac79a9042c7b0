"""
The public online memorial (/memorial/, no login): only published martyrs, flowers at once,
messages after moderation, escaped, rate limited per client, and never an ID number.
"""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commemoration.models import Tribute
from commemoration.services import TRIBUTES_PER_MINUTE
from tests.commemoration.factories import (
    FallenFactory,
    MartyrFactory,
    MemorialCampaignFactory,
    MessageFactory,
    TributeFactory,
)
from tests.factories import FamilyLinkFactory


@pytest.fixture(autouse=True)
def fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def martyr(db):
    person = FallenFactory(name="李英雄", address="幸福路1号")
    FamilyLinkFactory(person=person, relative__name="李家属", relative__phone="13912345678")
    return MartyrFactory(person=person, deeds="在抗洪抢险中英勇牺牲。")


@pytest.fixture
def unpublished(db):
    return MartyrFactory(person=FallenFactory(name="王未公开"), publication_consent=False)


def page(martyr):
    return reverse("commemoration:memorial_martyr", args=[martyr.pk])


def test_the_memorial_is_mounted_at_memorial(martyr):
    assert reverse("commemoration:memorial_home") == "/memorial/"
    assert page(martyr) == f"/memorial/martyrs/{martyr.pk}/"


def test_home_shows_the_featured_campaign_and_published_martyrs(client, martyr, unpublished):
    today = timezone.localdate()
    MemorialCampaignFactory(
        title="致敬·2021清明祭英烈", featured=True, starts_on=today, ends_on=today + datetime.timedelta(days=1)
    )
    response = client.get("/memorial/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "致敬·2021清明祭英烈" in text
    assert "李英雄" in text
    assert "王未公开" not in text


def test_an_unpublished_martyr_is_404_on_the_pages_and_the_api(client, unpublished):
    for url in (
        page(unpublished),
        reverse("commemoration:memorial_photo", args=[unpublished.pk]),
        reverse("commemoration:memorial_api_detail", args=[unpublished.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("commemoration:memorial_flower", "commemoration:memorial_message"):
        assert client.post(reverse(name, args=[unpublished.pk]), {"message": "致敬"}).status_code == 404
    assert not Tribute.objects.exists()
    listed = client.get(reverse("commemoration:memorial_api_list")).json()["results"]
    assert unpublished.pk not in [m["id"] for m in listed]
    answer = client.get(reverse("commemoration:memorial_api_detail", args=[unpublished.pk]))
    assert answer.json()["detail"] == "该烈士的纪念页面不存在或未公开。"


def test_the_api_shows_a_published_martyr_without_personal_data(client, martyr):
    MessageFactory(martyr=martyr, message="永垂不朽", moderation=Tribute.Moderation.APPROVED)
    MessageFactory(martyr=martyr, message="待审核的寄语")
    data = client.get(reverse("commemoration:memorial_api_detail", args=[martyr.pk])).json()
    assert data["name"] == "李英雄"
    assert [m["message"] for m in data["messages"]] == ["永垂不朽"]
    flat = str(data)
    assert martyr.person.id_number not in flat and "李家属" not in flat and "幸福路" not in flat


def test_a_flower_counts_at_once(client, martyr):
    response = client.post(reverse("commemoration:memorial_flower", args=[martyr.pk]), follow=True)
    assert response.status_code == 200
    assert "献花成功" in response.content.decode()
    assert response.context["martyr"].flowers == 1
    answer = Client().post(
        reverse("commemoration:memorial_flower", args=[martyr.pk]), headers={"accept": "application/json"}
    )
    assert answer.json()["flowers"] == 2


def test_a_message_is_invisible_until_approved(client, martyr, bureau_user):
    response = client.post(
        reverse("commemoration:memorial_message", args=[martyr.pk]), {"message": "英雄千古", "signature": "学生"}
    )
    assert response.status_code == 302
    tribute = Tribute.objects.get()
    assert tribute.moderation == Tribute.Moderation.PENDING
    assert "英雄千古" not in client.get(page(martyr)).content.decode()

    client.force_login(bureau_user)
    changelist = reverse("admin:commemoration_tribute_changelist")
    answer = client.post(changelist, {"action": "approve_messages", "_selected_action": [tribute.pk]})
    assert answer.status_code == 302
    tribute.refresh_from_db()
    assert (tribute.moderation, tribute.moderated_by) == (Tribute.Moderation.APPROVED, bureau_user)
    client.logout()
    assert "英雄千古" in client.get(page(martyr)).content.decode()


def test_a_rejected_message_stays_hidden(client, martyr, bureau_user):
    tribute = MessageFactory(martyr=martyr, message="不当言论")
    client.force_login(bureau_user)
    client.post(
        reverse("admin:commemoration_tribute_changelist"),
        {"action": "reject_messages", "_selected_action": [tribute.pk]},
    )
    tribute.refresh_from_db()
    assert tribute.moderation == Tribute.Moderation.REJECTED
    client.logout()
    assert "不当言论" not in client.get(page(martyr)).content.decode()


def test_a_script_in_a_message_is_shown_escaped(client, martyr):
    MessageFactory(martyr=martyr, message="<script>alert('x')</script>致敬", moderation=Tribute.Moderation.APPROVED)
    text = client.get(page(martyr)).content.decode()
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;致敬" in text


def test_a_message_too_long_or_empty_is_a_400_with_a_chinese_message(client, martyr):
    url = reverse("commemoration:memorial_message", args=[martyr.pk])
    too_long = client.post(url, {"message": "敬" * 201})
    assert too_long.status_code == 400
    assert "寄语不能超过200字。" in too_long.content.decode()
    empty = client.post(url, {"message": "   "})
    assert empty.status_code == 400
    assert "请填写寄语内容。" in empty.content.decode()
    assert not Tribute.objects.exists()


def test_30_flowers_from_one_client_within_a_minute_are_limited(client, martyr, monkeypatch):
    # One clock minute for all 30 posts: under load they could otherwise straddle two minutes' counts.
    monkeypatch.setattr("commemoration.services.current_minute", lambda: 29_000_000)
    url = reverse("commemoration:memorial_flower", args=[martyr.pk])
    answers = [Client().post(url, REMOTE_ADDR="203.0.113.7") for _ in range(30)]  # 30 visitors, one address
    limited = [a for a in answers if a.status_code == 429]
    assert len(limited) == 30 - TRIBUTES_PER_MINUTE
    assert "您的操作过于频繁，请一分钟后再试。" in limited[0].content.decode()
    assert Tribute.objects.filter(kind=Tribute.Kind.FLOWER).count() == TRIBUTES_PER_MINUTE
    # Another client is not limited; the client's address is stored only as a keyed hash.
    assert client.post(url, REMOTE_ADDR="198.51.100.9").status_code == 302
    assert not Tribute.objects.filter(client_key__contains="203.0.113.7").exists()
    json_answer = client.post(url, REMOTE_ADDR="203.0.113.7", headers={"accept": "application/json"})
    assert json_answer.status_code == 429
    assert json_answer.json()["detail"].startswith("您的操作过于频繁")


def test_posts_need_the_csrf_token(martyr):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("commemoration:memorial_flower", args=[martyr.pk])).status_code == 403


def test_no_id_number_or_family_detail_on_any_public_page(client, martyr):
    TributeFactory(martyr=martyr)
    urls = [
        "/memorial/",
        page(martyr),
        reverse("commemoration:memorial_api_list"),
        reverse("commemoration:memorial_api_detail", args=[martyr.pk]),
    ]
    id_number = martyr.person.id_number
    for url in urls:
        text = client.get(url).content.decode()
        assert id_number not in text and id_number[:6] not in text, url
        assert "李家属" not in text and "13912345678" not in text and "幸福路" not in text, url


def test_no_external_script_and_a_phone_viewport(client, martyr):
    text = client.get(page(martyr)).content.decode()
    assert 'name="viewport"' in text
    assert '<script src="http' not in text and "//cdn" not in text


def test_pages_count_visits(client, martyr):
    from commemoration.models import MemorialDailyVisits

    client.get("/memorial/")
    client.get(page(martyr))
    assert MemorialDailyVisits.objects.get().visits == 2


@pytest.mark.parametrize(
    "message",
    ["\u200b" * 50, "\u200c\u200d\u2060\ufeff" * 10, "\u3000 \t\u00a0", "\u3164\u2800\u115f"],
    ids=["zero-width", "joiners", "spaces", "blank-letters"],
)
def test_a_message_of_invisible_characters_is_refused(client, martyr, message):
    from commemoration.models import INVISIBLE_MESSAGE

    response = client.post(reverse("commemoration:memorial_message", args=[martyr.pk]), {"message": message})

    assert response.status_code == 400
    content = response.content.decode()
    assert INVISIBLE_MESSAGE in content or "请填写寄语内容。" in content
    assert not Tribute.objects.exists()
    if message.strip():
        assert INVISIBLE_MESSAGE == "寄语不能只由空格或不可见字符组成，请填写寄语内容。"
        assert INVISIBLE_MESSAGE in content


def test_a_message_with_a_zero_width_character_among_words_is_accepted(client, martyr):
    response = client.post(
        reverse("commemoration:memorial_message", args=[martyr.pk]), {"message": "英雄\u200b永垂不朽"}
    )

    assert response.status_code == 302
    assert Tribute.objects.get().message == "英雄\u200b永垂不朽"


def test_the_model_refuses_an_invisible_message_too(martyr):
    from django.core.exceptions import ValidationError

    tribute = Tribute(martyr=martyr, kind=Tribute.Kind.MESSAGE, message="\u200b" * 50)
    with pytest.raises(ValidationError) as refused:
        tribute.full_clean()
    assert refused.value.message_dict["message"] == ["寄语不能只由空格或不可见字符组成，请填写寄语内容。"]
