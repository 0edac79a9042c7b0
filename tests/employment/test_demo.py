"""
seed_demo adds the employment records of the demo year, repeatably, and they fill section (一);
and those of the current year up to today, so that stations have fairs to pick and the clerk
has their submissions to review.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from bureau.models import Enterprise, ReviewStatus, User
from bureau.validators import validate_credit_code
from employment.forms import FairAttendanceForm
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
)
from employment.report import section

pytestmark = pytest.mark.django_db

MODELS = [
    StartupPark,
    ParkTenancy,
    JobFair,
    FairParticipation,
    FairAttendance,
    EmploymentIntention,
    EmploymentOutcome,
    TrainingClass,
    Trainee,
    JobPosting,
    RoleModel,
    PublicityEvent,
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--year", "2021", stdout=out)
    return out.getvalue()


COUNTED = {model.__name__: model for model in [Enterprise, *MODELS]}


def counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


def test_running_seed_demo_twice_gives_the_same_employment_records(demo_district_twice):
    first = {name: demo_district_twice.first.counts[model] for name, model in COUNTED.items()}
    attendees = demo_district_twice.first.attendees

    assert counts() == first
    assert sorted(FairAttendance.objects.values_list("fair__title", "person__id_number")) == attendees
    assert all(first[model.__name__] > 0 for model in MODELS)
    assert "就业创业演示数据已就绪" in demo_district_twice.output


def test_the_demo_year_report_has_all_four_employment_items(demo_district):
    employment = section(year=2021)

    assert [item.key for item in employment.items if item.has_data] == [
        "employment.startup_park",
        "employment.job_fairs",
        "employment.training",
        "employment.publicity",
    ]
    figures = {figure.key: figure.value for item in employment.items for figure in item.figures}
    assert figures["planned_enterprises"] == 8
    assert figures["enrolled_enterprises"] == 4
    assert figures["sectors"] == ["变性淀粉", "环保农业科技", "电子元件", "汽车配件"]
    assert figures["fair_dates"] == "2月28日和9月16日"
    assert figures["enterprises"] == 45
    assert figures["days"] == 3


def test_demo_records_are_approved_and_valid(demo_district):
    for enterprise in Enterprise.objects.all():
        validate_credit_code(enterprise.credit_code)
        enterprise.full_clean()
    for trainee in Trainee.objects.select_related("person", "training_class"):
        trainee.full_clean()
    for model in [StartupPark, JobFair, TrainingClass, JobPosting, RoleModel, PublicityEvent]:
        assert not model.objects.exclude(review_status=ReviewStatus.APPROVED).exists(), model
    # What awaits review is the stations' submissions of the current year (below); the demo year is all approved.
    for model, year_lookup in [(FairAttendance, "fair__start_date__year"), (EmploymentOutcome, "started_on__year")]:
        of_the_demo_year = model.objects.filter(**{year_lookup: 2021})
        assert of_the_demo_year.exists()
        assert not of_the_demo_year.exclude(review_status=ReviewStatus.APPROVED).exists(), model


# -- the current year, up to today ----------------------------------------------------------------


def this_years_fairs():
    return JobFair.objects.filter(start_date__year=timezone.localdate().year)


def test_this_years_two_district_wide_fairs_are_held_by_today_and_approved(demo_district):
    today = timezone.localdate()
    fairs = this_years_fairs()

    assert fairs.count() == 2
    for fair in fairs:
        assert datetime.date(today.year, 1, 1) <= fair.start_date <= today, fair
        assert fair.township is None and fair.review_status == ReviewStatus.APPROVED
        assert fair.participations.count() == 24
        assert fair.attendances.approved().exists()


def test_every_station_can_report_attendance_at_this_years_fairs(demo_district):
    fairs = set(this_years_fairs())

    for station in User.objects.filter(username__startswith="station_"):
        offered = set(FairAttendanceForm(user=station).fields["fair"].queryset)
        assert fairs <= offered, station


def test_each_station_has_an_attendance_and_an_outcome_awaiting_review(demo_district):
    today = timezone.localdate()
    latest_fair = this_years_fairs().order_by("-start_date").first()

    for model in [FairAttendance, EmploymentOutcome]:
        pending = model.objects.awaiting_review().select_related("person", "submitted_by", "township")
        assert pending.count() == 8, model
        assert len({record.township for record in pending}) == 8, model
        for record in pending:
            assert record.submitted_by.username == f"station_{record.township.code}"
            assert record.person.township == record.township
            assert record.person.discharged_on.year == today.year
    assert set(FairAttendance.objects.awaiting_review().values_list("fair", flat=True)) == {latest_fair.pk}
    for outcome in EmploymentOutcome.objects.awaiting_review():
        assert datetime.date(today.year, 1, 1) <= outcome.started_on <= today
        outcome.full_clean()


def test_this_years_jobs_found_at_a_fair_have_started_by_today(demo_district):
    today = timezone.localdate()
    outcomes = EmploymentOutcome.objects.filter(started_on__year=today.year, channel=EmploymentOutcome.Channel.JOB_FAIR)

    assert not outcomes.exclude(review_status=ReviewStatus.APPROVED).exists()
    assert not outcomes.filter(started_on__gt=today).exists()
    for intention in EmploymentIntention.objects.filter(fair__in=this_years_fairs()):
        assert intention.agreed_on == intention.fair.start_date


@pytest.mark.slow  # seeds the demo district a second time, after the clerk's approval (~4 s)
def test_a_second_run_neither_approves_nor_repeats_the_stations_submissions(demo_district):
    first = counts()
    clerk = User.objects.get(username="clerk")
    approved = FairAttendance.objects.awaiting_review().order_by("pk").first()
    approved.approve(by=clerk)
    approved.save()

    seed()

    assert counts() == first
    assert FairAttendance.objects.awaiting_review().count() == 7
    assert EmploymentOutcome.objects.awaiting_review().count() == 8
    approved.refresh_from_db()
    assert approved.review_status == ReviewStatus.APPROVED


@pytest.mark.slow  # seeds its own demo district on another date, per case (~9 s)
@pytest.mark.parametrize("day", [1, 2])
def test_early_in_january_this_years_records_are_dated_within_the_days_gone_by(monkeypatch, day):
    today = datetime.date(timezone.localdate().year, 1, day)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)

    seed()
    seed()

    fairs = JobFair.objects.filter(start_date__year=today.year)
    assert fairs.count() == 2
    assert not fairs.filter(start_date__gt=today).exists()
    this_year = EmploymentOutcome.objects.filter(started_on__year=today.year)
    assert not this_year.filter(started_on__gt=today).exists()
    # Nobody found work through a fair held a day or two ago; the stations' referrals are there.
    assert set(this_year.values_list("channel", "review_status")) == {
        (EmploymentOutcome.Channel.REFERRAL, ReviewStatus.SUBMITTED)
    }
    station = User.objects.get(username="station_dongcheng")
    assert set(fairs) <= set(FairAttendanceForm(user=station).fields["fair"].queryset)
