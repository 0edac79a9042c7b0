"""The resettlement API: insurance continuations scoped and submitted by stations; the grant read-only and scoped."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from bureau.models import ReviewStatus
from resettlement import subsidies
from resettlement.models import InsuranceContinuation
from tests.resettlement.factories import InsuranceContinuationFactory

pytestmark = pytest.mark.django_db
INSURANCE = "/api/v1/resettlement/insurance-continuations/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(person, **changes) -> dict:
    return {
        "person": person.pk,
        "kind": "medical",
        "handled_on": "2021-10-08",
        "months": 12,
        "personal_share": "720.00",
        "fiscal_share": "1800.00",
        "state": "accounted",
        **changes,
    }


def test_a_station_posts_a_continuation_as_a_submission(station_user_a, person_a):
    response = api(station_user_a).post(INSURANCE, payload(person_a), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["review_status"], body["person_name"], body["total"]) == (ReviewStatus.SUBMITTED, "张甲", "2520.00")
    assert InsuranceContinuation.objects.get().township == person_a.township


def test_another_townships_person_is_not_found(station_user_a, person_b):
    response = api(station_user_a).post(INSURANCE, payload(person_b), format="json")
    assert response.status_code == 400
    assert "人员不存在，或不在您可查看的乡镇（街道）范围内。" in str(response.json())
    assert not InsuranceContinuation.objects.exists()


def test_bad_values_are_a_400_and_nothing_is_saved(station_user_a, person_a):
    for changes in ({"personal_share": "-1"}, {"kind": "dental"}, {"months": 601}, {"handled_on": "2021-02-30"}):
        response = api(station_user_a).post(INSURANCE, payload(person_a, **changes), format="json")
        assert response.status_code == 400, changes
    assert not InsuranceContinuation.objects.exists()


def test_the_list_is_scoped_and_filtered_by_year_and_kind(station_user_a, leader, person_a, person_b):
    InsuranceContinuationFactory(person=person_a, kind="pension", handled_on=datetime.date(2021, 5, 1))
    InsuranceContinuationFactory(person=person_a, kind="staff_medical", handled_on=datetime.date(2020, 5, 1))
    InsuranceContinuationFactory(person=person_b, kind="pension", handled_on=datetime.date(2021, 5, 1))

    station = api(station_user_a).get(INSURANCE).json()["results"]
    everyone = api(leader).get(INSURANCE, {"year": 2021, "kind": "pension"}).json()["results"]

    assert {row["person_name"] for row in station} == {"张甲"}
    assert len(station) == 2
    assert {row["person_name"] for row in everyone} == {"张甲", "李乙"}


def test_the_grant_is_read_only_and_its_lines_scoped(
    standard_2021, cohort, bureau_user, approver, leader, station_user_a
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    subsidies.approve_and_pay(run=run, by=approver, paid_on=datetime.date(2021, 12, 15))

    [listed] = api(leader).get("/api/v1/resettlement/subsidy-runs/", {"cohort_year": 2021}).json()["results"]
    assert (listed["status"], listed["persons"], Decimal(listed["total"])) == ("paid", 3, Decimal("60160.00"))
    assert (listed["calculated_by"], listed["approved_by"]) == ("clerk", "clerk2")
    lines = api(leader).get("/api/v1/resettlement/subsidy-lines/", {"township": "A01"}).json()["results"]
    assert {(row["person_name"], row["years_served"], row["amount"]) for row in lines} == {
        ("赵五年", 5, "30600.00"),
        ("孙三月", 1, "12520.00"),
    }
    [standard] = api(leader).get("/api/v1/resettlement/subsidy-standards/").json()["results"]
    assert (standard["year"], standard["per_year_amount"]) == (2021, "4520.00")

    assert api(bureau_user).post("/api/v1/resettlement/subsidy-runs/", {"cohort_year": 2022}).status_code == 405
    assert api(station_user_a).get("/api/v1/resettlement/subsidy-runs/").status_code == 403
    assert api(station_user_a).get("/api/v1/resettlement/subsidy-lines/").status_code == 403


def test_a_filter_or_ordering_on_the_id_number_is_refused(leader, person_a):
    InsuranceContinuationFactory(person=person_a)
    for query in ({"person__id_number": person_a.id_number}, {"ordering": "person__id_number"}):
        response = api(leader).get(INSURANCE, query)
        assert response.status_code == 400, query
