"""Station portal pages of employment: a clerk reports their own township's fair attendance and jobs, nobody else's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau.models import Person, ReviewStatus
from employment.models import EmploymentOutcome, FairAttendance
from tests.employment.factories import (
    EmploymentOutcomeFactory,
    EnterpriseFactory,
    FairAttendanceFactory,
    JobFairFactory,
)
from tests.factories import PersonFactory, TownshipFactory

pytestmark = pytest.mark.django_db

ATTENDANCES = reverse("station:employment:attendance_list")
NEW_ATTENDANCE = reverse("station:employment:attendance_create")
OUTCOMES = reverse("station:employment:outcome_list")
NEW_OUTCOME = reverse("station:employment:outcome_create")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def fair(db):
    # District-wide (no township), like most fairs.
    return JobFairFactory(title="春风行动专场招聘会", start_date=days_ago(30))


def attendance_edit(attendance) -> str:
    return reverse("station:employment:attendance_edit", args=[attendance.pk])


def outcome_edit(outcome) -> str:
    return reverse("station:employment:outcome_edit", args=[outcome.pk])


def outcome_data(person, **overrides) -> dict:
    data = {
        "person": person.pk,
        "enterprise": "",
        "employer_name": "甲镇农机合作社",
        "started_on": "2026-03-01",
        "channel": EmploymentOutcome.Channel.REFERRAL,
    }
    data.update(overrides)
    return data


# Access


@pytest.mark.parametrize("url", [ATTENDANCES, NEW_ATTENDANCE, OUTCOMES, NEW_OUTCOME])
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('station:login')}?next={url}"


@pytest.mark.parametrize("url", [ATTENDANCES, NEW_ATTENDANCE, OUTCOMES, NEW_OUTCOME])
def test_bureau_user_is_told_to_use_the_admin(client_for, bureau_user, url):
    response = client_for(bureau_user).get(url)
    assert response.status_code == 403
    assert "服务站门户仅供服务站工作人员使用" in response.content.decode()


def test_home_and_nav_link_to_the_employment_pages(client_for, station_user_a):
    content = client_for(station_user_a).get(reverse("station:home")).content.decode()
    assert f'href="{ATTENDANCES}"' in content
    assert f'href="{OUTCOMES}"' in content
    assert "招聘会参加" in content and "就业情况" in content


# Job-fair attendance: list


def test_attendance_list_shows_own_township_only_with_status_and_reason(
    client_for, station_user_a, fair, person_a, person_b
):
    FairAttendanceFactory(fair=fair, person=person_a, review_status=ReviewStatus.RETURNED, return_reason="未在签到表上")
    FairAttendanceFactory(fair=fair, person=person_b)

    response = client_for(station_user_a).get(ATTENDANCES)

    assert response.status_code == 200
    assert [attendance.person.name for attendance in response.context["page"]] == ["张甲"]
    content = response.content.decode()
    assert "张甲" in content
    assert "李乙" not in content
    assert "春风行动专场招聘会" in content
    assert "已退回" in content
    assert "退回原因：未在签到表上" in content


def test_attendance_list_filters_by_status(client_for, station_user_a, township_a, fair, person_a):
    FairAttendanceFactory(fair=fair, person=person_a, review_status=ReviewStatus.SUBMITTED)
    FairAttendanceFactory(fair=fair, person=PersonFactory(name="王通过", township=township_a))

    response = client_for(station_user_a).get(ATTENDANCES, {"status": "submitted"})

    assert [attendance.person.name for attendance in response.context["page"]] == ["张甲"]


# Job-fair attendance: the form's choices


def test_form_offers_recent_approved_fairs_and_own_veterans_only(
    client_for, station_user_a, township_a, township_b, fair, person_a, person_b
):
    own_fair = JobFairFactory(title="甲镇专场", township=township_a, start_date=days_ago(10))
    JobFairFactory(title="乙镇专场", township=township_b, start_date=days_ago(10))
    JobFairFactory(title="三年前的招聘会", start_date=days_ago(3 * 365))
    JobFairFactory(title="下月的招聘会", start_date=days_ago(-30))
    JobFairFactory(title="待审核的招聘会", start_date=days_ago(5), review_status=ReviewStatus.SUBMITTED)
    PersonFactory(name="赵现役", township=township_a, status=Person.Status.ACTIVE_DUTY)

    response = client_for(station_user_a).get(NEW_ATTENDANCE)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["fair"].queryset) == [own_fair, fair]
    assert list(form.fields["persons"].queryset) == [person_a]
    content = response.content.decode()
    assert "春风行动专场招聘会" in content and "甲镇专场" in content
    assert "乙镇专场" not in content and "三年前的招聘会" not in content and "待审核的招聘会" not in content
    assert "李乙" not in content
    assert f"张甲（身份证尾号 {person_a.id_number[-4:]}）" in content


# Job-fair attendance: submitting


def test_valid_attendance_of_several_people_is_submitted_in_own_township(
    client_for, station_user_a, township_a, fair, person_a
):
    other = PersonFactory(name="王甲", township=township_a)

    response = client_for(station_user_a).post(NEW_ATTENDANCE, {"fair": fair.pk, "persons": [person_a.pk, other.pk]})

    assert response.status_code == 302
    assert response.url == ATTENDANCES
    attendances = FairAttendance.objects.order_by("person__name")
    assert [(a.person.name, a.fair, a.township, a.review_status) for a in attendances] == [
        ("张甲", fair, township_a, ReviewStatus.SUBMITTED),
        ("王甲", fair, township_a, ReviewStatus.SUBMITTED),
    ]
    assert {a.submitted_by for a in attendances} == {station_user_a}
    followed = client_for(station_user_a).get(ATTENDANCES)
    assert "已提交 2 人的参加记录，等待区局审核" in followed.content.decode()


def test_forged_post_with_another_townships_person_is_refused(client_for, station_user_a, fair, person_a, person_b):
    response = client_for(station_user_a).post(NEW_ATTENDANCE, {"fair": fair.pk, "persons": [person_a.pk, person_b.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors == {"persons": ["只能选择本乡镇（街道）登记在册的退役军人。"]}
    assert "只能选择本乡镇（街道）登记在册的退役军人。" in response.content.decode()
    assert not FairAttendance.objects.exists()


def test_forged_post_with_another_townships_fair_is_refused(client_for, station_user_a, township_b, person_a):
    fair_b = JobFairFactory(title="乙镇专场", township=township_b, start_date=days_ago(10))

    response = client_for(station_user_a).post(NEW_ATTENDANCE, {"fair": fair_b.pk, "persons": [person_a.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors == {"fair": ["请选择列表中的招聘会。"]}
    assert not FairAttendance.objects.exists()


def test_duplicate_attendance_is_refused_and_nothing_is_written(client_for, station_user_a, township_a, fair, person_a):
    FairAttendanceFactory(fair=fair, person=person_a)
    other = PersonFactory(name="王甲", township=township_a)

    response = client_for(station_user_a).post(NEW_ATTENDANCE, {"fair": fair.pk, "persons": [person_a.pk, other.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors == {"persons": ["张甲：该人员已登记参加此招聘会。"]}
    assert "该人员已登记参加此招聘会。" in response.content.decode()
    assert FairAttendance.objects.count() == 1


def test_empty_attendance_form_shows_chinese_errors(client_for, station_user_a, fair, person_a):
    response = client_for(station_user_a).post(NEW_ATTENDANCE, {})

    assert response.status_code == 200
    assert response.context["form"].errors == {"fair": ["该字段是必填项。"], "persons": ["该字段是必填项。"]}
    assert not FairAttendance.objects.exists()


# Job-fair attendance: correcting a returned record


def test_returned_attendance_is_corrected_and_resubmitted(client_for, station_user_a, township_a, fair, person_a):
    other_fair = JobFairFactory(title="秋季招聘会", start_date=days_ago(60))
    attendance = FairAttendanceFactory(
        fair=other_fair, person=person_a, review_status=ReviewStatus.RETURNED, return_reason="应为春风行动"
    )

    response = client_for(station_user_a).post(
        attendance_edit(attendance), {"fair": fair.pk, "person": person_a.pk, "version": attendance.version}
    )

    assert response.status_code == 302
    attendance.refresh_from_db()
    assert attendance.fair == fair
    assert attendance.review_status == ReviewStatus.SUBMITTED
    assert attendance.return_reason == ""
    assert attendance.submitted_by == station_user_a


def test_another_townships_attendance_is_a_404(client_for, station_user_a, fair, person_b):
    attendance = FairAttendanceFactory(fair=fair, person=person_b)
    client = client_for(station_user_a)

    assert client.get(attendance_edit(attendance)).status_code == 404
    assert client.post(attendance_edit(attendance), {"fair": fair.pk, "person": person_b.pk}).status_code == 404
    attendance.refresh_from_db()
    assert attendance.review_status == ReviewStatus.APPROVED


def test_attendance_cannot_be_moved_to_another_townships_person(client_for, station_user_a, fair, person_a, person_b):
    attendance = FairAttendanceFactory(fair=fair, person=person_a)

    response = client_for(station_user_a).post(
        attendance_edit(attendance), {"fair": fair.pk, "person": person_b.pk, "version": attendance.version}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"person": ["只能选择本乡镇（街道）登记在册的退役军人。"]}
    attendance.refresh_from_db()
    assert attendance.person == person_a
    assert attendance.review_status == ReviewStatus.APPROVED


def test_correcting_into_a_duplicate_is_refused(client_for, station_user_a, township_a, fair, person_a):
    other = PersonFactory(name="王甲", township=township_a)
    FairAttendanceFactory(fair=fair, person=person_a)
    attendance = FairAttendanceFactory(fair=fair, person=other, review_status=ReviewStatus.RETURNED)

    response = client_for(station_user_a).post(
        attendance_edit(attendance), {"fair": fair.pk, "person": person_a.pk, "version": attendance.version}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"person": ["该人员已登记参加此招聘会。"]}
    attendance.refresh_from_db()
    assert attendance.person == other


# Employment outcomes


def test_outcome_list_shows_own_township_only(client_for, station_user_a, person_a, person_b):
    EmploymentOutcomeFactory(
        person=person_a,
        enterprise=None,
        employer_name="甲镇农机合作社",
        review_status=ReviewStatus.RETURNED,
        return_reason="请补充劳动合同",
    )
    EmploymentOutcomeFactory(person=person_b, enterprise=None, employer_name="乙镇物流公司")

    response = client_for(station_user_a).get(OUTCOMES)

    assert response.status_code == 200
    assert [outcome.person.name for outcome in response.context["page"]] == ["张甲"]
    content = response.content.decode()
    assert "甲镇农机合作社" in content
    assert "乙镇物流公司" not in content and "李乙" not in content
    assert "退回原因：请补充劳动合同" in content


def test_valid_outcome_with_free_text_employer_is_submitted(client_for, station_user_a, township_a, person_a):
    response = client_for(station_user_a).post(NEW_OUTCOME, outcome_data(person_a))

    assert response.status_code == 302
    assert response.url == OUTCOMES
    outcome = EmploymentOutcome.objects.get()
    assert outcome.person == person_a
    assert outcome.township == township_a
    assert outcome.review_status == ReviewStatus.SUBMITTED
    assert outcome.submitted_by == station_user_a
    assert outcome.employer == "甲镇农机合作社"
    assert outcome.started_on == datetime.date(2026, 3, 1)


def test_outcome_may_name_an_enterprise_of_another_township(client_for, station_user_a, township_a, person_a):
    # Enterprises are public business records: a resident may work anywhere.
    enterprise = EnterpriseFactory(name="乙镇汽配有限公司", township=TownshipFactory(code="B01"))

    response = client_for(station_user_a).post(
        NEW_OUTCOME, outcome_data(person_a, enterprise=enterprise.pk, employer_name="")
    )

    assert response.status_code == 302
    outcome = EmploymentOutcome.objects.get()
    assert outcome.employer == "乙镇汽配有限公司"
    assert outcome.township == township_a


def test_outcome_without_employer_is_refused_in_chinese(client_for, station_user_a, person_a):
    response = client_for(station_user_a).post(NEW_OUTCOME, outcome_data(person_a, employer_name=" "))

    assert response.status_code == 200
    assert response.context["form"].errors == {"employer_name": ["请选择就业企业或填写就业单位名称。"]}
    assert not EmploymentOutcome.objects.exists()


def test_forged_outcome_for_another_townships_person_is_refused(client_for, station_user_a, person_a, person_b):
    response = client_for(station_user_a).post(NEW_OUTCOME, outcome_data(person_b))

    assert response.status_code == 200
    assert response.context["form"].errors == {"person": ["只能选择本乡镇（街道）登记在册的退役军人。"]}
    assert not EmploymentOutcome.objects.exists()
    assert "李乙" not in response.content.decode()


def test_returned_outcome_edited_is_submitted_again(client_for, station_user_a, person_a):
    outcome = EmploymentOutcomeFactory(
        person=person_a,
        enterprise=None,
        employer_name="旧单位",
        review_status=ReviewStatus.RETURNED,
        return_reason="单位名称有误",
    )

    data = {**outcome_data(person_a, employer_name="新单位"), "version": outcome.version}
    response = client_for(station_user_a).post(outcome_edit(outcome), data)

    assert response.status_code == 302
    outcome.refresh_from_db()
    assert outcome.employer_name == "新单位"
    assert outcome.review_status == ReviewStatus.SUBMITTED
    assert outcome.return_reason == ""


def test_another_townships_outcome_is_a_404(client_for, station_user_a, person_b):
    outcome = EmploymentOutcomeFactory(person=person_b, enterprise=None, employer_name="乙镇物流公司")
    client = client_for(station_user_a)

    assert client.get(outcome_edit(outcome)).status_code == 404
    assert client.post(outcome_edit(outcome), outcome_data(person_b, employer_name="改")).status_code == 404
    outcome.refresh_from_db()
    assert outcome.employer_name == "乙镇物流公司"
    assert outcome.review_status == ReviewStatus.APPROVED
