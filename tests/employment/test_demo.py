"""seed_demo adds the employment records of the demo year, repeatably, and they fill section (一)."""

import io

import pytest
from django.core.management import call_command

from bureau.validators import validate_credit_code
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


def counts() -> dict[str, int]:
    from bureau.models import Enterprise

    return {model.__name__: model.objects.count() for model in [Enterprise, *MODELS]}


def test_running_seed_demo_twice_gives_the_same_employment_records():
    output = seed()
    first = counts()
    attendees = sorted(FairAttendance.objects.values_list("fair__title", "person__id_number"))
    seed()

    assert counts() == first
    assert sorted(FairAttendance.objects.values_list("fair__title", "person__id_number")) == attendees
    assert all(first[model.__name__] > 0 for model in MODELS)
    assert "就业创业演示数据已就绪" in output


def test_the_demo_year_report_has_all_four_employment_items():
    seed()
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


def test_demo_records_are_approved_and_valid():
    from bureau.models import Enterprise, ReviewStatus

    seed()
    for enterprise in Enterprise.objects.all():
        validate_credit_code(enterprise.credit_code)
        enterprise.full_clean()
    for trainee in Trainee.objects.select_related("person", "training_class"):
        trainee.full_clean()
    for model in [StartupPark, JobFair, FairAttendance, TrainingClass, JobPosting, RoleModel, PublicityEvent]:
        assert not model.objects.exclude(review_status=ReviewStatus.APPROVED).exists(), model
