"""
The employment admin for bureau staff: enterprises with checked credit codes,
training classes whose trainees must be discharged veterans, bulk entry of
fair attendees by ID-number list; leadership reads, stations stay out.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from bureau.models import Enterprise, ReviewStatus
from employment.models import FairAttendance, JobFair, Trainee, TrainingClass, TrainingTopic
from employment.services import fair_attendees_add
from tests.employment.factories import (
    EnterpriseFactory,
    FairAttendanceFactory,
    FairParticipationFactory,
    JobFairFactory,
    TraineeFactory,
    TrainingClassFactory,
    VeteranFactory,
    make_credit_code,
)
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")
ATTACHMENTS = "bureau-attachment-content_type-object_id"
NOT_A_VETERAN = "不是已退役的退役军人，不能参加适应性培训。"

CHANGELISTS = [
    "/admin/bureau/enterprise/",
    "/admin/employment/startuppark/",
    "/admin/employment/jobfair/",
    "/admin/employment/fairattendance/",
    "/admin/employment/employmentintention/",
    "/admin/employment/trainingclass/",
    "/admin/employment/trainee/",
    "/admin/employment/jobposting/",
    "/admin/employment/rolemodel/",
    "/admin/employment/publicityevent/",
    "/admin/employment/employmentoutcome/",
]


def inline_management(*prefixes):
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def enterprise_form(**fields):
    return {
        "name": "江苏某电子元件有限公司",
        "credit_code": make_credit_code(7),
        "sector": "电子元件",
        "township": "",
        "founder": "",
        "contact_name": "王经理",
        "contact_phone": "13800001111",
        **fields,
    }


def training_class_form(trainees=(), **fields):
    data = {
        "title": "2021年退役军人适应性培训班",
        "start_date": "2021-11-08",
        "end_date": "2021-11-10",
        "venue": "区委党校",
        "township": "",
        "topics": [TrainingTopic.POLITICAL_EDUCATION, TrainingTopic.JOB_SEEKING_SKILLS],
        "other_topics": "",
        "headcount": "",
        "cost": "",
        "online_views": "",
        **inline_management(ATTACHMENTS),
        "trainees-TOTAL_FORMS": str(len(trainees)),
        "trainees-INITIAL_FORMS": "0",
    }
    for index, (person, days) in enumerate(trainees):
        data[f"trainees-{index}-person"] = person.pk
        data[f"trainees-{index}-days_attended"] = days
    data.update(fields)
    return data


# --- enterprises ------------------------------------------------------------------------


def test_bureau_staff_add_an_enterprise_with_a_valid_credit_code(client_for, bureau_user, township_a):
    response = client_for(bureau_user).post(
        "/admin/bureau/enterprise/add/",
        enterprise_form(township=township_a.pk, credit_code=make_credit_code(7).lower()),
    )

    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert (enterprise.credit_code, enterprise.township) == (make_credit_code(7), township_a)


def test_a_bad_credit_code_is_refused_in_the_enterprise_admin_with_the_chinese_message(client_for, bureau_user):
    valid = make_credit_code(7)
    wrong = valid[:-1] + ("1" if valid[-1] != "1" else "2")

    response = client_for(bureau_user).post("/admin/bureau/enterprise/add/", enterprise_form(credit_code=wrong))

    assert response.status_code == 200
    assert "统一社会信用代码校验位错误，请核对。" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_leadership_sees_the_enterprise_contact_phone_masked(client_for, leader):
    enterprise = EnterpriseFactory(contact_phone="13812345678")
    client = client_for(leader)

    for url in ["/admin/bureau/enterprise/", f"/admin/bureau/enterprise/{enterprise.pk}/change/"]:
        body = client.get(url).content.decode()
        assert "13812345678" not in body, url
        assert "138****5678" in body, url


# --- training classes ---------------------------------------------------------------------


def test_bureau_staff_add_a_training_class_with_topics_and_trainees(client_for, bureau_user, township_a):
    veteran = VeteranFactory(township=township_a)

    response = client_for(bureau_user).post(
        "/admin/employment/trainingclass/add/", training_class_form(trainees=[(veteran, 3)])
    )

    assert response.status_code == 302
    training_class = TrainingClass.objects.get()
    assert training_class.topics == ["political_education", "job_seeking_skills"]
    assert training_class.review_status == ReviewStatus.APPROVED
    assert training_class.days == 3
    trainee = Trainee.objects.get()
    assert (trainee.person, trainee.days_attended) == (veteran, 3)


def test_the_topics_are_offered_as_checkboxes_in_chinese(client_for, bureau_user):
    body = client_for(bureau_user).get("/admin/employment/trainingclass/add/").content.decode()

    assert body.count('type="checkbox" name="topics"') == 6
    for label in ["思想政治教育", "法律法规政策", "就业创业指导", "心理引导", "求职技巧", "服务项目指引"]:
        assert label in body


@pytest.mark.parametrize(
    "person_fields",
    [
        {"status": "family", "discharged_on": None},
        {"status": "veteran", "discharged_on": None},
    ],
    ids=["family-member", "no-discharge-date"],
)
def test_a_trainee_who_is_not_a_discharged_veteran_is_refused_in_the_class_inline(
    client_for, bureau_user, township_a, person_fields
):
    veteran = VeteranFactory(township=township_a)
    other = PersonFactory(name="赵丙", township=township_a, **person_fields)

    response = client_for(bureau_user).post(
        "/admin/employment/trainingclass/add/", training_class_form(trainees=[(veteran, 3), (other, 3)])
    )

    assert response.status_code == 200
    assert f"赵丙{NOT_A_VETERAN}" in response.content.decode()
    assert not TrainingClass.objects.exists()
    assert not Trainee.objects.exists()


# --- fair attendance -------------------------------------------------------------------------


def test_an_attendance_added_by_the_bureau_is_approved_in_the_persons_township(client_for, bureau_user, person_a):
    fair = JobFairFactory()

    response = client_for(bureau_user).post(
        "/admin/employment/fairattendance/add/", {"fair": fair.pk, "person": person_a.pk}
    )

    assert response.status_code == 302
    attendance = FairAttendance.objects.get()
    assert (attendance.person, attendance.township, attendance.review_status) == (
        person_a,
        person_a.township,
        ReviewStatus.APPROVED,
    )
    assert attendance.reviewed_by == bureau_user


def test_the_fair_page_shows_the_attendee_count_and_the_bulk_entry_button(client_for, bureau_user):
    fair = JobFairFactory()
    FairAttendanceFactory.create_batch(2, fair=fair)
    FairParticipationFactory(fair=fair)

    body = client_for(bureau_user).get(f"/admin/employment/jobfair/{fair.pk}/change/").content.decode()

    assert "批量登记参加人员" in body
    assert f"/admin/employment/jobfair/{fair.pk}/attendees/" in body
    assert re.search(r"已登记参加人员（人）.*?<div class=\"readonly\">2</div>", body, re.S)


# --- bulk entry of attendees by ID-number list ------------------------------------------------


def bulk_url(fair):
    return f"/admin/employment/jobfair/{fair.pk}/attendees/"


def test_bulk_entry_with_one_unknown_id_number_writes_nothing_and_names_the_line(client_for, bureau_user, township_a):
    fair = JobFairFactory()
    people = VeteranFactory.create_batch(3, township=township_a)
    unknown = make_id_number(birth_date=datetime.date(1988, 8, 8), sequence=777)
    lines = [people[0].id_number, people[1].id_number, unknown, people[2].id_number]

    response = client_for(bureau_user).post(bulk_url(fair), {"id_numbers": "\n".join(lines)})

    assert response.status_code == 200
    assert response.context["line_errors"] == [f"第 3 行：身份证号 {unknown} 未在人员库中登记。"]
    assert f"第 3 行：身份证号 {unknown} 未在人员库中登记。" in response.content.decode()
    assert not FairAttendance.objects.exists()


def test_bulk_entry_reports_invalid_and_repeated_lines(client_for, bureau_user, township_a):
    fair = JobFairFactory()
    person = VeteranFactory(township=township_a)
    bad = person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1")

    response = client_for(bureau_user).post(
        bulk_url(fair), {"id_numbers": f"{person.id_number}\n\n{bad}\n{person.id_number.lower()}\n"}
    )

    assert response.context["line_errors"] == [
        f"第 3 行：{bad}，身份证号校验位错误，请核对号码。",
        f"第 4 行：身份证号 {person.id_number} 与第 1 行重复。",
    ]
    assert not FairAttendance.objects.exists()


def test_bulk_entry_of_valid_lines_registers_approved_attendances_and_a_repeat_adds_none(
    client_for, bureau_user, township_a, township_b
):
    fair = JobFairFactory()
    people = [*VeteranFactory.create_batch(2, township=township_a), VeteranFactory(township=township_b)]
    text = "\n".join(f"  {person.id_number} " for person in people)
    client = client_for(bureau_user)

    response = client.post(bulk_url(fair), {"id_numbers": text}, follow=True)

    assert response.redirect_chain[-1][0] == f"/admin/employment/jobfair/{fair.pk}/change/"
    assert [str(m) for m in response.context["messages"]] == ["已登记 3 名参加人员。"]
    attendances = FairAttendance.objects.filter(fair=fair)
    assert attendances.count() == 3
    assert {(a.person, a.township) for a in attendances} == {(p, p.township) for p in people}
    assert set(attendances.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}

    again = client.post(bulk_url(fair), {"id_numbers": text}, follow=True)

    assert FairAttendance.objects.filter(fair=fair).count() == 3
    assert [str(m) for m in again.context["messages"]] == [
        *(f"第 {line} 行：{person.name}已在参加人员中，未重复登记。" for line, person in enumerate(people, start=1)),
        "已登记 0 名参加人员。",
    ]


def test_the_bulk_service_is_all_or_nothing_and_skips_people_already_attending(bureau_user, township_a):
    fair = JobFairFactory()
    people = VeteranFactory.create_batch(3, township=township_a)
    unknown = make_id_number(birth_date=datetime.date(1990, 1, 1), sequence=555)

    with pytest.raises(ValidationError) as error:
        fair_attendees_add(fair=fair, id_numbers=[p.id_number for p in people] + [unknown], by=bureau_user)
    assert error.value.messages == [f"第 4 行：身份证号 {unknown} 未在人员库中登记。"]
    assert not FairAttendance.objects.exists()

    assert fair_attendees_add(fair=fair, id_numbers=[p.id_number for p in people], by=bureau_user) == 3
    assert fair_attendees_add(fair=fair, id_numbers=[p.id_number for p in people], by=bureau_user) == 0
    assert FairAttendance.objects.filter(fair=fair).count() == 3


def test_an_empty_list_is_refused(client_for, bureau_user):
    fair = JobFairFactory()

    response = client_for(bureau_user).post(bulk_url(fair), {"id_numbers": "\n \n"})

    assert response.status_code == 200
    assert not FairAttendance.objects.exists()


# --- who may enter ----------------------------------------------------------------------------


def test_leadership_views_the_employment_lists_but_may_not_add(client_for, leader):
    fair = JobFairFactory()
    TraineeFactory()
    FairAttendanceFactory(fair=fair)
    client = client_for(leader)

    for url in CHANGELISTS:
        assert client.get(url).status_code == 200, url
        assert client.get(url + "add/").status_code == 403, url
    assert client.get(bulk_url(fair)).status_code == 403
    assert client.post(bulk_url(fair), {"id_numbers": VeteranFactory().id_number}).status_code == 403
    assert FairAttendance.objects.count() == 1


def test_leadership_sees_attendee_and_trainee_id_numbers_masked(client_for, leader):
    attendance = FairAttendanceFactory()
    trainee = TraineeFactory()
    client = client_for(leader)

    for url in [
        "/admin/employment/fairattendance/",
        f"/admin/employment/fairattendance/{attendance.pk}/change/",
        "/admin/employment/trainee/",
        f"/admin/employment/trainee/{trainee.pk}/change/",
    ]:
        body = client.get(url).content.decode()
        assert not FULL_ID.search(body), url
    assert attendance.person.id_number[-4:] in client.get("/admin/employment/fairattendance/").content.decode()


@pytest.mark.parametrize("url", CHANGELISTS)
def test_bureau_list_and_add_pages_open_for_every_record(client_for, bureau_user, url):
    client = client_for(bureau_user)

    assert client.get(url).status_code == 200
    assert client.get(url + "add/").status_code == 200


def test_bureau_record_pages_open(client_for, bureau_user):
    training_class = TrainingClassFactory()
    TraineeFactory(training_class=training_class)
    fair = JobFairFactory()
    client = client_for(bureau_user)

    assert client.get(f"/admin/employment/trainingclass/{training_class.pk}/change/").status_code == 200
    assert client.get(f"/admin/employment/jobfair/{fair.pk}/history/").status_code == 200
    assert client.get(f"/admin/employment/trainee/{Trainee.objects.get().pk}/history/").status_code == 200
    assert client.get(f"/admin/bureau/enterprise/{EnterpriseFactory().pk}/history/").status_code == 200
    assert client.get(bulk_url(fair)).status_code == 200
    assert client.get(f"/admin/employment/jobfair/?start_date__year={fair.start_date.year}").status_code == 200


def test_station_staff_cannot_enter_the_employment_admin(client_for, station_user_a):
    client = client_for(station_user_a)

    for url in CHANGELISTS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    assert JobFair.objects.count() == 0


def test_the_park_list_counts_the_tenants_enrolled_today(client_for, bureau_user):
    from employment.models import ParkTenancy
    from tests.employment.factories import ParkTenancyFactory, StartupParkFactory

    park = StartupParkFactory(name="示范创业园")
    ParkTenancyFactory(park=park, moved_in_on=datetime.date(2020, 1, 1))
    ParkTenancyFactory(park=park, moved_in_on=datetime.date(2021, 3, 1))
    ParkTenancyFactory(park=park, moved_in_on=datetime.date(2020, 5, 1), moved_out_on=datetime.date(2021, 1, 1))
    assert ParkTenancy.objects.count() == 3

    response = client_for(bureau_user).get("/admin/employment/startuppark/")

    assert response.status_code == 200
    assert re.search(r'<td class="field-enrolled_today">2</td>', response.content.decode())


@pytest.mark.parametrize("role", ["bureau_user", "leader"])
def test_related_columns_of_the_trainee_list_are_headed_in_chinese(request, client_for, role):
    TraineeFactory()
    body = client_for(request.getfixturevalue(role)).get("/admin/employment/trainee/").content.decode()

    header = re.sub(r"<[^>]*>|\s+", " ", re.search(r"<thead>.*?</thead>", body, re.S).group(0))
    assert "身份证号" in header
    assert "乡镇（街道）" in header
    assert "person" not in header.lower()
