"""
The API of merits (立功受奖) and family links (家庭关系): the bureau lists, creates, changes and
deletes them; a station reads and adds its own township's only; bad input is a Chinese 400.
"""

import pytest
from rest_framework.test import APIClient

from bureau.models import FamilyLink, Merit, Person
from tests.factories import FamilyLinkFactory, MeritFactory, PersonFactory

pytestmark = pytest.mark.django_db

MERITS = "/api/v1/merits/"
LINKS = "/api/v1/family-links/"
NOT_VISIBLE = "人员不存在，或不在您可查看的乡镇（街道）范围内。"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_bureau_creates_lists_changes_and_deletes_merits(bureau_user, person_a, person_b):
    client = api(bureau_user)

    created = client.post(MERITS, {"person": person_a.pk, "level": 3, "year": 2019, "unit": "某部"}, format="json")
    MeritFactory(person=person_b, year=2010)
    listed = client.get(MERITS)
    merit_id = created.json()["id"]
    changed = client.patch(f"{MERITS}{merit_id}/", {"level": 2}, format="json")
    deleted = client.delete(f"{MERITS}{merit_id}/")

    assert created.status_code == 201
    assert created.json() == {
        "id": merit_id,
        "person": person_a.pk,
        "person_name": "张甲",
        "level": 3,
        "level_label": "三等功",
        "year": 2019,
        "unit": "某部",
    }
    assert listed.json()["count"] == 2
    assert (changed.status_code, changed.json()["level_label"]) == (200, "二等功")
    assert deleted.status_code == 204
    assert list(Merit.objects.values_list("person__name", flat=True)) == ["李乙"]


def test_a_station_reads_and_adds_its_own_townships_merits_only(station_user_a, person_a, person_b):
    own = MeritFactory(person=person_a, year=2015)
    other = MeritFactory(person=person_b, year=2016)
    client = api(station_user_a)

    listed = client.get(MERITS)
    other_one = client.get(f"{MERITS}{other.pk}/")
    added = client.post(MERITS, {"person": person_a.pk, "level": 1, "year": 2020}, format="json")
    elsewhere = client.post(MERITS, {"person": person_b.pk, "level": 1, "year": 2020}, format="json")
    changed = client.patch(f"{MERITS}{own.pk}/", {"year": 2014}, format="json")
    deleted = client.delete(f"{MERITS}{own.pk}/")

    assert [row["id"] for row in listed.json()["results"]] == [own.pk]
    assert other_one.status_code == 404
    assert added.status_code == 201
    assert (elsewhere.status_code, elsewhere.json()) == (400, {"person": [NOT_VISIBLE]})
    assert changed.status_code == 403
    assert changed.json() == {"detail": "服务站只能查看和新增本乡镇（街道）人员的立功受奖；修改或删除请联系区局办理。"}
    assert deleted.status_code == 403
    assert Merit.objects.filter(person=person_a).count() == 2
    own.refresh_from_db()
    assert own.year == 2015


def test_a_bad_merit_is_a_chinese_400(bureau_user, person_a):
    response = api(bureau_user).post(MERITS, {"person": person_a.pk, "level": 3, "year": 1800}, format="json")

    assert response.status_code == 400
    assert response.json() == {"year": ["年度不合理。"]}
    assert not Merit.objects.exists()


def test_the_bureau_links_a_family_and_a_station_sees_its_own_links_only(
    bureau_user, station_user_a, person_a, person_b, township_a
):
    parent = PersonFactory(name="张母", township=township_a, status=Person.Status.FAMILY)
    FamilyLinkFactory(person=person_b)
    bureau = api(bureau_user)

    created = bureau.post(LINKS, {"person": parent.pk, "relative": person_a.pk, "relation": "child"}, format="json")
    station_list = api(station_user_a).get(LINKS)
    other = FamilyLink.objects.get(person=person_b)

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "person": parent.pk,
        "person_name": "张母",
        "relative": person_a.pk,
        "relative_name": "张甲",
        "relation": "child",
        "relation_label": "子女",
    }
    assert [row["id"] for row in station_list.json()["results"]] == [created.json()["id"]]
    assert api(station_user_a).get(f"{LINKS}{other.pk}/").status_code == 404
    assert bureau.get(LINKS).json()["count"] == 2


def test_a_station_links_its_own_people_only(station_user_a, person_a, person_b, township_a):
    spouse = PersonFactory(name="李妻", township=township_a, status=Person.Status.FAMILY)
    client = api(station_user_a)

    added = client.post(LINKS, {"person": person_a.pk, "relative": spouse.pk, "relation": "spouse"}, format="json")
    across = client.post(LINKS, {"person": person_a.pk, "relative": person_b.pk, "relation": "sibling"}, format="json")
    changed = client.patch(f"{LINKS}{added.json()['id']}/", {"relation": "other"}, format="json")

    assert added.status_code == 201
    assert (across.status_code, across.json()) == (400, {"relative": [NOT_VISIBLE]})
    assert changed.status_code == 403
    assert list(FamilyLink.objects.values_list("relation", flat=True)) == ["spouse"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"relation": "spouse"}, {"non_field_errors": ["该人员与该亲属的关系已登记。"]}),
        ({"relation": "cousin"}, {"relation": ["“cousin” 不是合法选项。"]}),
    ],
)
def test_a_bad_family_link_is_a_chinese_400(bureau_user, person_a, township_a, body, errors):
    spouse = PersonFactory(township=township_a, status=Person.Status.FAMILY)
    FamilyLinkFactory(person=person_a, relative=spouse)

    response = api(bureau_user).post(LINKS, {"person": person_a.pk, "relative": spouse.pk, **body}, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert FamilyLink.objects.count() == 1


def test_a_person_is_not_their_own_relative(bureau_user, person_a):
    response = api(bureau_user).post(
        LINKS, {"person": person_a.pk, "relative": person_a.pk, "relation": "other"}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"relative": ["不能把本人登记为自己的亲属。"]})


def test_merits_and_family_links_are_in_the_schema(client_for, bureau_user):
    schema = client_for(bureau_user).get("/api/schema/?format=json").json()

    assert {"/api/v1/merits/", "/api/v1/merits/{id}/", "/api/v1/family-links/", "/api/v1/family-links/{id}/"} <= set(
        schema["paths"]
    )
    assert {"died_on", "moved_out_on", "moved_in_on"} <= set(schema["components"]["schemas"]["Person"]["properties"])
