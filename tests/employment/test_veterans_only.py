"""Fair attendance and employment outcomes are about veterans: every entry point refuses anyone else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.models import Person
from employment.models import EmploymentOutcome, FairAttendance
from tests.employment.factories import EnterpriseFactory, JobFairFactory
from tests.employment.test_import_export import ATTENDEE_HEADERS, ATTENDEES, attendee_row, upload, xlsx_file
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOT_A_VETERAN = "王家属不是退役军人，不能登记为招聘会参加人员。"


@pytest.fixture
def family_member(township_a):
    return PersonFactory(name="王家属", township=township_a, status=Person.Status.FAMILY)


@pytest.fixture
def recent_fair(db):
    return JobFairFactory(start_date=timezone.localdate() - datetime.timedelta(days=10))


def test_the_station_form_refuses_a_forged_non_veteran(client_for, station_user_a, recent_fair, family_member):
    response = client_for(station_user_a).post(
        reverse("station:employment:attendance_create"), {"fair": recent_fair.pk, "persons": [family_member.pk]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"persons": ["只能选择本乡镇（街道）登记在册的退役军人。"]}
    assert not FairAttendance.objects.exists()


def test_the_api_refuses_a_non_veteran_attendee(station_user_a, recent_fair, family_member):
    client = APIClient()
    client.force_authenticate(station_user_a)

    response = client.post(
        "/api/v1/employment/fair-attendances/", {"fair": recent_fair.pk, "person": family_member.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"person": [NOT_A_VETERAN]}
    assert not FairAttendance.objects.exists()


def test_the_import_refuses_a_non_veteran_attendee_and_writes_nothing(
    client_for, bureau_user, recent_fair, person_a, family_member
):
    rows = [attendee_row(recent_fair, person_a), attendee_row(recent_fair, family_member)]

    response = upload(client_for(bureau_user), ATTENDEES, xlsx_file(rows, ATTENDEE_HEADERS))

    assert response.context["job"].errors == [f"第 3 行：{NOT_A_VETERAN}"]
    assert not FairAttendance.objects.exists()


def test_the_api_refuses_an_employment_outcome_of_a_non_veteran(bureau_user, family_member):
    client = APIClient()
    client.force_authenticate(bureau_user)

    response = client.post(
        "/api/v1/employment/outcomes/",
        {
            "person": family_member.pk,
            "enterprise": EnterpriseFactory().pk,
            "started_on": "2021-05-01",
            "channel": EmploymentOutcome.Channel.REFERRAL,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"person": ["王家属不是退役军人，不能登记就业情况。"]}
    assert not EmploymentOutcome.objects.exists()
