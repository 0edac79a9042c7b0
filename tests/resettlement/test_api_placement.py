"""The placement batch in the API under /api/v1/resettlement/: read-only, the bureau's and leadership's."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from resettlement import selection
from resettlement.models import PlacementCandidate, PlacementSelection
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/resettlement/"
RULES = f"{API}scoring-rules/"
BATCHES = f"{API}placement-batches/"
POSITIONS = f"{API}placement-positions/"
CANDIDATES = f"{API}placement-candidates/"
SELECTIONS = f"{API}placement-selections/"
ALL_ENDPOINTS = [RULES, BATCHES, POSITIONS, CANDIDATES, SELECTIONS]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def host(bureau_user):
    bureau_user.user_permissions.add(Permission.objects.get(codename="run_placement_session"))
    return type(bureau_user).objects.get(pk=bureau_user.pk)  # permissions are cached per instance


@pytest.fixture
def batch(township_a, township_b):
    """Three candidates (甲镇, 甲镇, 乙镇) scoring 15, 14 and 13, and two institutions of three posts."""
    batch = PlacementBatchFactory(year=2021)
    PlacementPositionFactory(batch=batch, department="区委政法委", institution="区社会治安综合治理中心", posts=2)
    PlacementPositionFactory(batch=batch, department="区自然资源局", institution="区不动产登记中心", posts=1)
    for years, township in ((15, township_a), (14, township_a), (13, township_b)):
        PlacementCandidateFactory(batch=batch, person=NcoFactory(township=township, years=years))
    return batch


def by_rank(batch) -> list[PlacementCandidate]:
    return list(batch.candidates.order_by("rank"))


@pytest.fixture
def held(batch, host):
    """The session started; the first in rank chose the 区社会治安综合治理中心, the second deferred."""
    selection.start_session(batch=batch, by=host)
    first, second, _ = by_rank(batch)
    post = batch.positions.get(institution="区社会治安综合治理中心")
    selection.confirm(batch=batch, candidate_id=first.pk, position_id=post.pk, by=host, signed=True)
    selection.defer(batch=batch, candidate_id=second.pk, by=host)
    return batch


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_bureau_and_leadership_read_stations_and_anonymous_do_not(bureau_user, leader, station_user_a, url):
    assert api(bureau_user).get(url).status_code == 200
    assert api(leader).get(url).status_code == 200
    assert api(station_user_a).get(url).status_code == 403
    assert api().get(url).status_code == 401


@pytest.mark.parametrize("url", [RULES, BATCHES, POSITIONS, SELECTIONS])
def test_nobody_writes_through_the_api(bureau_user, url):
    # Candidates are written while their batch prepares (tests/resettlement/test_one_truth.py).
    assert api(bureau_user).post(url, {}, format="json").status_code == 405


def test_a_batch_counts_its_candidates_posts_and_placed(held, bureau_user):
    [row] = results(api(bureau_user).get(BATCHES, {"year": 2021}))

    assert (row["candidates"], row["positions"], row["posts"], row["placed"]) == (3, 2, 3, 1)
    assert row["state"] == "in_session"
    assert row["started_by"] == "clerk"
    assert row["tie_rule"] == selection.TIE_RULE
    assert results(api(bureau_user).get(BATCHES, {"year": 2020})) == []


def test_posts_of_a_batch_say_how_many_places_are_left(held, bureau_user):
    PlacementPositionFactory(institution="另一批次的单位")  # another batch's
    rows = results(api(bureau_user).get(POSITIONS, {"batch": held.pk}))

    assert [(r["institution"], r["posts"], r["taken"], r["left"]) for r in rows] == [
        ("区社会治安综合治理中心", 2, 1, 1),
        ("区不动产登记中心", 1, 0, 1),
    ]


def test_candidates_show_score_rank_and_status_in_the_session(held, bureau_user):
    rows = results(api(bureau_user).get(CANDIDATES, {"batch": held.pk}))

    assert [(r["rank"], r["score"], r["status"]) for r in rows] == [
        (1, "15.00", "已选岗"),
        (2, "14.00", "暂缓，最后选岗"),
        (3, "13.00", "正在选岗"),
    ]
    first = rows[0]
    assert first["person_name"] == by_rank(held)[0].person.name
    assert first["position"] == held.positions.get(institution="区社会治安综合治理中心").pk
    assert first["components"][0] == {"label": "服役年限", "detail": "15年 × 1 分", "points": "15.00"}
    assert "id_number" not in first


def test_before_the_session_the_score_is_computed_and_there_is_no_rank(batch, bureau_user):
    candidate = batch.candidates.order_by("id").first()
    ScoreAdjustmentFactory(candidate=candidate, points=Decimal("2.5"))
    row = results(api(bureau_user).get(CANDIDATES, {"batch": batch.pk}))[0]

    assert (row["score"], row["adjustment_points"], row["rank"], row["status"]) == ("17.50", "2.50", None, "等待选岗")


def test_candidates_filter_by_township(held, bureau_user, township_b):
    rows = results(api(bureau_user).get(CANDIDATES, {"township": township_b.code}))

    assert [r["rank"] for r in rows] == [3]


def test_a_station_would_see_its_own_townships_candidates_and_selections_only(held, station_user_a, station_user_b):
    for user in (station_user_a, station_user_b):
        for codename in ("view_placementcandidate", "view_placementselection"):
            user.user_permissions.add(Permission.objects.get(codename=codename))
    a = type(station_user_a).objects.get(pk=station_user_a.pk)
    b = type(station_user_b).objects.get(pk=station_user_b.pk)
    chosen = PlacementSelection.objects.get()

    assert [r["rank"] for r in results(api(a).get(CANDIDATES))] == [1, 2]
    assert [r["rank"] for r in results(api(b).get(CANDIDATES))] == [3]
    assert [r["id"] for r in results(api(a).get(SELECTIONS))] == [chosen.pk]
    assert results(api(b).get(SELECTIONS)) == []
    assert api(b).get(f"{SELECTIONS}{chosen.pk}/").status_code == 404


def test_selections_by_batch_and_year(held, bureau_user):
    PlacementBatchFactory(year=2022)
    [row] = results(api(bureau_user).get(SELECTIONS, {"batch": held.pk}))

    assert row["person_name"] == by_rank(held)[0].person.name
    assert (row["rank"], row["score"], row["department"], row["institution"]) == (
        1,
        "15.00",
        "区委政法委",
        "区社会治安综合治理中心",
    )
    assert (row["signed"], row["has_signature_scan"], row["confirmed_by"]) == (True, False, "clerk")
    assert len(results(api(bureau_user).get(SELECTIONS, {"year": 2021}))) == 1
    assert results(api(bureau_user).get(SELECTIONS, {"year": 2022})) == []


def test_a_filter_on_the_persons_id_number_is_refused(held, bureau_user):
    response = api(bureau_user).get(CANDIDATES, {"person__id_number": "3201"})

    assert response.status_code == 400


def test_the_rules_are_listed(batch, bureau_user):
    [row] = results(api(bureau_user).get(RULES))

    assert (row["name"], row["per_service_year"]) == (batch.rule.name, "1.00")


def test_schema_lists_the_placement_endpoints(bureau_user):
    paths = api(bureau_user).get("/api/schema/", {"format": "json"}).json()["paths"]

    for url in ALL_ENDPOINTS:
        assert url in paths
        assert f"{url}{{id}}/" in paths
