"""The commemoration API under /api/v1/commemoration/: stations' nominations and inspections, the bureau's other records."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from commemoration.models import Tribute
from tests.commemoration.factories import (
    CeremonyFactory,
    FacilityInspectionFactory,
    MartyrFactory,
    MemorialFacilityFactory,
    MessageFactory,
    NomineeFactory,
    UpgradeProjectFactory,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/commemoration/"
BUREAU_ONLY = [f"{API}upgrade-projects/", f"{API}martyrs/", f"{API}ceremonies/", f"{API}tributes/"]


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


def test_a_station_reads_its_townships_facilities_inspections_and_nominees_only(
    station_user_a, bureau_user, township_a, township_b
):
    own = MemorialFacilityFactory(township=township_a)
    other = MemorialFacilityFactory(township=township_b)
    assert ids(api(station_user_a).get(f"{API}facilities/")) == [own.pk]
    assert set(ids(api(bureau_user).get(f"{API}facilities/"))) == {own.pk, other.pk}
    mine = FacilityInspectionFactory(facility=own)
    FacilityInspectionFactory(facility=other)
    assert ids(api(station_user_a).get(f"{API}inspections/")) == [mine.pk]
    nominee = NomineeFactory(person=PersonFactory(township=township_a))
    NomineeFactory(person=PersonFactory(township=township_b))
    assert ids(api(station_user_a).get(f"{API}nominees/")) == [nominee.pk]


def test_a_ceremony_states_its_ordinal_and_a_project_its_investment(bureau_user):
    ceremony = CeremonyFactory()
    data = api(bureau_user).get(f"{API}ceremonies/{ceremony.pk}/").json()
    assert data["ordinal"] == 8
    project = UpgradeProjectFactory(facilities=[MemorialFacilityFactory()])
    data = api(bureau_user).get(f"{API}upgrade-projects/{project.pk}/").json()
    assert Decimal(data["planned_investment"]) == Decimal("4000000")


def test_a_station_cannot_inspect_another_townships_facility(station_user_a, township_b):
    other = MemorialFacilityFactory(township=township_b)
    response = api(station_user_a).post(
        f"{API}inspections/", {"facility": other.pk, "inspected_on": "2021-03-01", "inspector": "某"}, format="json"
    )
    assert response.status_code == 400
    assert "facility" in response.json()


def test_tributes_are_read_only_and_martyrs_mask_nothing_public(bureau_user):
    martyr = MartyrFactory()
    message = MessageFactory(martyr=martyr)
    client = api(bureau_user)
    assert client.get(f"{API}tributes/?moderation=pending").json()["results"][0]["id"] == message.pk
    assert client.patch(f"{API}tributes/{message.pk}/", {"moderation": "approved"}, format="json").status_code == 405
    message.refresh_from_db()
    assert message.moderation == Tribute.Moderation.PENDING
    listed = client.get(f"{API}martyrs/").json()["results"]
    assert listed[0]["person_name"] == martyr.person.name
