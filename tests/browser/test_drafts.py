"""A draft typed into a station form on a phone survives the end of the session, and goes on submit."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from bureau import roles
from bureau.models import FormDraft, Person
from tests.factories import TownshipFactory, UserFactory, make_id_number

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FORM = "/station/people/new/"


@pytest.fixture
def station_clerk():
    assert Group.objects.filter(name=roles.STATION_STAFF).exists()
    township = TownshipFactory(code="A01", name="甲镇", order=1)
    return UserFactory(username="station_a", first_name="甲镇站", township=township, groups=[roles.STATION_STAFF])


def type_a_person(page, id_number: str) -> None:
    page.get_by_label("姓名").fill("王新兵")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("住址").fill("甲镇幸福村 1 号")
    page.get_by_label("军种").select_option(label="信息支援部队")
    page.get_by_label("入伍日期").fill("2003-12-01")
    page.get_by_label("军衔/职级").fill("上等兵")
    expect(page.locator(".draft-status")).to_contain_text("草稿已自动保存")


def test_a_draft_is_restored_after_the_session_expired_and_deleted_on_submit(page, login, station_clerk):
    id_number = make_id_number(sequence=731)
    login("station_a")
    page.goto(FORM)
    expect(page.locator(".draft-notice")).to_have_count(0)
    type_a_person(page, id_number)
    draft = FormDraft.objects.get(user=station_clerk, key=FORM)
    assert draft.data["name"] == "王新兵" and draft.data["branch"] == "information_support"
    assert "csrfmiddlewaretoken" not in draft.data and "submission_key" not in draft.data

    # The session ends on the server (30 idle minutes); the page still shows the form.
    Session.objects.all().delete()
    page.goto(FORM)
    expect(page).to_have_url(re.compile(r"/station/login/\?next=/station/people/new/$"))
    page.get_by_label("用户名").fill("station_a")
    page.get_by_label("密码").fill("test-password-123")
    page.get_by_role("button", name="登录").click()

    # Back on the form (the login's `next`), filled from the draft.
    expect(page).to_have_url(re.compile(r"/station/people/new/$"))
    saved_time = timezone.localtime(FormDraft.objects.get(user=station_clerk).saved_at).strftime("%H:%M")
    expect(page.locator(".draft-notice")).to_contain_text(f"已恢复您于 {saved_time} 保存的草稿。")
    expect(page.get_by_role("button", name="放弃草稿")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_value("王新兵")
    expect(page.get_by_label("身份证号")).to_have_value(id_number)
    expect(page.get_by_label("住址")).to_have_value("甲镇幸福村 1 号")
    expect(page.get_by_label("军种")).to_have_value("information_support")
    expect(page.get_by_label("入伍日期")).to_have_value("2003-12-01")
    expect(page.get_by_label("军衔/职级")).to_have_value("上等兵")

    page.get_by_role("button", name="提交审核").click()
    expect(page).to_have_url(re.compile(r"/station/submissions/$"))
    expect(page.locator(".message--success")).to_have_text("已提交，等待区局审核")
    assert Person.objects.get(id_number=id_number).branch == "information_support"
    assert not FormDraft.objects.exists()

    page.goto(FORM)
    expect(page.get_by_label("姓名")).to_have_value("")
    expect(page.locator(".draft-notice")).to_have_count(0)


def test_a_restored_draft_can_be_discarded(page, login, station_clerk):
    login("station_a")
    page.goto(FORM)
    type_a_person(page, make_id_number(sequence=732))
    page.reload()  # a fresh page of the same form (a closed tab opened again)

    expect(page.locator(".draft-notice")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_value("王新兵")
    page.get_by_role("button", name="放弃草稿").click()
    expect(page.locator(".draft-notice")).to_have_count(0)
    expect(page.get_by_label("姓名")).to_have_value("")
    expect(page.get_by_label("军种")).to_have_value("")
    expect(page.locator("form[data-draft]")).to_have_attribute("data-draft-state", "discarded")
    assert not FormDraft.objects.exists()
