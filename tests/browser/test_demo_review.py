"""
After `seed_demo`, in the browser: a station reports a veteran at a job fair of the
current year, and the clerk finds it in the review inbox, opens it and approves it
with the change page's button; the inbox count goes down.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bureau.models import Person, ReviewStatus, Township
from bureau.station.kit import person_label
from employment.models import FairAttendance, JobFair
from tests.conftest import PASSWORD

# Slow: Chromium and a live server, each test a few seconds and more.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def inbox_link(page, township: Township):
    url = reverse("admin:employment_fairattendance_changelist")
    href = f"{url}?review_status__exact=submitted&township__id__exact={township.pk}"
    return page.locator(f'#review-inbox a.review-inbox__count[href="{href}"]')


def test_a_station_report_of_this_years_fair_is_approved_from_the_clerks_inbox(page, login):
    call_command("seed_demo", "--password", PASSWORD, stdout=io.StringIO())
    township = Township.objects.get(code="dongcheng")
    this_year = timezone.localdate().year
    fair = JobFair.objects.filter(start_date__year=this_year).order_by("start_date").first()
    assert fair is not None and fair.start_date <= timezone.localdate()
    person = (
        Person.objects.veterans()
        .filter(township=township)
        .exclude(fair_attendances__fair=fair)
        .order_by("name", "pk")
        .first()
    )
    waiting = FairAttendance.objects.filter(township=township, review_status=ReviewStatus.SUBMITTED).count()

    # The station reports the veteran at this year's fair.
    login("station_dongcheng", PASSWORD)
    page.goto(reverse("station:employment:attendance_create"))
    page.get_by_label("招聘会").select_option(str(fair.pk))
    page.get_by_label(person_label(person)).check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".message--success")).to_contain_text("已提交 1 人的参加记录，等待区局审核")
    attendance = FairAttendance.objects.get(fair=fair, person=person)
    assert attendance.review_status == ReviewStatus.SUBMITTED

    # The clerk sees it in the inbox of the admin index.
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#review-inbox")).to_be_visible()
    expect(inbox_link(page, township)).to_have_text(f"{waiting + 1} 条")

    # Opens the township's list, then the record, and approves it with the button.
    inbox_link(page, township).click()
    page.locator("#result_list a", has_text=person.name).first.click()
    expect(page).to_have_url(re.compile(rf"/admin/employment/fairattendance/{attendance.pk}/change/"))
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messagelist")).to_contain_text("已审核通过")
    attendance.refresh_from_db()
    assert (attendance.review_status, attendance.reviewed_by.username) == (ReviewStatus.APPROVED, "clerk")

    page.goto("/admin/")
    if waiting:
        expect(inbox_link(page, township)).to_have_text(f"{waiting} 条")
    else:
        expect(inbox_link(page, township)).to_have_count(0)
