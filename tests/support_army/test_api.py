"""The support-army API under /api/v1/support-army/: stations' notices and homecoming, the bureau's other records."""

import pytest
from rest_framework.test import APIClient

from bureau.models import ReviewStatus
from support_army.models import HomecomingRegistration, HomecomingStep
from tests.factories import PersonFactory
from tests.support_army.factories import (
    AllianceMemberFactory,
    ArmyDayGalaFactory,
    GalaProgrammeFactory,
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    JointActivityFactory,
    MatchmakingEventFactory,
    MeritNoticeFactory,
    TroopRequestFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/support-army/"
NOTICES = f"{API}merit-notices/"
BATCHES = f"{API}merit-notice-batches/"
POINTS = f"{API}reception-points/"
HOMECOMING = f"{API}homecoming-registrations/"
REQUESTS = f"{API}troop-requests/"
ACTIVITIES = f"{API}joint-activities/"
MATCHMAKING = f"{API}matchmaking-events/"
GALAS = f"{API}army-day-galas/"
ALLIANCE = f"{API}alliance-members/"
BUREAU_ONLY = [REQUESTS, ACTIVITIES, MATCHMAKING, GALAS, ALLIANCE]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("url", BUREAU_ONLY)
def test_stations_have_no_access_to_the_bureaus_records(url, station_user_a):
    assert api(station_user_a).get(url).status_code == 403


def test_a_station_reads_its_townships_notices_and_registrations_only(
    station_user_a, bureau_user, township_a, township_b
):
    own = MeritNoticeFactory(soldier__township=township_a)
    other = MeritNoticeFactory(soldier__township=township_b)
    assert ids(api(station_user_a).get(NOTICES)) == [own.pk]
    assert set(ids(api(bureau_user).get(NOTICES))) == {own.pk, other.pk}
    mine = HomecomingRegistrationFactory(person__township=township_a)
    HomecomingRegistrationFactory(person__township=township_b)
    assert ids(api(station_user_a).get(HOMECOMING)) == [mine.pk]


def test_a_registration_shows_its_checklist_done_and_open(bureau_user, township_a):
    registration = HomecomingRegistrationFactory(person__township=township_a)
    steps = list(HomecomingStep.objects.filter(active=True))
    HomecomingStepCompletionFactory(registration=registration, step=steps[0], done_by=bureau_user)
    [row] = api(bureau_user).get(HOMECOMING).json()["results"]
    assert [c["step_name"] for c in row["completions"]] == [steps[0].name]
    assert row["completions"][0]["done_by"] == bureau_user.username
    assert row["open_steps"] == [step.name for step in steps[1:]]


def test_a_station_registers_its_veteran_for_review_and_not_another_townships(station_user_a, township_a, person_b):
    person = PersonFactory(township=township_a)
    response = api(station_user_a).post(HOMECOMING, {"person": person.pk, "received_on": "2021-09-10"}, format="json")
    assert response.status_code == 201, response.content
    registration = HomecomingRegistration.objects.get(pk=response.json()["id"])
    assert registration.review_status == ReviewStatus.SUBMITTED and registration.township == township_a
    response = api(station_user_a).post(HOMECOMING, {"person": person_b.pk, "received_on": "2021-09-10"}, format="json")
    assert response.status_code == 400
    assert "人员不存在，或不在您可查看的乡镇（街道）范围内。" in str(response.json())


def test_bad_input_is_a_chinese_400(bureau_user):
    response = api(bureau_user).post(
        REQUESTS,
        {"unit": "驻区某部", "request": "修路", "received_on": "2021-05-01", "status": "resolved", "summary": "修路"},
        format="json",
    )
    assert response.status_code == 400
    assert "需求已解决时须填写解决日期。" in str(response.json())
    assert api(bureau_user).get(f"{NOTICES}?year=abc").status_code == 400


def test_the_bureaus_lists_show_their_records(bureau_user):
    gala = ArmyDayGalaFactory(anniversary=94)
    GalaProgrammeFactory(gala=gala, title="映山红", order=1)
    TroopRequestFactory()
    JointActivityFactory()
    MatchmakingEventFactory()
    AllianceMemberFactory(enterprise__name="爱心企业")
    client = api(bureau_user)
    [row] = client.get(GALAS).json()["results"]
    assert row["anniversary"] == 94 and row["programmes"][0]["title"] == "映山红"
    for url in (REQUESTS, ACTIVITIES, MATCHMAKING):
        assert len(ids(client.get(url))) == 1
    assert client.get(ALLIANCE).json()["results"][0]["enterprise_name"] == "爱心企业"
