"""
Station pages of military-civilian support: a station delivers its township's merit notices (a batch
page, several at once) and keeps its returning veterans' homecoming checklist; never another
township's. And the public page of the 爱心拥军团 alliance, open to anyone.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau.models import Person, ReviewStatus
from support_army.models import HomecomingRegistration, HomecomingStep, HomecomingStepCompletion, MeritNotice
from tests.factories import PersonFactory
from tests.support_army.factories import (
    AllianceMemberFactory,
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    MeritNoticeFactory,
)

pytestmark = pytest.mark.django_db

NOTICES = reverse("station:support_army:notice_list")
DELIVER = reverse("station:support_army:notice_deliver")
HOMECOMINGS = reverse("station:support_army:homecoming_list")
NEW_HOMECOMING = reverse("station:support_army:homecoming_create")
ALLIANCE = reverse("support_army:alliance")


def checklist(registration) -> str:
    return reverse("station:support_army:homecoming_checklist", args=[registration.pk])


def page_key(client, url: str) -> str:
    return client.get(url).context["submission_key"]


@pytest.mark.parametrize("url", [NOTICES, DELIVER, HOMECOMINGS, NEW_HOMECOMING])
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("station:login"))


def test_home_links_to_the_support_army_pages(client_for, station_user_a):
    content = client_for(station_user_a).get(reverse("station:home")).content.decode()
    assert f'href="{NOTICES}"' in content and f'href="{HOMECOMINGS}"' in content


# --- homecoming ---------------------------------------------------------------------------------


@pytest.fixture
def two_open(township_a):
    """A returning veteran of 甲镇 with every step done but two."""
    registration = HomecomingRegistrationFactory(person__township=township_a, person__name="王返乡")
    steps = list(HomecomingStep.objects.filter(active=True))
    for step in steps[:-2]:
        HomecomingStepCompletionFactory(registration=registration, step=step)
    return registration, steps[-2:]


def test_two_open_steps_are_in_the_township_open_list_until_both_are_done(client_for, station_user_a, two_open):
    registration, open_steps = two_open
    client = client_for(station_user_a)
    content = client.get(HOMECOMINGS).content.decode()
    assert "王返乡" in content and "待办 2 项" in content

    page = client.get(checklist(registration)).content.decode()
    assert open_steps[0].name in page and open_steps[1].name in page

    today = timezone.localdate().isoformat()
    response = client.post(
        checklist(registration),
        {
            "steps": [s.pk for s in open_steps],
            "done_on": today,
            "submission_key": page_key(client, checklist(registration)),
        },
    )
    assert response.status_code == 302
    done = HomecomingStepCompletion.objects.filter(registration=registration, step__in=open_steps)
    assert done.count() == 2 and {c.done_by for c in done} == {station_user_a}
    assert registration.open_steps() == []

    assert "王返乡" not in client.get(HOMECOMINGS).content.decode()
    assert "王返乡" in client.get(f"{HOMECOMINGS}?all=1").content.decode()


def test_one_step_done_leaves_one_open(client_for, station_user_a, two_open):
    registration, open_steps = two_open
    client = client_for(station_user_a)
    client.post(
        checklist(registration),
        {"steps": [open_steps[0].pk], "done_on": timezone.localdate().isoformat(), "submission_key": "k1"},
    )
    assert "待办 1 项" in client.get(HOMECOMINGS).content.decode()


def test_another_townships_station_cannot_see_the_registration(client_for, station_user_b, two_open):
    registration, open_steps = two_open
    client = client_for(station_user_b)
    assert "王返乡" not in client.get(HOMECOMINGS).content.decode()
    assert "王返乡" not in client.get(f"{HOMECOMINGS}?all=1").content.decode()
    assert client.get(checklist(registration)).status_code == 404
    response = client.post(
        checklist(registration), {"steps": [s.pk for s in open_steps], "done_on": "2021-09-20", "submission_key": "x"}
    )
    assert response.status_code == 404
    assert not HomecomingStepCompletion.objects.filter(registration=registration, step__in=open_steps).exists()
    api = client.get(reverse("homecomingregistration-detail", args=[registration.pk]))
    assert api.status_code == 404


def test_bad_checklist_input_is_a_chinese_message(client_for, station_user_a, two_open):
    registration, _ = two_open
    client = client_for(station_user_a)
    response = client.post(checklist(registration), {"steps": [], "done_on": "2000-01-01"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "请至少勾选一项已办结的事项。" in content and "办结日期不能早于报到日期。" in content
    response = client.post(checklist(registration), {"steps": ["abc"], "done_on": "not a date"})
    assert response.status_code == 200


def test_a_station_registers_a_returning_veteran(client_for, station_user_a, township_a):
    person = PersonFactory(township=township_a, discharged_on=datetime.date(2021, 9, 1))
    client = client_for(station_user_a)
    response = client.post(
        NEW_HOMECOMING,
        {
            "person": person.pk,
            "point": "",
            "received_on": "2021-09-10",
            "welcomed": "on",
            "note": "",
            "submission_key": page_key(client, NEW_HOMECOMING),
        },
    )
    assert response.status_code == 302
    registration = HomecomingRegistration.objects.get(person=person)
    assert registration.review_status == ReviewStatus.SUBMITTED and registration.township == township_a


def test_a_station_cannot_register_another_townships_veteran(client_for, station_user_a, person_b):
    client = client_for(station_user_a)
    response = client.post(NEW_HOMECOMING, {"person": person_b.pk, "received_on": "2021-09-10"})
    assert response.status_code == 200
    assert "只能选择本乡镇（街道）登记在册的退役军人。" in response.content.decode()
    assert not HomecomingRegistration.objects.exists()


# --- merit notices ------------------------------------------------------------------------------


def test_the_batch_page_lists_who_is_due_and_marks_them_delivered_together(
    client_for, station_user_a, township_a, township_b
):
    due = [MeritNoticeFactory(soldier__township=township_a, soldier__name=f"甲镇战士{n}") for n in range(3)]
    other = MeritNoticeFactory(soldier__township=township_b, soldier__name="乙镇战士")
    client = client_for(station_user_a)
    page = client.get(DELIVER).content.decode()
    assert all(f"甲镇战士{n}" in page for n in range(3)) and "乙镇战士" not in page

    response = client.post(
        DELIVER,
        {
            "notices": [due[0].pk, due[1].pk],
            "delivered_on": "2021-02-04",
            "delivered_by": "区局 张科长",
            "station_staff": "甲镇服务站 王站长",
            "armed_forces_staff": "区人武部 李干事",
            "submission_key": page_key(client, DELIVER),
        },
    )
    assert response.status_code == 302
    due[0].refresh_from_db()
    due[1].refresh_from_db()
    assert due[0].batch == due[1].batch and due[0].delivered_on == datetime.date(2021, 2, 4)
    assert due[0].batch.review_status == ReviewStatus.SUBMITTED and due[0].batch.township == township_a
    assert MeritNotice.objects.get(pk=due[2].pk).delivered_on is None
    content = client.get(NOTICES).content.decode()
    assert "待送达（1）" in content and "甲镇战士2" in content

    # Another township's notice is not a choice: a Chinese message, nothing saved.
    response = client.post(
        DELIVER, {"notices": [other.pk], "delivered_on": "2021-03-01", "delivered_by": "区局", "submission_key": "k"}
    )
    assert response.status_code == 200
    assert "只能选择本乡镇（街道）待送达的喜报。" in response.content.decode()
    assert MeritNotice.objects.get(pk=other.pk).delivered_on is None


def test_a_notice_is_only_for_an_active_duty_soldiers_family(township_a):
    from django.core.exceptions import ValidationError

    notice = MeritNoticeFactory(soldier__township=township_a)
    notice.soldier.status = Person.Status.VETERAN
    notice.soldier.discharged_on = datetime.date(2021, 1, 1)
    notice.soldier.save()
    notice.recipient = PersonFactory(township=township_a, status="family")
    with pytest.raises(ValidationError) as error:
        notice.full_clean()
    assert "该人员不是现役军人" in str(error.value) and "登记在册的家属" in str(error.value)


# --- the public alliance page -------------------------------------------------------------------


def test_the_alliance_page_needs_no_login_and_shows_members_and_offers_without_personal_data(client, township_a):
    member = AllianceMemberFactory(
        enterprise__name="爱心超市有限公司",
        enterprise__contact_name="赵联系",
        enterprise__contact_phone="13912345678",
        offer="凭优待证购物九折",
    )
    AllianceMemberFactory(
        enterprise__name="已退出的企业",
        status="left",
        left_on=datetime.date(2021, 12, 1),
        joined_on=datetime.date(2021, 1, 1),
    )
    response = client.get(ALLIANCE)
    content = response.content.decode()
    assert response.status_code == 200
    assert "爱心超市有限公司" in content and "凭优待证购物九折" in content and f"第{member.batch_number}批" in content
    assert "已退出的企业" not in content
    assert "赵联系" not in content and "13912345678" not in content
    assert "退出登录" not in content
    assert client.post(ALLIANCE).status_code == 405


def test_the_family_link_may_be_recorded_from_either_side(township_a):
    from tests.factories import FamilyLinkFactory

    notice = MeritNoticeFactory(soldier__township=township_a)
    parent = PersonFactory(township=township_a, status="family")
    FamilyLinkFactory(person=parent, relative=notice.soldier, relation="child")
    notice.recipient = parent
    notice.full_clean()
