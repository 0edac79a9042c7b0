"""
One person, one truth: a placement candidate is what the registry says (route 安排工作, discharged in
the batch's year, the ground claimed, alive and in the district), with the registry's years of service
and merits; the grant and the placement exclude each other; the route of a person paid or placed is
not changed, in every path that saves a person.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.models import Merit, Person, PersonCategory, PreferentialCategory
from bureau.rules.services import change_review, record_save
from resettlement import eligibility, selection, subsidies
from resettlement.models import PlacementCandidate, SubsidyRun
from resettlement.programmes import programme
from tests.bureau.test_admin import person_form
from tests.bureau.test_bulk_import import import_rows
from tests.bureau.test_import_export import person_row
from tests.factories import MeritFactory, PaymentFactory, PersonCategoryFactory, PersonFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
CANDIDATES = "/api/v1/resettlement/placement-candidates/"
ADD = "admin:resettlement_placementcandidate_add"
SELF_ROUTE = Person.DischargeRoute.SELF_EMPLOYED
NOT_ARRANGED = "人员登记中{name}的安置方式为“自主就业”，不是“安排工作”，不能列为安排工作候选人。"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def candidate_form(batch, person, ground=PlacementCandidate.Eligibility.TWELVE_YEARS) -> dict:
    return {
        "batch": batch.pk,
        "person": person.pk,
        "eligibility": ground,
        "hardship_years": "2",
        "training": "good",
        "adjustments-TOTAL_FORMS": "0",
        "adjustments-INITIAL_FORMS": "0",
    }


def paid_the_grant(person, *, period="2021"):
    return PaymentFactory(
        person=person, programme=programme(), amount="30600.00", period=period, paid_on=D(2021, 12, 15)
    )


@pytest.fixture
def batch(db):
    return PlacementBatchFactory(year=2021)


@pytest.fixture
def self_employed(township_a):
    """The issue's demo case: an NCO-looking veteran the registry records as discharged to 自主就业."""
    return PersonFactory(
        name="自主甲",
        township=township_a,
        rank="上等兵",
        discharge_route=SELF_ROUTE,
        enlisted_on=D(2019, 9, 1),
        discharged_on=D(2021, 9, 1),
    )


# --- who may be a candidate -----------------------------------------------------------------------


def test_a_self_employed_veteran_cannot_become_a_candidate_in_the_admin(client_for, bureau_user, batch, self_employed):
    response = client_for(bureau_user).post(reverse(ADD), candidate_form(batch, self_employed))

    assert response.status_code == 200
    page = response.content.decode()
    assert NOT_ARRANGED.format(name="自主甲") in page
    # The ground claimed is checked too: a 上等兵 of two years is no NCO of twelve.
    assert "人员登记中自主甲的军衔为“上等兵”，不是士官，不符合“服现役满12年的士官”。" in page
    assert not PlacementCandidate.objects.exists()


def test_a_self_employed_veteran_cannot_become_a_candidate_through_the_api(bureau_user, batch, self_employed):
    response = api(bureau_user).post(
        CANDIDATES, {"batch": batch.pk, "person": self_employed.pk, "eligibility": "twelve_years"}, format="json"
    )

    assert response.status_code == 400
    assert NOT_ARRANGED.format(name="自主甲") in response.json()["person"]
    assert not PlacementCandidate.objects.exists()


def test_a_veteran_paid_the_grant_cannot_become_a_candidate(client_for, bureau_user, batch, township_a):
    nco = NcoFactory(name="已领金", township=township_a)
    paid_the_grant(nco)
    refusal = "已领金已于 2021-12-15 领取2021年自主就业金，自主就业与安排工作只能选择一种，不能列为安排工作候选人。"

    page = client_for(bureau_user).post(reverse(ADD), candidate_form(batch, nco)).content.decode()
    answer = api(bureau_user).post(
        CANDIDATES, {"batch": batch.pk, "person": nco.pk, "eligibility": "twelve_years"}, format="json"
    )

    assert refusal in page
    assert (answer.status_code, answer.json()["person"]) == (400, [refusal])
    assert not PlacementCandidate.objects.exists()


def test_a_dead_or_moved_veteran_cannot_become_a_candidate_nor_start_a_session(bureau_user, batch, township_a):
    dead = NcoFactory(name="已故乙", township=township_a, died_on=D(2021, 11, 1))
    moved = NcoFactory(name="迁出丙", township=township_a, moved_out_on=D(2021, 10, 8))

    for person, said in [
        (dead, "人员登记记载已故乙已于 2021-11-01 死亡，不能列为安排工作候选人。"),
        (moved, "人员登记记载迁出丙已于 2021-10-08 迁出本区，不能列为安排工作候选人。"),
    ]:
        answer = api(bureau_user).post(
            CANDIDATES, {"batch": batch.pk, "person": person.pk, "eligibility": "twelve_years"}, format="json"
        )
        assert (answer.status_code, answer.json()["person"]) == (400, [said])

    # A death recorded after the candidate was added: the session does not start until it is resolved.
    candidate = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="后故丁", township=township_a))
    PlacementPositionFactory(batch=batch)
    candidate.person.died_on = D(2021, 11, 2)
    candidate.person.save()
    refusal = selection.start_refusal(batch)
    assert refusal == (
        "以下候选人据人员登记已不符合安排工作条件，请先移出或核实人员登记后再开始选岗："
        "人员登记记载后故丁已于 2021-11-02 死亡，不能列为安排工作候选人。"
    )


def test_another_years_discharge_and_the_grounds_are_read_from_the_registry(bureau_user, batch, township_a):
    last_year = NcoFactory(name="去年退", township=township_a, discharged_on=D(2020, 9, 1))
    short = NcoFactory(name="十一年", township=township_a, enlisted_on=D(2009, 9, 2))  # 2021-09-01: 11 whole years
    hero = NcoFactory(name="二等功", township=township_a, rank="上等兵", enlisted_on=D(2019, 9, 1))
    MeritFactory(person=hero, level=Merit.Level.SECOND_CLASS, year=2020)
    disabled = NcoFactory(name="伤残", township=township_a, rank="上等兵", enlisted_on=D(2019, 9, 1))
    PersonCategoryFactory(
        person=disabled, category=PreferentialCategory.DISABLED_SOLDIER, disability_grade=9, started_on=D(2021, 9, 1)
    )

    def errors(person, ground):
        return eligibility.placement_refusals(PlacementCandidate(batch=batch, person=person, eligibility=ground))

    assert errors(last_year, "twelve_years") == {
        "person": ["人员登记中去年退的退役日期为 2020-09-01，不是2021年退役，不能列入2021年的安排工作批次。"]
    }
    assert errors(short, "twelve_years") == {
        "eligibility": ["人员登记中十一年入伍日期 2009-09-02、退役日期 2021-09-01，服役满 11 年，不满12年。"]
    }
    assert errors(hero, "merit") == {}
    assert errors(hero, "twelve_years")["eligibility"] == [
        "人员登记中二等功的军衔为“上等兵”，不是士官，不符合“服现役满12年的士官”。"
    ]
    assert errors(disabled, "war_disabled") == {
        "eligibility": ["人员登记中伤残没有伤残等级为五级至八级的“残疾军人”优抚类别。"]
    }
    PersonCategory.objects.filter(person=disabled).update(disability_grade=6)
    assert errors(disabled, "war_disabled") == {}
    assert errors(disabled, "martyr_child") == {"eligibility": ["人员登记中伤残没有“烈士子女”优抚类别。"]}


# --- the registry's facts -------------------------------------------------------------------------


def test_a_candidates_years_and_merits_are_the_registrys(client_for, bureau_user, batch, township_a):
    # 2009-03-15 → 2021-09-01: 12 whole years. In service: a second-class merit, two third-class, one
    # honour title; a third-class merit of 2008, before the enlistment, is not one of them.
    nco = NcoFactory(name="王登记", township=township_a, enlisted_on=D(2009, 3, 15))
    for level, year in [(2, 2014), (3, 2011), (3, 2019), (0, 2020), (3, 2008)]:
        MeritFactory(person=nco, level=level, year=year)
    client = client_for(bureau_user)

    response = client.post(reverse(ADD), {**candidate_form(batch, nco), "service_years": "16", "honours": "5"})

    assert response.status_code == 302
    candidate = PlacementCandidate.objects.get()
    assert [getattr(candidate, name) for name in PlacementCandidate.REGISTRY_FACTS] == [12, 0, 1, 2, 1]
    ranking = client.get(reverse("admin:resettlement_placementbatch_ranking", args=[batch.pk])).content.decode()
    assert "12年 × 1 分" in ranking
    assert "1次 × 10 分" in ranking and "2次 × 5 分" in ranking
    # 12 + 1 (hard areas) + 10 + 10 + 2 (honour) + 2 (training 良好)
    [row] = api(bureau_user).get(CANDIDATES).json()["results"]
    assert (row["service_years"], row["second_class_merits"], row["third_class_merits"], row["honours"]) == (
        "12.0",
        1,
        2,
        1,
    )
    assert row["score"] == "37.00"

    # A merit recorded later in the registry is in the ranking while the batch prepares, and fixed at the start.
    MeritFactory(person=nco, level=Merit.Level.FIRST_CLASS, year=2016)
    assert (
        "1次 × 15 分"
        in client.get(reverse("admin:resettlement_placementbatch_ranking", args=[batch.pk])).content.decode()
    )
    PlacementPositionFactory(batch=batch)
    bureau_user.user_permissions.add(Permission.objects.get(codename="run_placement_session"))
    selection.start_session(batch=batch, by=type(bureau_user).objects.get(pk=bureau_user.pk))
    candidate.refresh_from_db()
    assert (candidate.first_class_merits, candidate.score) == (1, Decimal("52.00"))
    assert eligibility.candidates_differing_from_registry() == []
    MeritFactory(person=nco, level=Merit.Level.THIRD_CLASS, year=2017)
    [(found, differences)] = eligibility.candidates_differing_from_registry()
    assert (found, differences) == (candidate, {"third_class_merits": (2, 3)})


def test_the_api_creates_a_registry_nco_with_the_registrys_facts(bureau_user, batch, township_a):
    nco = NcoFactory(name="接口士官", township=township_a, years=14)

    answer = api(bureau_user).post(
        CANDIDATES,
        {"batch": batch.pk, "person": nco.pk, "eligibility": "twelve_years", "service_years": "30"},
        format="json",
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["service_years"] == "14.0"
    assert PlacementCandidate.objects.get().service_years == 14


# --- the grant and the placement exclude each other -------------------------------------------------


def test_a_candidate_the_dead_and_the_moved_are_not_in_the_grant_run(bureau_user, standard_2021, cohort):
    candidate = PlacementCandidateFactory(person=cohort["two"])  # registered 自主就业, yet a candidate: not paid
    cohort["short"].died_on = D(2021, 10, 1)
    cohort["short"].save()

    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    assert [line.person for line in run.lines.all()] == [cohort["five"]]
    assert (run.persons, run.total) == (1, Decimal("30600.00"))
    assert [(item.person.name, item.reason) for item in run.excluded] == [
        ("孙三月", "据人员登记已于 2021-10-01 死亡，不发放自主就业金。"),
        ("钱两年", f"已是“{candidate.batch}”的安排工作候选人，自主就业与安排工作只能选择一种，不发放自主就业金。"),
    ]


def test_the_clerk_sees_who_is_excluded_and_why(client_for, bureau_user, standard_2021, cohort):
    cohort["two"].moved_out_on = D(2021, 11, 20)
    cohort["two"].save()
    client = client_for(bureau_user)

    response = client.post(reverse("admin:resettlement_subsidyrun_add"), {"cohort_year": "2021"})
    page = client.get(response["Location"]).content.decode()

    assert "共 2 人，合计 43120.00 元" in page
    assert (
        "1 人不发放自主就业金，未列入核算：钱两年（乙镇）：据人员登记已于 2021-11-20 迁出本区，不发放自主就业金。"
        in page
    )


def test_a_death_recorded_after_the_calculation_refuses_the_approval(bureau_user, approver, standard_2021, cohort):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    cohort["five"].died_on = D(2021, 12, 1)
    cohort["five"].save()

    assert subsidies.approval_refusal(run, approver) == (
        "核算后人员登记有变化，请重新核算后再审批：赵五年：据人员登记已于 2021-12-01 死亡，不发放自主就业金。"
    )
    with pytest.raises(ValidationError):
        subsidies.approve_and_pay(run=run, by=approver, paid_on=D(2021, 12, 15))
    assert SubsidyRun.objects.get().status == SubsidyRun.Status.CALCULATED


def test_the_approval_page_shows_the_payment_date_as_an_iso_date(
    client_for, bureau_user, approver, standard_2021, cohort
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    page = client_for(approver).get(reverse("admin:resettlement_subsidyrun_approve", args=[run.pk])).content.decode()

    assert f'type="date" name="paid_on" value="{timezone.localdate():%Y-%m-%d}"' in page


# --- the route of a person paid or placed stays ---------------------------------------------------


ROUTE_REFUSED = "不能将赵五年的安置方式改为“安排工作”：已于 2021-12-15 按“自主就业”发放2021年自主就业金。"


def test_the_route_of_a_person_paid_the_grant_is_not_changed_in_the_admin(client_for, bureau_user, cohort):
    person = cohort["five"]
    paid_the_grant(person)
    form = person_form(
        name=person.name,
        id_number=person.id_number,
        phone=person.phone,
        township=person.township_id,
        enlisted_on="2016-09-01",
        discharged_on="2021-09-01",
        discharge_route="arranged_job",
        version=person.version,
    )

    response = client_for(bureau_user).post(reverse("admin:bureau_person_change", args=[person.pk]), form)

    assert response.status_code == 200
    assert ROUTE_REFUSED in response.content.decode()
    assert Person.objects.get(pk=person.pk).discharge_route == SELF_ROUTE


def test_the_route_of_a_person_paid_the_grant_is_not_changed_through_the_api(bureau_user, cohort):
    person = cohort["five"]
    paid_the_grant(person)

    answer = api(bureau_user).patch(f"/api/v1/persons/{person.pk}/", {"discharge_route": "arranged_job"}, format="json")

    assert (answer.status_code, answer.json()["non_field_errors"]) == (400, [ROUTE_REFUSED])
    assert Person.objects.get(pk=person.pk).discharge_route == SELF_ROUTE


def test_a_stations_proposal_of_another_route_is_refused_and_so_is_its_approval(bureau_user, station_user_a, cohort):
    person = Person.objects.get(pk=cohort["five"].pk)
    person.discharge_route = Person.DischargeRoute.ARRANGED_JOB
    # Proposed before the grant was paid; the bureau approves it after: refused then too.
    proposed = record_save(record=person, by=station_user_a).proposed_change
    paid_the_grant(cohort["five"])

    with pytest.raises(ValidationError) as refused:
        change_review(change=proposed, by=bureau_user, approve=True)
    assert refused.value.messages == [ROUTE_REFUSED]
    again = Person.objects.get(pk=person.pk)
    again.discharge_route = Person.DischargeRoute.ARRANGED_JOB
    with pytest.raises(ValidationError) as proposing:
        record_save(record=again, by=station_user_a)
    assert proposing.value.messages == [ROUTE_REFUSED]
    assert Person.objects.get(pk=person.pk).discharge_route == SELF_ROUTE


def test_the_route_of_a_person_paid_the_grant_is_not_changed_by_an_import(bureau_user, township_a):
    row = person_row(1, township_a)
    import_rows(bureau_user, [row])
    person = Person.objects.get()
    PaymentFactory(person=person, programme=programme(), amount="17040.00", period="1985", paid_on=D(1985, 12, 15))

    result = import_rows(bureau_user, [{**row, "安置方式": "安排工作"}])

    assert result.row_messages == [
        "第 2 行：不能将导入人员1的安置方式改为“安排工作”：已于 1985-12-15 按“自主就业”发放1985年自主就业金。"
    ]
    assert Person.objects.get().discharge_route == SELF_ROUTE


def test_the_route_of_a_candidate_is_not_changed_but_other_fields_are(bureau_user, batch, township_a):
    candidate = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="候选戊", township=township_a))

    refused = api(bureau_user).patch(
        f"/api/v1/persons/{candidate.person_id}/", {"discharge_route": "self_employed"}, format="json"
    )
    changed = api(bureau_user).patch(f"/api/v1/persons/{candidate.person_id}/", {"address": "新址"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["non_field_errors"] == [
        f"不能将候选戊的安置方式改为“自主就业”：已是“{batch}”的安排工作候选人。"
    ]
    assert changed.status_code == 200


def test_the_contradictions_the_helpers_find(batch, self_employed):
    PlacementCandidateFactory(batch=batch, person=self_employed)
    paid_the_grant(self_employed)
    arranged = NcoFactory()
    paid_the_grant(arranged)

    assert list(eligibility.placed_and_paid_the_grant()) == [self_employed]
    assert [c.person for c in eligibility.candidates_not_arranged_job()] == [self_employed]
    assert [p.person for p in eligibility.grants_not_self_employed()] == [arranged]


def test_the_api_changes_and_removes_candidates_while_the_batch_prepares_only(bureau_user, batch, township_a):
    first = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="甲士官", township=township_a))
    second = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="乙士官", township=township_a))
    PlacementPositionFactory(batch=batch)
    client = api(bureau_user)

    changed = client.patch(f"{CANDIDATES}{first.pk}/", {"hardship_years": "3", "service_years": "20"}, format="json")
    assert (changed.status_code, changed.json()["hardship_years"], changed.json()["service_years"]) == (
        200,
        "3.0",
        "12.0",
    )
    assert client.delete(f"{CANDIDATES}{second.pk}/").status_code == 204
    bureau_user.user_permissions.add(Permission.objects.get(codename="run_placement_session"))
    selection.start_session(batch=batch, by=type(bureau_user).objects.get(pk=bureau_user.pk))

    refused = client.delete(f"{CANDIDATES}{first.pk}/")
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "公开选岗已开始，候选人名单、岗位和评分不能再修改。",
    )
    assert client.patch(f"{CANDIDATES}{first.pk}/", {"training": "pass"}, format="json").status_code == 400
