"""
The auditor at 1,400 px: signs in, reaches the audit trail from the home page in one click,
filters it by a user and by a range of dates, and the list shows exactly that user's events of
those days, on a page no wider than the window.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bureau import roles
from bureau.models import AuditEvent, Person
from tests.conftest import PASSWORD, make_persona
from tests.factories import AuditEventFactory, TownshipFactory, UserFactory

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Kind = AuditEvent.Kind


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def planted():
    # Transactional tests flush the database; the role groups must come back with post_migrate.
    assert Group.objects.filter(name=roles.AUDITOR).exists()
    make_persona("auditor")
    township = TownshipFactory(code="A01", name="甲镇", order=1)
    station = UserFactory(username="station_a", first_name="甲镇站", township=township, groups=[roles.STATION_STAFF])
    clerk = make_persona("bureau_user")
    person_type = ContentType.objects.get_for_model(Person)

    def event(user, kind, moment, **fields):
        return AuditEventFactory(user=user, kind=kind, created_at=moment, content_type=person_type, **fields)

    wanted = [
        event(station, Kind.UPDATE, at(2, 9), object_repr="张甲", fields="phone"),
        event(station, Kind.SENSITIVE_VIEW, at(4, 16), object_repr="张" + "甲" * 80, fields="id_number, " * 20),
    ]
    event(station, Kind.LOGIN, at(1, 8))  # the day before the range
    event(station, Kind.EXPORT, at(6, 10))  # the day after
    event(clerk, Kind.APPROVE, at(3, 9), object_repr="张甲")  # in the range, another user
    return station, wanted


def test_the_auditor_reaches_the_trail_in_one_click_and_filters_it_by_user_and_dates(page, planted):
    station, wanted = planted
    page.set_viewport_size({"width": 1400, "height": 900})

    page.goto("/admin/login/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # The home page's first panel: one click to the trail.
    first_panel = page.locator("#content-main > .module").first
    expect(first_panel).to_have_id("audit-home")
    first_panel.get_by_role("link", name="审计事件").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:bureau_auditevent_changelist")) + "$"))

    # By user (the sidebar's list), then by dates (the range form keeps the user).
    page.locator("#changelist-filter").get_by_role("link", name=str(station)).click()
    expect(page).to_have_url(re.compile(rf"user__id__exact={station.pk}"))
    page.fill("#id_date_from", "2026-03-02")
    page.fill("#id_date_to", "2026-03-05")
    page.get_by_role("button", name="按日期筛选").click()
    expect(page).to_have_url(re.compile(r"date_from=2026-03-02.*date_to=2026-03-05|date_to=2026-03-05.*date_from"))

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("查看个人敏感信息")
    expect(rows.nth(1)).to_contain_text("修改")
    for row in range(2):
        expect(rows.nth(row).locator("td.field-username")).to_have_text("station_a")
    expect(page.locator("#changelist-filter #id_date_from")).to_have_value("2026-03-02")
    assert f"user__id__exact={station.pk}" in page.url

    # The long 对象 is cut on screen, whole in its title; nothing runs off a 1,400 px window.
    cut = rows.nth(0).locator("td.field-object_cell .audit-cut")
    expect(cut).to_have_attribute("title", wanted[1].object_repr)
    assert cut.evaluate("element => element.scrollWidth > element.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    results = page.locator("#changelist .results")
    assert results.evaluate("element => element.scrollWidth <= element.clientWidth"), "the table scrolls sideways"
    last_column = page.locator("#result_list thead th.column-fields_cell").bounding_box()
    assert last_column["x"] + last_column["width"] <= 1400
