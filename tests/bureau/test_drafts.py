"""
Drafts of station forms (bureau.station.drafts): saved as the user types, restored for that user
only, discarded on request, deleted when the form is submitted, purged after 30 days.
"""

import datetime
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bureau import roles
from bureau.models import FormDraft, IdempotencyKey, Person
from tests.bureau.test_station import person_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DRAFTS = reverse("station:draft")
CREATE = reverse("station:person_create")
LOGIN = reverse("station:login")


def save(client, key=CREATE, data=None, **extra):
    body = {"key": key, "data": data if data is not None else {"name": "王新兵"}, **extra}
    # As a browser's JSON.stringify sends it: Chinese unescaped.
    return client.post(DRAFTS, json.dumps(body, ensure_ascii=False), content_type="application/json")


def read(client, key=CREATE):
    return client.get(DRAFTS, {"key": key})


def test_a_draft_is_saved_and_read_back_without_the_pages_own_fields(client_for, station_user_a):
    client = client_for(station_user_a)
    typed = {
        "name": "王新兵",
        "address": "甲镇幸福村 1 号",
        "branch": "navy",
        "categories": ["3", "5"],
        "csrfmiddlewaretoken": "token",
        "submission_key": "a" * 32,
        "version": "4",
    }
    response = save(client, data=typed)
    assert response.status_code == 200
    assert response.json()["saved"] is True

    draft = FormDraft.objects.get()
    assert (draft.user, draft.key) == (station_user_a, CREATE)
    expected = {"name": "王新兵", "address": "甲镇幸福村 1 号", "branch": "navy", "categories": ["3", "5"]}
    assert draft.data == expected
    answer = read(client)
    assert answer.status_code == 200
    assert answer.json()["data"] == expected
    assert answer.json()["saved_time"] == timezone.localtime(draft.saved_at).strftime("%H:%M")


def test_a_second_save_replaces_the_first(client_for, station_user_a):
    client = client_for(station_user_a)
    save(client, data={"name": "王"})
    save(client, data={"name": "王新兵", "rank": "上等兵"})
    assert FormDraft.objects.count() == 1
    assert read(client).json()["data"] == {"name": "王新兵", "rank": "上等兵"}


def test_a_form_encoded_save_keeps_the_fields_themselves(client_for, station_user_a):
    client = client_for(station_user_a)
    response = client.post(
        DRAFTS, {"key": CREATE, "name": "李四", "categories": ["1", "2"], "csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 200
    assert FormDraft.objects.get().data == {"name": "李四", "categories": ["1", "2"]}
    # `data` as JSON text in a form post.
    client.post(DRAFTS, {"key": CREATE, "data": json.dumps({"name": "赵五"})})
    assert FormDraft.objects.get().data == {"name": "赵五"}


def test_a_draft_is_discarded_by_post_or_delete(client_for, station_user_a):
    client = client_for(station_user_a)
    save(client)
    response = client.post(DRAFTS, json.dumps({"key": CREATE, "discard": True}), content_type="application/json")
    assert response.json() == {"deleted": True}
    assert not FormDraft.objects.exists()
    missing = read(client)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "没有保存的草稿。"}

    save(client)
    assert client.delete(f"{DRAFTS}?key={CREATE}").json() == {"deleted": True}
    assert not FormDraft.objects.exists()


def test_a_draft_is_its_users_alone(client_for, station_user_a, station_user_b, township_a):
    colleague = UserFactory(username="station_a2", township=township_a, groups=[roles.STATION_STAFF])
    save(client_for(station_user_a), data={"name": "王新兵", "id_number": "110101198506150011"})
    for other in (colleague, station_user_b):
        client = Client()
        client.force_login(other)
        assert read(client).status_code == 404
        # Discarding "their" draft of the same page leaves the owner's alone.
        assert client.delete(f"{DRAFTS}?key={CREATE}").json() == {"deleted": False}
    assert FormDraft.objects.get().user == station_user_a


def test_a_successful_submit_deletes_the_users_draft_of_that_page(client_for, station_user_a, township_a):
    colleague = UserFactory(username="station_a2", township=township_a, groups=[roles.STATION_STAFF])
    other_client = Client()
    other_client.force_login(colleague)
    save(other_client, data={"name": "同事的草稿"})
    client = client_for(station_user_a)
    save(client)
    save(client, key="/station/resettlement/insurance/new/", data={"months": "12"})

    refused = client.post(CREATE, person_data(name=""))
    assert refused.status_code == 200
    assert FormDraft.objects.filter(user=station_user_a, key=CREATE).exists()  # not saved: the draft stays

    response = client.post(CREATE, person_data())
    assert response.status_code == 302
    assert Person.objects.filter(name="王新兵").exists()
    assert not FormDraft.objects.filter(user=station_user_a, key=CREATE).exists()
    # The user's draft of another form and the colleague's draft of this one stay.
    left = sorted(FormDraft.objects.values_list("user__username", "key"))
    assert left == [("station_a", "/station/resettlement/insurance/new/"), ("station_a2", CREATE)]


def test_a_save_arriving_after_the_page_was_submitted_is_refused(client_for, station_user_a):
    client = client_for(station_user_a)
    IdempotencyKey.objects.create(user=station_user_a, key="k" * 32, fingerprint="f")
    response = save(client, submission_key="k" * 32)
    assert response.status_code == 409
    assert response.json() == {"detail": "该表单已提交，草稿未保存。"}
    assert not FormDraft.objects.exists()
    assert save(client, submission_key="n" * 32).status_code == 200


def test_a_draft_over_64_kb_is_refused_in_chinese(client_for, station_user_a):
    client = client_for(station_user_a)
    response = save(client, data={"notes": "字" * 22_000})  # 66 KB of UTF-8
    assert response.status_code == 400
    assert response.json() == {"detail": "草稿内容过多（超过 64 KB），未保存。请直接提交表单。"}
    assert save(client, data={"notes": "字" * 20_000}).status_code == 200  # 60 KB fits
    # However the body is encoded: 60 KB escaped by JSON ("\\u5b57", 120 KB) still fits, 400 KB is refused.
    escaped = json.dumps({"key": CREATE, "data": {"notes": "字" * 20_000}})
    assert client.post(DRAFTS, escaped, content_type="application/json").status_code == 200
    huge = json.dumps({"key": CREATE, "data": {"notes": "字" * 70_000}})
    assert client.post(DRAFTS, huge, content_type="application/json").status_code == 400


@pytest.mark.parametrize(
    "key",
    [
        "/admin/bureau/person/add/",
        "/station/",
        "/station/submissions/",
        "/station/login/",
        "/station/drafts/",
        "/station/resettlement/insurance/",
        "/station/no-such-page/",
        "/station/people/new/?x=1",
        "https://example.com/station/people/new/",
        "",
        None,
        7,
    ],
)
def test_a_key_that_is_not_a_station_form_page_is_refused(client_for, station_user_a, key):
    client = client_for(station_user_a)
    response = save(client, key=key)
    assert response.status_code == 400
    assert response.json() == {"detail": "草稿只能保存服务站表单页面的内容。"}
    assert client.get(DRAFTS, {"key": key} if key is not None else {}).status_code == 400
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize("data", [["name"], {"name": 5}, {"categories": ["1", 2]}, "text"])
def test_malformed_fields_are_refused(client_for, station_user_a, data):
    response = save(client_for(station_user_a), data=data)
    assert response.status_code == 400
    assert response.json() == {"detail": "草稿内容格式不正确，未保存。"}


def test_a_body_that_is_not_json_is_a_400(client_for, station_user_a):
    response = client_for(station_user_a).post(DRAFTS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容格式不正确。"}


def test_anonymous_is_sent_to_login_and_the_bureau_is_refused(client, bureau_user):
    assert client.get(DRAFTS, {"key": CREATE}).url.startswith(f"{LOGIN}?next=")
    response = save(client)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    client.force_login(bureau_user)
    assert read(client).status_code == 403
    assert save(client).status_code == 403
    assert not FormDraft.objects.exists()


def test_a_save_needs_the_csrf_token(station_user_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(station_user_a)
    assert save(client).status_code == 403
    assert not FormDraft.objects.exists()


def test_drafts_untouched_for_30_days_are_purged(client_for, station_user_a, station_user_b):
    save(client_for(station_user_a))
    FormDraft.objects.update(saved_at=timezone.now() - datetime.timedelta(days=31))
    client_b = Client()
    client_b.force_login(station_user_b)
    save(client_b)
    # An old draft is no longer offered, even before the purge.
    assert read(client_for(station_user_a)).status_code == 404

    call_command("purge_drafts", stdout=(out := __import__("io").StringIO()))
    assert out.getvalue().strip() == "已删除 1 份超过 30 天的表单草稿。"
    assert list(FormDraft.objects.values_list("user__username", flat=True)) == ["station_b"]


def test_a_fresh_form_asks_for_its_draft_and_a_form_shown_again_does_not(client_for, station_user_a):
    client = client_for(station_user_a)
    fresh = client.get(CREATE).content.decode()
    assert f'data-draft="{CREATE}"' in fresh
    assert f'data-draft-url="{DRAFTS}"' in fresh
    assert "data-draft-restore" in fresh
    assert "/static/js/drafts.js" in fresh
    again = client.post(CREATE, person_data(name="")).content.decode()
    assert f'data-draft="{CREATE}"' in again
    assert "data-draft-restore" not in again
    # Every area's form page has it too (the shared skeleton).
    insurance = client.get("/station/resettlement/insurance/new/").content.decode()
    assert 'data-draft="/station/resettlement/insurance/new/"' in insurance
