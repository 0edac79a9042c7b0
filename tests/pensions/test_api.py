"""The pensions API under /api/v1/pensions/: problems followed up by stations, the bureau's records, standards read-only."""

import datetime

import pytest
from rest_framework.test import APIClient

from bureau.models import Payment, PendingChange, ReviewStatus
from pensions.models import BenefitStandard, ConscriptBenefit, HardshipAid, Problem
from tests.factories import BankAccountFactory, PayeeFactory, PersonFactory, VisitFactory
from tests.pensions.factories import (
    BenefitStandardFactory,
    ConscriptBenefitFactory,
    HardshipAidFactory,
    OralHistoryExhibitionFactory,
    OralHistoryInterviewFactory,
    ProblemFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/pensions/"
PROBLEMS = f"{API}problems/"
AID = f"{API}hardship-aid/"
BENEFITS = f"{API}conscript-benefits/"
INTERVIEWS = f"{API}oral-history-interviews/"
EXHIBITIONS = f"{API}oral-history-exhibitions/"
STANDARDS = f"{API}benefit-standards/"
ALL_ENDPOINTS = [PROBLEMS, AID, BENEFITS, INTERVIEWS, EXHIBITIONS, STANDARDS]
BUREAU_ONLY = [AID, BENEFITS, INTERVIEWS, EXHIBITIONS]
PERSON_NOT_VISIBLE = "人员不存在，或不在您可查看的乡镇（街道）范围内。"


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def problem_data(person, **overrides) -> dict:
    data = {
        "person": person.pk,
        "kind": "medical",
        "description": "慢性病用药负担重。",
        "source": "phone",
        "reported_on": "2021-03-02",
    }
    return {**data, **overrides}


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_every_endpoint_answers_bureau_and_leader_and_refuses_anonymous(bureau_user, leader, url):
    assert api(bureau_user).get(url).status_code == 200
    assert api(leader).get(url).status_code == 200
    assert api().get(url).status_code == 401


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_leader_never_writes(leader, url):
    assert api(leader).post(url, {}, format="json").status_code == 403


@pytest.mark.parametrize("url", BUREAU_ONLY)
def test_stations_have_no_access_to_the_bureaus_records(station_user_a, url):
    assert api(station_user_a).get(url).status_code == 403
    assert api(station_user_a).post(url, {}, format="json").status_code == 403


def test_schema_lists_the_pensions_endpoints(bureau_user):
    paths = api(bureau_user).get("/api/schema/", {"format": "json"}).json()["paths"]
    for url in ALL_ENDPOINTS:
        assert url in paths, url
        assert f"{url}{{id}}/" in paths, url


# --- problems -----------------------------------------------------------------------------------


def test_station_records_a_problem_submitted_in_the_persons_township(station_user_a, township_a, person_a):
    response = api(station_user_a).post(PROBLEMS, problem_data(person_a), format="json")

    assert response.status_code == 201, response.content
    problem = Problem.objects.get()
    assert (problem.township, problem.review_status, problem.state) == (township_a, "submitted", "open")
    assert response.json()["person_name"] == "张甲"


def test_a_problem_collected_on_a_visit_names_that_persons_visit(station_user_a, township_a, person_a):
    visit = VisitFactory(person=person_a)
    other_visit = VisitFactory(person=PersonFactory(township=township_a))
    client = api(station_user_a)

    without = client.post(PROBLEMS, problem_data(person_a, source="visit"), format="json")
    wrong = client.post(PROBLEMS, problem_data(person_a, source="visit", visit=other_visit.pk), format="json")
    right = client.post(PROBLEMS, problem_data(person_a, source="visit", visit=visit.pk), format="json")

    assert without.status_code == 400
    assert without.json() == {"visit": ["来源为走访收集时，须选择收集该问题的走访记录。"]}
    assert wrong.status_code == 400
    assert wrong.json() == {"visit": ["所选走访记录的走访对象不是该反映人。"]}
    assert right.status_code == 201, right.content
    assert Problem.objects.get().visit == visit


def test_station_cannot_name_another_townships_visit_or_person(station_user_a, person_a, person_b):
    visit_b = VisitFactory(person=person_b)
    client = api(station_user_a)

    foreign_person = client.post(PROBLEMS, problem_data(person_b), format="json")
    foreign_visit = client.post(PROBLEMS, problem_data(person_a, source="visit", visit=visit_b.pk), format="json")

    assert foreign_person.json() == {"person": [PERSON_NOT_VISIBLE]}
    assert foreign_visit.json() == {"visit": ["走访慰问不存在，或不在您可查看的乡镇（街道）范围内。"]}
    assert not Problem.objects.exists()


def test_station_b_gets_a_404_for_township_as_problem(station_user_b, person_a):
    problem = ProblemFactory(person=person_a)
    client = api(station_user_b)

    assert client.get(f"{PROBLEMS}{problem.pk}/").status_code == 404
    assert client.patch(f"{PROBLEMS}{problem.pk}/", {"state": "closed"}, format="json").status_code == 404
    assert ids(client.get(PROBLEMS)) == []
    problem.refresh_from_db()
    assert problem.state == "open"


def test_station_resolves_its_submitted_problem(station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.SUBMITTED)
    update = {"state": "resolved", "resolution": "已办理慢性病门诊。", "resolved_on": "2021-03-20"}

    response = api(station_user_a).patch(f"{PROBLEMS}{problem.pk}/", update, format="json")

    assert response.status_code == 200, response.content
    problem.refresh_from_db()
    assert (problem.state, problem.resolution, problem.resolved_on) == (
        "resolved",
        "已办理慢性病门诊。",
        datetime.date(2021, 3, 20),
    )
    assert problem.review_status == ReviewStatus.SUBMITTED


def test_updating_an_approved_problem_proposes_exactly_the_fields_changed(station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.APPROVED)
    update = {"state": "closed", "resolution": "已转民政部门救助。", "resolved_on": "2021-04-01"}

    response = api(station_user_a).patch(f"{PROBLEMS}{problem.pk}/", update, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    assert sorted(body["pending_change"]["fields"]) == ["resolution", "resolved_on", "state"]
    assert body["pending_change"]["changes"]["state"] == {"old": "待处理", "new": "已办结"}
    assert body["state"] == "open"  # the approved values stay in force until the bureau approves
    problem.refresh_from_db()
    assert (problem.state, problem.resolution, problem.resolved_on) == ("open", "", None)
    assert PendingChange.objects.get().proposed_by == station_user_a


def test_resolving_without_a_resolution_or_date_is_refused_in_chinese(station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.SUBMITTED)

    response = api(station_user_a).patch(f"{PROBLEMS}{problem.pk}/", {"state": "resolved"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "resolution": ["问题解决或办结时须填写办理结果。"],
        "resolved_on": ["问题解决或办结时须填写解决日期。"],
    }
    problem.refresh_from_db()
    assert problem.state == "open"


def test_problems_filter_by_state_and_solved(bureau_user, person_a):
    open_problem = ProblemFactory(person=person_a)
    solved = ProblemFactory(
        person=person_a, state="resolved", resolution="已解决", resolved_on=datetime.date(2021, 2, 1)
    )
    client = api(bureau_user)

    assert ids(client.get(PROBLEMS, {"state": "open"})) == [open_problem.pk]
    assert ids(client.get(PROBLEMS, {"solved": "true"})) == [solved.pk]
    assert ids(client.get(PROBLEMS, {"solved": "false"})) == [open_problem.pk]


# --- the bureau's records -----------------------------------------------------------------------


def test_bureau_grants_hardship_aid_and_an_incomplete_grant_is_refused(bureau_user, township_a, person_a):
    data = {
        "person": person_a.pk,
        "kind": "medical",
        "applied_on": "2021-05-01",
        "reason": "住院费用高。",
        "amount_requested": "8000.00",
    }
    client = api(bureau_user)

    incomplete = client.post(AID, {**data, "decision": "granted"}, format="json")
    granted = client.post(
        AID, {**data, "decision": "granted", "amount_granted": "5000.00", "decided_on": "2021-05-20"}, format="json"
    )

    assert incomplete.status_code == 400
    assert incomplete.json() == {
        "amount_granted": ["批准时须填写批准金额。"],
        "decided_on": ["批准时须填写审批日期。"],
    }
    assert granted.status_code == 201, granted.content
    aid = HardshipAid.objects.get()
    assert (aid.township, aid.review_status, str(aid.amount_granted)) == (township_a, "approved", "5000.00")
    # The grant, approved on save, is paid as a ledger row of the “三难” programme (bureau.rules.payments.ledger).
    payment = Payment.objects.get()
    assert granted.json()["payment"] == payment.pk == aid.payment_id
    assert (payment.programme.code, payment.period, str(payment.amount)) == ("hardship-aid", "2021-05", "5000.00")


def test_hardship_aid_filters_by_decision_and_year(bureau_user):
    refused = HardshipAidFactory(decision="refused", decided_on=datetime.date(2021, 3, 5))
    HardshipAidFactory(applied_on=datetime.date(2020, 6, 1))
    client = api(bureau_user)

    assert ids(client.get(AID, {"decision": "refused"})) == [refused.pk]
    assert ids(client.get(AID, {"year": 2021})) == [refused.pk]


def test_conscript_benefit_follows_the_familys_township_and_refuses_an_inland_supplement(bureau_user, township_a):
    family = PayeeFactory(township=township_a, status="family")
    data = {
        "family": family.pk,
        "conscript_name": "张小兵",
        "enlistment_year": 2020,
        "benefit_year": 2021,
        "amount": "26800.00",
    }
    client = api(bureau_user)

    refused = client.post(BENEFITS, {**data, "supplement": "1000.00"}, format="json")
    saved = client.post(BENEFITS, data, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"supplement": ["仅在西藏、新疆服役的义务兵家属享受补助。"]}
    assert saved.status_code == 201, saved.content
    assert (saved.json()["township"], saved.json()["total"], saved.json()["family_name"]) == (
        township_a.pk,
        "26800.00",
        family.name,
    )
    assert ConscriptBenefit.objects.get().township == township_a


def test_conscript_benefits_filter_by_benefit_year(bureau_user):
    this_year = ConscriptBenefitFactory(benefit_year=2021)
    ConscriptBenefitFactory(benefit_year=2020, enlistment_year=2019)

    assert ids(api(bureau_user).get(BENEFITS, {"year": 2021})) == [this_year.pk]


def test_an_interview_needs_consent(bureau_user, person_a):
    data = {"person": person_a.pk, "interviewed_on": "2021-04-02", "interviewer": "融媒体中心", "duration_minutes": 40}

    response = api(bureau_user).post(INTERVIEWS, data, format="json")

    assert response.status_code == 400
    assert response.json() == {"consent_recorded": ["拍摄口述历史须取得本人（或监护人）同意并记录。"]}


def test_interviews_and_exhibitions_are_listed_for_the_bureau(bureau_user, person_a):
    interview = OralHistoryInterviewFactory(person=person_a)
    exhibition = OralHistoryExhibitionFactory()
    client = api(bureau_user)

    assert ids(client.get(INTERVIEWS, {"war": "korean"})) == [interview.pk]
    assert ids(client.get(EXHIBITIONS, {"venue_kind": "school"})) == [exhibition.pk]


# --- benefit standards --------------------------------------------------------------------------


def test_standards_are_read_by_every_station_and_written_by_nobody_through_the_api(station_user_b, bureau_user, leader):
    standard = BenefitStandardFactory(category="disabled_soldier", disability_grade=1, monthly_amount="6000.00")
    data = {"category": "disabled_soldier", "monthly_amount": "100.00", "valid_from": "2030-01-01"}

    assert ids(api(station_user_b).get(STANDARDS)) == [standard.pk]
    assert api(station_user_b).get(f"{STANDARDS}{standard.pk}/").json()["monthly_amount"] == "6000.00"
    assert api(station_user_b).post(STANDARDS, data, format="json").status_code == 403
    assert api(leader).post(STANDARDS, data, format="json").status_code == 403
    assert api(bureau_user).post(STANDARDS, data, format="json").status_code == 405
    assert (
        api(bureau_user).patch(f"{STANDARDS}{standard.pk}/", {"monthly_amount": "1"}, format="json").status_code == 405
    )
    assert BenefitStandard.objects.count() == 1


def test_standards_filter_by_category_and_grade(bureau_user):
    grade_one = BenefitStandardFactory(category="disabled_soldier", disability_grade=1)
    BenefitStandardFactory(category="disabled_soldier", disability_grade=2)
    martyr = BenefitStandardFactory(category="martyr_family", disability_grade=None)
    client = api(bureau_user)

    assert ids(client.get(STANDARDS, {"category": "disabled_soldier", "disability_grade": 1})) == [grade_one.pk]
    assert ids(client.get(STANDARDS, {"category": "martyr_family"})) == [martyr.pk]
    assert client.get(STANDARDS, {"disability_grade": 11}).status_code == 400
