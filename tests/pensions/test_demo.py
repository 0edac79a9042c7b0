"""
seed_demo adds the records of section (三) for the demo year, repeatably, and the section states a figure
wherever the reference report has one; this year's records are routine visits and the stations' submissions.
"""

import pytest
from django.utils import timezone

from bureau.models import CheckUp, CheckUpBatch, Payment, PaymentProposal, ReviewStatus, Township, Visit
from pensions import programmes
from pensions.models import (
    ConscriptBenefit,
    HardshipAid,
    OralHistoryExhibition,
    OralHistoryInterview,
    Problem,
    VisitRound,
)
from pensions.report import section
from pensions.todo import visits_due

pytestmark = pytest.mark.django_db

MODELS = [
    Visit,
    Problem,
    CheckUpBatch,
    CheckUp,
    OralHistoryInterview,
    OralHistoryExhibition,
    HardshipAid,
    ConscriptBenefit,
    Payment,
    PaymentProposal,
    VisitRound,
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_running_seed_demo_twice_gives_the_same_pensions_records(demo_district_twice):
    first = {model.__name__: demo_district_twice.first.counts[model] for model in MODELS}
    visits = demo_district_twice.first.visits

    assert counts() == first
    assert sorted(Visit.objects.values_list("person__id_number", "occasion", "visited_on", "amount")) == visits
    assert all(first[model.__name__] > 0 for model in MODELS)
    assert "优待抚恤演示记录已就绪" in demo_district_twice.output


def test_the_demo_year_section_has_every_figure_the_reference_states(demo_district):
    pensions = section(year=2021)

    assert [item.key for item in pensions.items if item.has_data] == [
        "pensions.funds",
        "pensions.oral_history",
        "pensions.spring_visits",
        "pensions.checkups",
    ]
    figures = {figure.key: figure.value for item in pensions.items for figure in item.figures}
    zero = [key for key, value in figures.items() if key != "back_pay" and not value]
    assert zero == []
    assert figures["back_pay"] and figures["back_pay"][0].endswith("年新疆")
    assert figures["exhibitions"] == 2
    assert figures["interviews"] == figures["korean_war_veterans"]
    # In the reference year every problem collected on the Spring Festival visits was resolved.
    assert figures["problems_resolved"] == figures["problems"]
    assert figures["on_site"] + figures["at_home"] + figures["transported"] == figures["checked"]


def test_the_money_of_the_records_is_in_the_ledger(demo_district):
    for code, model, filters in [
        (programmes.WARMTH_AID, Visit, {"occasion": "spring_festival"}),
        (programmes.CONSCRIPT_VISIT, Visit, {"occasion": "conscript"}),
        (programmes.HARDSHIP_AID, HardshipAid, {}),
    ]:
        amount_field = "amount_granted" if model is HardshipAid else "amount"
        records = model.objects.filter(**filters, review_status=ReviewStatus.APPROVED)
        paid = sum(Payment.objects.of_programme(code).values_list("amount", flat=True))
        assert paid == sum(records.values_list(amount_field, flat=True)), code
    benefits = ConscriptBenefit.objects.all()
    paid = sum(Payment.objects.of_programme(programmes.CONSCRIPT_FAMILY).values_list("amount", flat=True))
    assert paid == sum(benefit.total for benefit in benefits)


def test_demo_records_are_valid(demo_district):
    for model in [Visit, Problem, CheckUp, OralHistoryInterview, HardshipAid, ConscriptBenefit]:
        for record in model.objects.filter(review_status=ReviewStatus.APPROVED):
            record.full_clean(validate_constraints=False)


def test_each_station_has_a_problem_and_an_application_awaiting_review(demo_district_twice):
    for model in [Problem, HardshipAid]:
        pending = model.objects.awaiting_review().select_related("submitted_by", "township")
        assert pending.count() == 8, model
        assert {record.submitted_by.username for record in pending} == {f"station_{r.township.code}" for r in pending}


def test_this_year_s_spring_festival_gift_awaits_the_second_clerk(demo_district):
    proposal = PaymentProposal.objects.get()
    assert (proposal.status, proposal.prepared_by.username, proposal.persons, proposal.programme.code) == (
        PaymentProposal.Status.PENDING,
        "clerk",
        3,
        programmes.SPRING_FESTIVAL,
    )
    assert not Payment.objects.filter(programme=proposal.programme, period=proposal.period).exists()


def test_a_visiting_round_is_open_today_and_the_stations_have_visits_due(demo_district):
    today = timezone.localdate()
    open_rounds = [r for r in VisitRound.objects.all() if r.is_open(today)]
    due = [
        row
        for township in Township.objects.all()
        for row in visits_due(township=township, year=today.year, today=today).rows
        if not row.done
    ]

    assert len(open_rounds) == 1
    assert VisitRound.objects.filter(title="2021年元旦春节走访慰问").exists()
    assert due and all(row.label.endswith(f"（{open_rounds[0].title}）") for row in due)
