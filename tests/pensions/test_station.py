"""Station portal pages of pensions: a station records its own township's visits, problems, check-ups, deaths and moves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau.models import CheckUp, CheckUpBatch, PendingChange, Person, ReviewStatus, Visit
from bureau.station.kit import ALREADY_SUBMITTED_MESSAGE, FOREIGN_ANY_PERSON_MESSAGE
from pensions.models import Problem
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PaymentProgrammeFactory, PersonFactory, VisitFactory
from tests.pensions.factories import ProblemFactory

pytestmark = pytest.mark.django_db

VISITS = reverse("station:pensions:visit_list")
NEW_VISIT = reverse("station:pensions:visit_create")
PROBLEMS = reverse("station:pensions:problem_list")
NEW_PROBLEM = reverse("station:pensions:problem_create")
CHECKUPS = reverse("station:pensions:checkup_list")
NEW_CHECKUP = reverse("station:pensions:checkup_create")
PAGES = [VISITS, NEW_VISIT, PROBLEMS, NEW_PROBLEM, CHECKUPS, NEW_CHECKUP]


def edit(name: str, record) -> str:
    return reverse(f"station:pensions:{name}_edit", args=[record.pk])


def visit_data(person, **overrides) -> dict:
    data = {
        "person": person.pk,
        "occasion": "spring_festival",
        "hardship_category": "",
        "visited_on": "2021-02-01",
        "visitor": "甲镇服务站 王站长",
        "amount": "",
        "programme": "",
        "note": "",
    }
    return {**data, **overrides}


def problem_data(person, **overrides) -> dict:
    data = {
        "person": person.pk,
        "kind": "housing",
        "description": "房屋漏雨。",
        "source": "phone",
        "visit": "",
        "reported_on": "2021-03-01",
        "assignee": "",
        "state": "open",
        "resolution": "",
        "resolved_on": "",
    }
    return {**data, **overrides}


def page_key(client, url: str) -> str:
    return client.get(url).context["submission_key"]


# --- access and menu ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('station:login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_bureau_user_is_told_to_use_the_admin(client_for, bureau_user, url):
    response = client_for(bureau_user).get(url)
    assert response.status_code == 403
    assert "服务站门户仅供服务站工作人员使用" in response.content.decode()


def test_home_links_to_the_pensions_pages(client_for, station_user_a):
    content = client_for(station_user_a).get(reverse("station:home")).content.decode()
    for url in (VISITS, PROBLEMS, CHECKUPS):
        assert f'href="{url}"' in content
    assert "走访慰问" in content and "困难问题" in content and "体检" in content


@pytest.mark.parametrize(
    ("url", "empty"),
    [(VISITS, "还没有登记走访慰问"), (PROBLEMS, "还没有登记困难问题"), (CHECKUPS, "还没有登记体检记录")],
)
def test_empty_lists_say_so(client_for, station_user_a, url, empty):
    assert empty in client_for(station_user_a).get(url).content.decode()


# --- visits -------------------------------------------------------------------------------------


def test_visit_list_shows_own_townships_pensions_visits_only(client_for, station_user_a, person_a, person_b):
    own = VisitFactory(person=person_a, review_status=ReviewStatus.RETURNED, return_reason="日期有误")
    VisitFactory(person=person_a, area="employment", occasion="routine")
    VisitFactory(person=person_b)

    response = client_for(station_user_a).get(VISITS)

    assert [visit.pk for visit in response.context["page"]] == [own.pk]
    content = response.content.decode()
    assert "张甲" in content and "李乙" not in content
    assert "退回原因：日期有误" in content
    assert f"{NEW_PROBLEM}?visit={own.pk}" in content


def test_station_records_a_visit_in_pensions_whatever_the_post_says(client_for, station_user_a, township_a, person_a):
    programme = PaymentProgrammeFactory(code="spring-festival", name="春节慰问金")
    data = visit_data(person_a, amount="800.00", programme=programme.pk, area="employment", township=999)

    response = client_for(station_user_a).post(NEW_VISIT, data)

    assert response.status_code == 302
    assert response.url == VISITS
    visit = Visit.objects.get()
    assert (visit.area, visit.township, visit.review_status) == ("pensions", township_a, ReviewStatus.SUBMITTED)
    assert (str(visit.amount), visit.programme) == ("800.00", programme)


def test_a_double_post_of_the_visit_page_saves_one_visit(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    data = {**visit_data(person_a), "submission_key": page_key(client, NEW_VISIT)}

    first = client.post(NEW_VISIT, data)
    second = client.post(NEW_VISIT, data, follow=True)

    assert first.status_code == 302
    assert ALREADY_SUBMITTED_MESSAGE in second.content.decode()
    assert Visit.objects.count() == 1


def test_a_visit_of_another_townships_person_is_refused(client_for, station_user_a, person_b):
    response = client_for(station_user_a).post(NEW_VISIT, visit_data(person_b))

    assert response.status_code == 200
    assert response.context["form"].errors == {"person": [FOREIGN_ANY_PERSON_MESSAGE]}
    assert not Visit.objects.exists()


def test_money_without_a_programme_and_an_empty_form_get_chinese_errors(client_for, station_user_a, person_a):
    client = client_for(station_user_a)

    no_programme = client.post(NEW_VISIT, visit_data(person_a, amount="500"))
    empty = client.post(NEW_VISIT, {})

    assert no_programme.context["form"].errors == {"programme": ["发放慰问金时须选择资金项目。"]}
    assert set(empty.context["form"].errors) == {"person", "occasion", "visited_on", "visitor"}
    assert "该字段是必填项。" in empty.content.decode()
    assert not Visit.objects.exists()


def test_another_townships_or_areas_visit_is_a_404(client_for, station_user_a, person_a, person_b):
    client = client_for(station_user_a)

    assert client.get(edit("visit", VisitFactory(person=person_b))).status_code == 404
    other_area = VisitFactory(person=person_a, area="employment", occasion="routine")
    assert client.get(edit("visit", other_area)).status_code == 404


# --- problems -----------------------------------------------------------------------------------


def test_the_visit_link_fills_in_the_problem_form(client_for, station_user_a, person_a):
    visit = VisitFactory(person=person_a, visited_on=datetime.date(2021, 1, 25))

    form = client_for(station_user_a).get(f"{NEW_PROBLEM}?visit={visit.pk}").context["form"]

    assert form.initial == {
        "visit": visit.pk,
        "person": person_a.pk,
        "source": "visit",
        "reported_on": datetime.date(2021, 1, 25),
    }


def test_the_problem_form_offers_own_pensions_visits_only(client_for, station_user_a, person_a, person_b):
    own = VisitFactory(person=person_a)
    VisitFactory(person=person_a, area="employment", occasion="routine")
    VisitFactory(person=person_b)

    form = client_for(station_user_a).get(NEW_PROBLEM).context["form"]

    assert list(form.fields["visit"].queryset) == [own]


def test_station_records_a_problem_collected_on_a_visit(client_for, station_user_a, township_a, person_a):
    visit = VisitFactory(person=person_a)

    response = client_for(station_user_a).post(NEW_PROBLEM, problem_data(person_a, source="visit", visit=visit.pk))

    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.visit, problem.township, problem.review_status) == (visit, township_a, ReviewStatus.SUBMITTED)


def test_a_problem_from_a_visit_must_name_the_visit(client_for, station_user_a, person_a):
    response = client_for(station_user_a).post(NEW_PROBLEM, problem_data(person_a, source="visit"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"visit": ["来源为走访收集时，须选择收集该问题的走访记录。"]}
    assert not Problem.objects.exists()


def test_station_resolves_a_returned_problem(client_for, station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.RETURNED, return_reason="请补充办理结果")
    data = problem_data(
        person_a,
        kind=problem.kind,
        description=problem.description,
        reported_on="2021-01-20",
        state="resolved",
        resolution="已协调修缮。",
        resolved_on="2021-02-10",
        version=problem.version,
    )

    response = client_for(station_user_a).post(edit("problem", problem), data)

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.resolution, problem.resolved_on) == (
        "resolved",
        "已协调修缮。",
        datetime.date(2021, 2, 10),
    )
    assert (problem.review_status, problem.return_reason) == (ReviewStatus.SUBMITTED, "")


def test_updating_an_approved_problem_proposes_its_state_resolution_and_date(client_for, station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.APPROVED)
    data = problem_data(
        person_a,
        kind=problem.kind,
        description=problem.description,
        reported_on="2021-01-20",
        state="closed",
        resolution="已转民政部门。",
        resolved_on="2021-02-10",
        version=problem.version,
    )

    response = client_for(station_user_a).post(edit("problem", problem), data)

    assert response.status_code == 302
    change = PendingChange.objects.get()
    assert sorted(change.changes) == ["resolution", "resolved_on", "state"]
    problem.refresh_from_db()
    assert (problem.state, problem.review_status) == ("open", ReviewStatus.APPROVED)


def test_resolving_without_a_resolution_is_refused_in_chinese(client_for, station_user_a, person_a):
    problem = ProblemFactory(person=person_a, review_status=ReviewStatus.SUBMITTED)
    data = problem_data(
        person_a, description=problem.description, reported_on="2021-01-20", state="resolved", version=problem.version
    )

    response = client_for(station_user_a).post(edit("problem", problem), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "resolution": ["问题解决或办结时须填写办理结果。"],
        "resolved_on": ["问题解决或办结时须填写解决日期。"],
    }


def test_another_townships_problem_is_a_404(client_for, station_user_a, person_b):
    problem = ProblemFactory(person=person_b)
    client = client_for(station_user_a)

    assert client.get(edit("problem", problem)).status_code == 404
    assert client.post(edit("problem", problem), problem_data(person_b, state="closed")).status_code == 404


# --- check-ups ----------------------------------------------------------------------------------


def test_the_checkup_form_offers_approved_key_beneficiary_rounds_the_station_may_see(
    client_for, station_user_a, township_a, township_b
):
    district = CheckUpBatchFactory(township=None)
    own = CheckUpBatchFactory(township=township_a)
    CheckUpBatchFactory(township=township_b)
    CheckUpBatchFactory(population=CheckUpBatch.Population.MARTYR_CHILDREN)
    CheckUpBatchFactory(review_status=ReviewStatus.SUBMITTED)

    form = client_for(station_user_a).get(NEW_CHECKUP).context["form"]

    assert set(form.fields["batch"].queryset) == {district, own}


def test_station_records_a_checkup(client_for, station_user_a, township_a, person_a):
    batch = CheckUpBatchFactory(start_date=datetime.date(2021, 5, 10))
    data = {
        "batch": batch.pk,
        "person": person_a.pk,
        "mode": "home_visit",
        "checked_on": "2021-05-12",
        "result_summary": "各项指标正常。",
    }

    response = client_for(station_user_a).post(NEW_CHECKUP, data)

    assert response.status_code == 302
    checkup = CheckUp.objects.get()
    assert (checkup.township, checkup.mode, checkup.review_status) == (township_a, "home_visit", ReviewStatus.SUBMITTED)
    assert checkup.result_summary == "各项指标正常。"


def test_a_second_checkup_in_a_round_and_one_before_it_began_are_refused(client_for, station_user_a, person_a):
    batch = CheckUpBatchFactory(start_date=datetime.date(2021, 5, 10))
    CheckUpFactory(batch=batch, person=person_a)
    client = client_for(station_user_a)
    data = {"batch": batch.pk, "person": person_a.pk, "mode": "on_site", "result_summary": ""}

    twice = client.post(NEW_CHECKUP, {**data, "checked_on": "2021-05-11"})
    early = client.post(
        NEW_CHECKUP, {**data, "person": PersonFactory(township=person_a.township).pk, "checked_on": "2021-05-01"}
    )

    assert twice.context["form"].errors == {"__all__": ["该人员在本批次已有体检记录。"]}
    assert early.context["form"].errors == {"checked_on": ["体检日期不能早于体检批次的开始日期。"]}
    assert CheckUp.objects.count() == 1


def test_a_checkup_in_another_townships_round_is_refused(client_for, station_user_a, township_b, person_a):
    foreign = CheckUpBatchFactory(township=township_b)
    data = {"batch": foreign.pk, "person": person_a.pk, "mode": "on_site", "checked_on": "2021-05-12"}

    response = client_for(station_user_a).post(NEW_CHECKUP, data)

    assert response.context["form"].errors == {"batch": ["请选择列表中已审核的重点优抚对象体检批次。"]}
    assert not CheckUp.objects.exists()


def test_checkup_list_shows_own_key_beneficiaries_without_the_result(client_for, station_user_a, person_a, person_b):
    own = CheckUpFactory(person=person_a, result_summary="血压偏高。")
    CheckUpFactory(person=person_b)
    CheckUpFactory(person=person_a, batch=CheckUpBatchFactory(population="military_families"))

    response = client_for(station_user_a).get(CHECKUPS)

    assert [checkup.pk for checkup in response.context["page"]] == [own.pk]
    content = response.content.decode()
    assert "已录入体检结果" in content
    assert "血压偏高" not in content


def test_another_townships_checkup_is_a_404(client_for, station_user_a, person_b):
    assert client_for(station_user_a).get(edit("checkup", CheckUpFactory(person=person_b))).status_code == 404


# --- deaths and moves on the person's form ------------------------------------------------------


def person_data(person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "gender": person.gender,
        "phone": person.phone,
        "address": person.address,
        "status": person.status,
        "branch": person.branch,
        "rank": person.rank,
        "discharge_route": person.discharge_route,
        "notes": person.notes,
        "version": person.version,
    }
    return {**data, **overrides}


def test_the_person_form_records_a_death_as_a_proposed_change(client_for, station_user_a, person_a):
    url = reverse("station:person_edit", args=[person_a.pk])
    client = client_for(station_user_a)

    form = client.get(url).context["form"]
    response = client.post(url, person_data(person_a, died_on="2021-06-01"))

    assert {"died_on", "moved_out_on"} <= set(form.fields)
    assert form.fields["died_on"].label == "死亡日期"
    assert response.status_code == 302
    change = PendingChange.objects.get()
    assert sorted(change.changes) == ["died_on"]
    person_a.refresh_from_db()
    # The pension stops once the bureau approves the change, not before.
    assert (person_a.died_on, person_a.status) == (None, Person.Status.VETERAN)


def test_a_death_or_move_in_the_future_is_refused(client_for, station_user_a, person_a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    url = reverse("station:person_edit", args=[person_a.pk])

    response = client_for(station_user_a).post(url, person_data(person_a, died_on=tomorrow, moved_out_on=tomorrow))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "died_on": ["死亡日期不能晚于今天。"],
        "moved_out_on": ["迁出日期不能晚于今天。"],
    }
    assert not PendingChange.objects.exists()


def test_a_move_of_a_submitted_person_is_saved_with_the_submission(client_for, station_user_a, township_a):
    person = PersonFactory(township=township_a, review_status=ReviewStatus.SUBMITTED)
    url = reverse("station:person_edit", args=[person.pk])

    response = client_for(station_user_a).post(url, person_data(person, moved_out_on="2021-07-01"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.moved_out_on == datetime.date(2021, 7, 1)
