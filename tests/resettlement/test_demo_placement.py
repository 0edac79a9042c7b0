"""
The demo's placement batches: the demo year's held by the demo clerk, the registry's 10 NCOs discharged
to an arranged job placed in 15 institutions of 9 departments, repeatably; this year's prepared for a
newcomer to hold. Each candidate is what the registry says (route, year, rank, years, merits), and
nobody is both a candidate and paid the self-employment grant.
"""

import io

import pytest
from django.utils import timezone

from bureau.demo.writers import CLERK_USERNAME
from bureau.models import Payment, Person, User
from reports.compose import compose_report
from resettlement import demo_placement, selection
from resettlement.eligibility import is_nco_rank, merits_in_service, placement_refusals
from resettlement.models import PlacementBatch, PlacementCandidate, PlacementPosition, PlacementSelection
from resettlement.programmes import SELF_EMPLOYMENT_GRANT
from resettlement.report_placement import placement_item

pytestmark = pytest.mark.django_db

YEAR = 2021  # the shared demo district's year (seed_demo's default)
MODELS = [PlacementBatch, PlacementPosition, PlacementCandidate, PlacementSelection]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(demo_district):
    """
    seed_demo (which runs the placement demo; the shared district, year 2021), then the placement demo
    again (as a second seed_demo would), in the test's own transaction: it rolls back to the district.
    """
    again = io.StringIO()
    demo_placement.seed(year=YEAR, scale="small", stdout=again)
    demo_placement.seed_this_year(today=timezone.localdate(), scale="small", stdout=again)
    return [demo_district.output, again.getvalue()]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_year_batch_is_held_and_everyone_is_placed(demo):
    batch = PlacementBatch.objects.get(year=YEAR)
    figures = {f.key: f.value for f in placement_item(year=YEAR).figures}

    assert batch.state == PlacementBatch.State.CLOSED
    assert batch.started_by.username == CLERK_USERNAME
    assert [figures[key] for key in ("eligible_ncos", "departments", "institutions", "positions", "candidates")] == [
        10,
        9,
        15,
        15,
        10,
    ]
    assert figures["placed_share"] == "100%"
    assert figures["department_names"] == ["区委政法委", "区政协办", "区政府办", "区自然资源局"]
    selections = PlacementSelection.objects.filter(candidate__batch=batch)
    assert all(s.signed and s.reported_unit == s.position.institution and s.reported_on for s in selections)
    assert "安排工作公开选岗演示数据已就绪" in demo[0]
    assert "未改动" in demo[1]


def test_candidates_chose_in_rank_order(demo):
    batch = PlacementBatch.objects.get(year=YEAR)
    ranked = list(batch.candidates.select_related("selection").order_by("rank"))

    assert [c.rank for c in ranked] == list(range(1, 11))
    assert [c.selection.chosen_at for c in ranked] == sorted(c.selection.chosen_at for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_a_second_run_adds_nothing(demo):
    first = counts()
    demo_placement.seed(year=YEAR, scale="small", stdout=io.StringIO())
    demo_placement.seed_this_year(today=timezone.localdate(), scale="small", stdout=io.StringIO())

    assert counts() == first
    assert first == {"PlacementBatch": 2, "PlacementPosition": 21, "PlacementCandidate": 18, "PlacementSelection": 10}


def test_the_demo_year_report_says_every_nco_was_placed(demo, settings):
    settings.REPORT_SECTIONS = ["tests.resettlement.test_report_placement.placement_section"]

    [section] = compose_report(year=YEAR, with_previous=False).sections
    [item] = section.items
    assert item.text == (
        "一是安置工作三方满意。今年我区共有10名退役士官符合政府安排工作条件，共提供了区委政法委、区政协办、区政府办、区自然资源局等"
        "9个部门15个全额拨款事业单位的15个优质岗位以供选择，10名转业士官按照量化标准得分从高到低依次公开选岗，"
        "并当场签字确认，每位转业士官都选到了心仪的岗位。"
    )


def test_this_years_batch_waits_for_a_newcomer_to_hold_it(demo):
    today = timezone.localdate()
    batch = PlacementBatch.objects.get(year=today.year)
    posts = batch.positions.all()

    assert batch.state == PlacementBatch.State.PREPARING
    assert batch.candidates.count() == 8  # one a township
    assert (len({p.institution for p in posts}), sum(p.posts for p in posts)) == (6, 12)
    assert all(c.person.discharged_on.year == today.year for c in batch.candidates.select_related("person"))
    # The demo clerk may hold it.
    clerk = User.objects.get(username=CLERK_USERNAME)
    started = selection.start_session(batch=batch, by=clerk)
    assert selection.session_state(started).current.rank == 1


def test_every_candidate_is_what_the_registry_says_and_none_is_paid_the_grant(demo):
    candidates = list(PlacementCandidate.objects.select_related("person", "batch"))
    grant = Payment.objects.of_programme(SELF_EMPLOYMENT_GRANT)

    assert len(candidates) == 18
    for candidate in candidates:
        person = candidate.person
        assert person.discharge_route == Person.DischargeRoute.ARRANGED_JOB, person
        assert person.discharged_on.year == candidate.batch.year, person
        assert is_nco_rank(person.rank), person
        assert candidate.service_years >= 12 and candidate.differs_from_registry() == {}, person
        assert placement_refusals(candidate) == {}, person  # the registry shows them eligible, on the ground claimed
    assert not grant.filter(person__in=[c.person for c in candidates]).exists()
    assert set(grant.values_list("person__discharge_route", flat=True)) == {Person.DischargeRoute.SELF_EMPLOYED}
    # The merits are the registry's: a candidate with merits in the registry has them in the score.
    with_merits = [c for c in candidates if merits_in_service(c.person)]
    assert with_merits
    assert all(
        c.first_class_merits + c.second_class_merits + c.third_class_merits + c.honours
        == len(merits_in_service(c.person))
        for c in with_merits
    )
