"""A station clerk registers a person on a phone-sized screen, end to end."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bureau import roles
from bureau.models import Person, ReviewStatus
from tests.factories import PersonFactory, TownshipFactory, UserFactory, make_id_number

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township():
    return TownshipFactory(code="A01", name="甲镇", order=1)


@pytest.fixture
def station_clerk(township):
    # Transactional tests flush the database; the role groups must come back with post_migrate.
    assert Group.objects.filter(name=roles.STATION_STAFF).exists()
    user = UserFactory(username="station_a", first_name="甲镇站", township=township, groups=[roles.STATION_STAFF])
    assert roles.is_station_staff(user)
    return user


def test_station_clerk_registers_a_person(page, login, station_clerk, township):
    id_number = make_id_number(sequence=357)
    login("station_a")
    expect(page.get_by_role("heading", name="甲镇退役军人服务站")).to_be_visible()

    page.get_by_role("link", name="登记人员").first.click()
    page.get_by_label("姓名").fill("王新兵")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_role("button", name="提交审核").click()

    expect(page).to_have_url(re.compile(r"/station/submissions/$"))
    expect(page.locator(".message--success")).to_have_text("已提交，等待区局审核")
    expect(page.locator(".record-list")).to_contain_text("王新兵")
    expect(page.locator(".record-list")).to_contain_text("待审核")

    person = Person.objects.get(id_number=id_number)
    assert person.name == "王新兵"
    assert person.review_status == ReviewStatus.SUBMITTED
    assert person.township == township
    assert person.submitted_by == station_clerk


def test_wrong_check_digit_is_explained_on_the_page(page, login, station_clerk):
    number = make_id_number(sequence=88)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    login("station_a")
    page.goto("/station/people/new/")
    page.get_by_label("姓名").fill("错号码")
    page.get_by_label("身份证号").fill(wrong)
    page.get_by_role("button", name="提交审核").click()

    expect(page.locator(".field__error")).to_contain_text("身份证号校验位错误，请核对号码。")
    assert not Person.objects.exists()


def test_station_clerk_does_not_see_other_townships(page, login, station_clerk, township):
    PersonFactory(name="张甲", township=township)
    PersonFactory(name="李乙", township=TownshipFactory(code="B01", name="乙镇", order=2))
    login("station_a")
    page.goto("/station/submissions/")
    expect(page.locator(".record-list")).to_contain_text("张甲")
    expect(page.locator(".record-list")).not_to_contain_text("李乙")
