"""The employment API under /api/v1/employment/ and /api/v1/enterprises/: scoping, workflow, filters, validation."""

import datetime
import re

import pytest
from rest_framework.test import APIClient

from bureau.models import Enterprise, Person, ReviewStatus
from employment.models import EmploymentOutcome, FairAttendance, JobFair, Trainee, TrainingClass
from tests.employment.factories import (
    EmploymentIntentionFactory,
    EmploymentOutcomeFactory,
    EnterpriseFactory,
    FairAttendanceFactory,
    FairParticipationFactory,
    JobFairFactory,
    JobPostingFactory,
    ParkTenancyFactory,
    PublicityEventFactory,
    RoleModelFactory,
    StartupParkFactory,
    TraineeFactory,
    TrainingClassFactory,
    VeteranFactory,
    make_credit_code,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"
ENTERPRISES = f"{API}enterprises/"
PARKS = f"{API}employment/parks/"
TENANCIES = f"{API}employment/park-tenancies/"
FAIRS = f"{API}employment/job-fairs/"
PARTICIPATIONS = f"{API}employment/fair-participations/"
ATTENDANCES = f"{API}employment/fair-attendances/"
INTENTIONS = f"{API}employment/intentions/"
CLASSES = f"{API}employment/training-classes/"
TRAINEES = f"{API}employment/trainees/"
POSTINGS = f"{API}employment/postings/"
ROLE_MODELS = f"{API}employment/role-models/"
EVENTS = f"{API}employment/publicity-events/"
OUTCOMES = f"{API}employment/outcomes/"
FULL_ID_RE = re.compile(r"\d{17}[\dX]")
PERSON_NOT_VISIBLE = "人员不存在，或不在您可查看的乡镇（街道）范围内。"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def rows(response, key: str = "id") -> list:
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def with_wrong_check_character(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


# --- endpoints and permissions ------------------------------------------------------------

ALL_ENDPOINTS = [
    ENTERPRISES,
    PARKS,
    TENANCIES,
    FAIRS,
    PARTICIPATIONS,
    ATTENDANCES,
    INTENTIONS,
    CLASSES,
    TRAINEES,
    POSTINGS,
    ROLE_MODELS,
    EVENTS,
    OUTCOMES,
]


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_every_endpoint_answers_bureau_and_leader_and_refuses_anonymous(bureau_user, leader, url):
    assert api(bureau_user).get(url).status_code == 200
    assert api(leader).get(url).status_code == 200
    assert api().get(url).status_code == 401


@pytest.mark.parametrize("url", ALL_ENDPOINTS)
def test_leader_cannot_write_anywhere(leader, url):
    assert api(leader).post(url, {}, format="json").status_code == 403


def test_leader_cannot_change_or_delete(leader, person_a):
    fair = JobFairFactory()
    attendance = FairAttendanceFactory(fair=fair, person=person_a)
    client = api(leader)

    assert client.patch(f"{FAIRS}{fair.pk}/", {"title": "改名"}, format="json").status_code == 403
    assert client.delete(f"{ATTENDANCES}{attendance.pk}/").status_code == 403
    assert client.post(ATTENDANCES, {"fair": fair.pk, "person": person_a.pk}, format="json").status_code == 403
    fair.refresh_from_db()
    assert fair.title.startswith("退役军人专场招聘会")
    assert FairAttendance.objects.count() == 1


@pytest.mark.parametrize("url", [PARKS, TRAINEES, INTENTIONS, POSTINGS, ENTERPRISES])
def test_station_has_no_access_beyond_its_own_forms(station_user_a, url):
    assert api(station_user_a).post(url, {}, format="json").status_code == 403


def test_schema_lists_the_employment_endpoints(bureau_user):
    paths = api(bureau_user).get("/api/schema/", {"format": "json"}).json()["paths"]
    for url in ALL_ENDPOINTS:
        assert url in paths, url
        assert f"{url}{{id}}/" in paths, url


# --- enterprises --------------------------------------------------------------------------


def test_bureau_creates_an_enterprise_with_a_valid_credit_code(bureau_user, township_a):
    code = make_credit_code(42)

    response = api(bureau_user).post(
        ENTERPRISES,
        {"name": "甲镇电子元件有限公司", "credit_code": code.lower(), "sector": "电子元件", "township": township_a.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["credit_code"] == code
    assert Enterprise.objects.get().credit_code == code


def test_bad_credit_code_is_refused_in_chinese(bureau_user):
    code = with_wrong_check_character(make_credit_code(42))

    response = api(bureau_user).post(ENTERPRISES, {"name": "错码公司", "credit_code": code}, format="json")

    assert response.status_code == 400
    assert response.json() == {"credit_code": ["统一社会信用代码校验位错误，请核对。"]}
    assert not Enterprise.objects.exists()


def test_duplicate_credit_code_is_refused_in_chinese(bureau_user):
    existing = EnterpriseFactory()

    response = api(bureau_user).post(
        ENTERPRISES, {"name": "重复公司", "credit_code": existing.credit_code}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"credit_code": ["该统一社会信用代码已登记。"]}
    assert Enterprise.objects.count() == 1


def test_enterprise_founder_must_be_a_veteran(bureau_user, township_a):
    soldier = PersonFactory(township=township_a, status=Person.Status.ACTIVE_DUTY)

    response = api(bureau_user).post(
        ENTERPRISES,
        {"name": "现役创办公司", "credit_code": make_credit_code(7), "founder": soldier.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"founder": ["“退役军人创办”的创办人应为退役军人。"]}
    assert not Enterprise.objects.exists()


def test_enterprises_are_visible_to_stations_and_filter_by_township(station_user_a, township_a, township_b):
    in_a = EnterpriseFactory(name="甲镇企业", township=township_a)
    in_b = EnterpriseFactory(name="乙镇企业", township=township_b)

    assert rows(api(station_user_a).get(ENTERPRISES), "name") == ["乙镇企业", "甲镇企业"]
    assert rows(api(station_user_a).get(ENTERPRISES, {"township": "B01"})) == [in_b.pk]
    assert rows(api(station_user_a).get(ENTERPRISES, {"township": township_a.pk})) == [in_a.pk]


def test_leader_sees_enterprise_contact_phone_masked(leader, bureau_user):
    enterprise = EnterpriseFactory(contact_name="王经理", contact_phone="13812345678")

    assert api(leader).get(f"{ENTERPRISES}{enterprise.pk}/").json()["contact_phone"] == "138****5678"
    assert api(bureau_user).get(f"{ENTERPRISES}{enterprise.pk}/").json()["contact_phone"] == "13812345678"


# --- fair attendance: the station's own writes ---------------------------------------------------


def test_station_submits_attendance_of_its_own_resident_to_a_district_fair(station_user_a, township_a, person_a):
    fair = JobFairFactory(township=None)

    response = api(station_user_a).post(ATTENDANCES, {"fair": fair.pk, "person": person_a.pk}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review_status"] == "submitted"
    assert body["township"] == township_a.pk
    assert body["person_name"] == "张甲"
    attendance = FairAttendance.objects.get()
    assert (attendance.person, attendance.township, attendance.review_status) == (
        person_a,
        township_a,
        ReviewStatus.SUBMITTED,
    )
    assert attendance.submitted_by == station_user_a


def test_station_cannot_attach_another_townships_person(station_user_a, person_b):
    fair = JobFairFactory()

    response = api(station_user_a).post(ATTENDANCES, {"fair": fair.pk, "person": person_b.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"person": [PERSON_NOT_VISIBLE]}
    assert not FairAttendance.objects.exists()


def test_station_cannot_move_an_attendance_to_another_townships_person(station_user_a, person_a, person_b):
    attendance = FairAttendanceFactory(person=person_a)

    response = api(station_user_a).patch(f"{ATTENDANCES}{attendance.pk}/", {"person": person_b.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"person": [PERSON_NOT_VISIBLE]}
    attendance.refresh_from_db()
    assert attendance.person == person_a


def test_station_cannot_use_another_townships_fair(station_user_a, township_b, person_a):
    fair_b = JobFairFactory(township=township_b)

    response = api(station_user_a).post(ATTENDANCES, {"fair": fair_b.pk, "person": person_a.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["fair"]
    assert not FairAttendance.objects.exists()


def test_duplicate_attendance_is_refused_in_chinese(station_user_a, person_a):
    fair = JobFairFactory()
    FairAttendanceFactory(fair=fair, person=person_a)

    response = api(station_user_a).post(ATTENDANCES, {"fair": fair.pk, "person": person_a.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该人员已登记参加此招聘会。"]}
    assert FairAttendance.objects.count() == 1


def test_station_sees_only_its_own_attendances(station_user_a, person_a, person_b):
    fair = JobFairFactory()
    own = FairAttendanceFactory(fair=fair, person=person_a)
    other = FairAttendanceFactory(fair=fair, person=person_b)
    client = api(station_user_a)

    assert rows(client.get(ATTENDANCES)) == [own.pk]
    assert client.get(f"{ATTENDANCES}{other.pk}/").status_code == 404
    assert client.patch(f"{ATTENDANCES}{other.pk}/", {"person": person_a.pk}, format="json").status_code == 404


def test_bureau_attendance_is_approved_and_follows_the_persons_township(bureau_user, township_b, person_b):
    fair = JobFairFactory()

    response = api(bureau_user).post(ATTENDANCES, {"fair": fair.pk, "person": person_b.pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["review_status"] == "approved"
    assert response.json()["township"] == township_b.pk


# --- employment outcomes ---------------------------------------------------------------------


def test_station_submits_an_outcome_and_cannot_use_another_townships_person(
    station_user_a, township_a, person_a, person_b
):
    data = {"employer_name": "甲镇农机合作社", "started_on": "2021-05-01", "channel": "referral"}
    client = api(station_user_a)

    refused = client.post(OUTCOMES, {**data, "person": person_b.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"person": [PERSON_NOT_VISIBLE]}
    assert not EmploymentOutcome.objects.exists()

    response = client.post(OUTCOMES, {**data, "person": person_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["review_status"] == "submitted"
    assert response.json()["township"] == township_a.pk
    assert response.json()["employer"] == "甲镇农机合作社"


def test_outcome_without_employer_is_refused(station_user_a, person_a):
    response = api(station_user_a).post(
        OUTCOMES, {"person": person_a.pk, "started_on": "2021-05-01", "channel": "referral"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"employer_name": ["请选择就业企业或填写就业单位名称。"]}


def test_station_change_of_a_returned_outcome_resubmits_it(station_user_a, person_a):
    outcome = EmploymentOutcomeFactory(person=person_a, review_status=ReviewStatus.RETURNED, return_reason="日期有误")

    response = api(station_user_a).patch(f"{OUTCOMES}{outcome.pk}/", {"started_on": "2021-04-01"}, format="json")

    assert response.status_code == 200, response.json()
    outcome.refresh_from_db()
    assert outcome.started_on == datetime.date(2021, 4, 1)
    assert outcome.review_status == ReviewStatus.SUBMITTED
    assert outcome.return_reason == ""


# --- trainees -------------------------------------------------------------------------------


def test_trainee_who_is_not_a_discharged_veteran_is_refused(bureau_user, township_a):
    training_class = TrainingClassFactory()
    soldier = PersonFactory(name="赵现役", township=township_a, status=Person.Status.ACTIVE_DUTY)

    response = api(bureau_user).post(
        TRAINEES, {"training_class": training_class.pk, "person": soldier.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"person": ["赵现役不是已退役的退役军人，不能参加适应性培训。"]}
    assert not Trainee.objects.exists()


def test_trainee_attending_more_days_than_the_class_is_refused(bureau_user, township_a):
    training_class = TrainingClassFactory()  # three days
    veteran = VeteranFactory(township=township_a)

    response = api(bureau_user).post(
        TRAINEES,
        {"training_class": training_class.pk, "person": veteran.pk, "days_attended": 4},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"days_attended": ["出勤天数不能超过培训天数。"]}


def test_discharged_veteran_is_enrolled(bureau_user, township_a):
    training_class = TrainingClassFactory()
    veteran = VeteranFactory(name="钱退役", township=township_a)

    response = api(bureau_user).post(
        TRAINEES,
        {"training_class": training_class.pk, "person": veteran.pk, "days_attended": 3},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["person_name"] == "钱退役"
    assert Trainee.objects.get().person == veteran


def test_training_class_topics_are_checked_against_the_list(bureau_user):
    data = {"title": "适应性培训班", "start_date": "2021-11-08", "end_date": "2021-11-10"}
    client = api(bureau_user)

    refused = client.post(CLASSES, {**data, "topics": ["juggling"]}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["topics"]

    response = client.post(CLASSES, {**data, "topics": ["political_education", "job_seeking_skills"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["days"] == 3
    assert body["topic_labels"] == ["思想政治教育", "求职技巧"]
    assert body["township"] is None
    assert body["review_status"] == "approved"
    assert TrainingClass.objects.get().topics == ["political_education", "job_seeking_skills"]


# --- filters: year and township ------------------------------------------------------------------


def test_job_fairs_filter_by_year_and_township(bureau_user, township_a):
    feb = JobFairFactory(title="2月招聘会", start_date=datetime.date(2021, 2, 28))
    sep = JobFairFactory(title="9月招聘会", start_date=datetime.date(2021, 9, 16), township=township_a)
    JobFairFactory(title="次年招聘会", start_date=datetime.date(2022, 3, 1))
    client = api(bureau_user)

    assert rows(client.get(FAIRS, {"year": 2021})) == [sep.pk, feb.pk]
    assert rows(client.get(FAIRS, {"year": 2021, "township": "A01"})) == [sep.pk]
    assert rows(client.get(FAIRS, {"year": 2020})) == []
    assert client.get(FAIRS, {"year": "abc"}).status_code == 400


def test_job_fair_shows_its_participations(bureau_user):
    fair = JobFairFactory(start_date=datetime.date(2021, 2, 28))
    first = FairParticipationFactory(fair=fair, enterprise=EnterpriseFactory(name="甲企业"), positions=12)
    FairParticipationFactory(fair=fair, enterprise=EnterpriseFactory(name="乙企业"), positions=8)
    FairParticipationFactory(fair=JobFairFactory(start_date=datetime.date(2022, 3, 1)))
    client = api(bureau_user)

    body = client.get(f"{FAIRS}{fair.pk}/").json()
    assert [(p["enterprise_name"], p["positions"]) for p in body["participations"]] == [("甲企业", 12), ("乙企业", 8)]
    assert len(rows(client.get(PARTICIPATIONS, {"year": 2021}))) == 2
    assert rows(client.get(PARTICIPATIONS, {"fair": fair.pk}))[0] == first.pk


def test_station_sees_district_fairs_and_its_own_but_not_another_townships(station_user_a, township_a, township_b):
    district = JobFairFactory(title="全区", start_date=datetime.date(2021, 2, 28))
    own = JobFairFactory(title="甲镇", township=township_a, start_date=datetime.date(2021, 3, 1))
    JobFairFactory(title="乙镇", township=township_b, start_date=datetime.date(2021, 3, 2))

    assert rows(api(station_user_a).get(FAIRS)) == [own.pk, district.pk]


def test_attendances_filter_by_fair_year_and_township(bureau_user, person_a, person_b):
    fair_2021 = JobFairFactory(start_date=datetime.date(2021, 9, 16))
    fair_2022 = JobFairFactory(start_date=datetime.date(2022, 2, 20))
    a_2021 = FairAttendanceFactory(fair=fair_2021, person=person_a)
    b_2021 = FairAttendanceFactory(fair=fair_2021, person=person_b)
    FairAttendanceFactory(fair=fair_2022, person=person_a)
    client = api(bureau_user)

    assert sorted(rows(client.get(ATTENDANCES, {"year": 2021}))) == sorted([a_2021.pk, b_2021.pk])
    assert rows(client.get(ATTENDANCES, {"year": 2021, "township": "A01"})) == [a_2021.pk]
    assert rows(client.get(ATTENDANCES, {"year": 2021, "township": "B01"})) == [b_2021.pk]


def test_outcomes_filter_by_start_year_and_township(bureau_user, person_a, person_b):
    a_2021 = EmploymentOutcomeFactory(person=person_a, started_on=datetime.date(2021, 3, 15))
    b_2021 = EmploymentOutcomeFactory(person=person_b, started_on=datetime.date(2021, 6, 1))
    EmploymentOutcomeFactory(person=person_a, started_on=datetime.date(2022, 1, 10))
    client = api(bureau_user)

    assert rows(client.get(OUTCOMES, {"year": 2021})) == [b_2021.pk, a_2021.pk]
    assert rows(client.get(OUTCOMES, {"year": 2021, "township": "A01"})) == [a_2021.pk]


def test_station_lists_only_its_own_outcomes_and_township_filter_never_widens(station_user_a, person_a, person_b):
    own = EmploymentOutcomeFactory(person=person_a)
    other = EmploymentOutcomeFactory(person=person_b)
    client = api(station_user_a)

    assert rows(client.get(OUTCOMES)) == [own.pk]
    assert rows(client.get(OUTCOMES, {"township": "B01"})) == []
    assert client.get(f"{OUTCOMES}{other.pk}/").status_code == 404


def test_intentions_trainees_postings_role_models_and_events_filter_by_year(bureau_user, township_a, township_b):
    veteran_a = VeteranFactory(township=township_a)
    veteran_b = VeteranFactory(township=township_b)
    intention = EmploymentIntentionFactory(person=veteran_a, fair=None, agreed_on=datetime.date(2021, 2, 28))
    intention_b = EmploymentIntentionFactory(person=veteran_b, fair=None, agreed_on=datetime.date(2022, 2, 28))
    trainee = TraineeFactory(
        person=veteran_a, training_class=TrainingClassFactory(start_date=datetime.date(2021, 11, 8))
    )
    TraineeFactory(
        person=veteran_b,
        training_class=TrainingClassFactory(
            start_date=datetime.date(2022, 11, 8), end_date=datetime.date(2022, 11, 10)
        ),
    )
    posting = JobPostingFactory(
        published_on=datetime.date(2021, 4, 1), enterprise=EnterpriseFactory(township=township_a)
    )
    JobPostingFactory(published_on=datetime.date(2020, 4, 1), enterprise=EnterpriseFactory(township=township_a))
    role_model = RoleModelFactory(person=veteran_a, year=2021)
    RoleModelFactory(person=veteran_b, year=2020)
    event = PublicityEventFactory(start_date=datetime.date(2021, 8, 1))
    PublicityEventFactory(start_date=datetime.date(2019, 8, 1))
    client = api(bureau_user)

    assert rows(client.get(INTENTIONS, {"year": 2021})) == [intention.pk]
    assert rows(client.get(INTENTIONS, {"township": "B01"})) == [intention_b.pk]
    assert rows(client.get(TRAINEES, {"year": 2021})) == [trainee.pk]
    assert rows(client.get(TRAINEES, {"year": 2021, "township": "B01"})) == []
    assert rows(client.get(POSTINGS, {"year": 2021})) == [posting.pk]
    assert rows(client.get(ROLE_MODELS, {"year": 2021})) == [role_model.pk]
    assert rows(client.get(ROLE_MODELS, {"year": 2021, "township": "A01"})) == [role_model.pk]
    assert rows(client.get(EVENTS, {"year": 2021})) == [event.pk]


def test_parks_and_tenancies_by_year_end(bureau_user, township_a):
    park = StartupParkFactory(name="退役军人创业园", township=township_a, opened_on=datetime.date(2020, 5, 1))
    StartupParkFactory(name="新园", opened_on=datetime.date(2022, 5, 1))
    staying = ParkTenancyFactory(park=park, moved_in_on=datetime.date(2021, 3, 1))
    ParkTenancyFactory(park=park, moved_in_on=datetime.date(2021, 3, 1), moved_out_on=datetime.date(2021, 10, 1))
    ParkTenancyFactory(park=park, moved_in_on=datetime.date(2022, 1, 5))
    client = api(bureau_user)

    assert rows(client.get(PARKS, {"year": 2021})) == [park.pk]
    assert rows(client.get(PARKS, {"year": 2021, "township": "B01"})) == []
    assert rows(client.get(TENANCIES, {"year": 2021})) == [staying.pk]
    assert len(client.get(f"{PARKS}{park.pk}/").json()["tenancies"]) == 3


# --- masking ----------------------------------------------------------------------------------


def test_leader_sees_people_as_id_and_name_only(leader, person_a, person_b):
    fair = JobFairFactory()
    FairAttendanceFactory(fair=fair, person=person_a)
    EmploymentOutcomeFactory(person=person_b, enterprise=None, employer_name="乙镇物流公司")
    TraineeFactory(person=VeteranFactory(township=person_a.township))
    RoleModelFactory(person=person_a)
    EmploymentIntentionFactory(person=person_b)
    client = api(leader)

    for url in (ATTENDANCES, OUTCOMES, TRAINEES, ROLE_MODELS, INTENTIONS):
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert not FULL_ID_RE.search(content), url
        assert person_a.phone not in content and person_b.phone not in content, url
    row = client.get(ATTENDANCES).json()["results"][0]
    assert (row["person"], row["person_name"]) == (person_a.pk, "张甲")
    assert "id_number" not in row and "phone" not in row


# --- delete -----------------------------------------------------------------------------------------


def test_fair_with_attendances_cannot_be_deleted(bureau_user, person_a):
    fair = JobFairFactory()
    FairAttendanceFactory(fair=fair, person=person_a)

    response = api(bureau_user).delete(f"{FAIRS}{fair.pk}/")

    assert response.status_code == 409
    assert response.json() == {"detail": "该招聘会已有参加人员或就业意向，不能删除。"}
    assert JobFair.objects.filter(pk=fair.pk).exists()


def test_an_id_filter_beyond_the_integer_range_is_a_400_not_a_500(bureau_user):
    response = api(bureau_user).get(f"{API}employment/park-tenancies/?enterprise=-187412472688340305923014656")

    assert response.status_code == 400
    assert "enterprise" in response.json()
