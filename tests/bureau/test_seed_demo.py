import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from bureau import roles
from bureau.models import (
    BankAccount,
    FamilyLink,
    HeldPayment,
    Merit,
    Payment,
    PaymentBatch,
    PaymentProgramme,
    PendingChange,
    Person,
    PersonCategory,
    PreferentialCategory,
    ReviewStatus,
    SiteProfile,
    Township,
    TownshipRecord,
    User,
)
from bureau.models.rules import future_event_dates, models_declaring
from bureau.validators import parse_resident_id
from pensions.models import PayrollRun
from tests.demo_district import payment_rows

pytestmark = pytest.mark.django_db

STATION_USERNAMES = {
    "station_dongcheng",
    "station_xicheng",
    "station_baisha",
    "station_nanhu",
    "station_beishan",
    "station_qingshi",
    "station_yuntai",
    "station_liuhe",
}
# Veterans discharged in the current year up to today, per township: three approved, one the station registered.
DISCHARGED_THIS_YEAR_PER_TOWNSHIP = 3 + 1


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # seed_demo sets twelve passwords per run; the default hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


COUNTED = {
    model.__name__: model
    for model in [
        Township, User, Person, PersonCategory, FamilyLink, Merit, PaymentProgramme, PaymentBatch, Payment, BankAccount
    ]
}  # fmt: skip


def counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


def test_running_seed_demo_twice_gives_the_same_records(demo_district_twice):
    first = demo_district_twice.first
    assert counts() == {name: first.counts[model] for name, model in COUNTED.items()}
    assert payment_rows(Payment.objects.all()) == first.payments


def test_small_scale_is_a_small_district_of_about_eighty_people(demo_district):
    this_year = Person.objects.discharged_in(timezone.localdate().year).count()
    assert Township.objects.count() == 8
    assert this_year == 8 * DISCHARGED_THIS_YEAR_PER_TOWNSHIP
    assert 70 <= Person.objects.count() - this_year <= 90
    assert User.objects.count() == 7 + 8  # admin, two clerks, leader, auditor, two administrators; a station each
    assert SiteProfile.get().full_bureau_name == "示范区退役军人事务局"


def test_every_preferential_category_is_held_by_someone(demo_district):
    held = set(PersonCategory.objects.values_list("category", flat=True))
    assert held == set(PreferentialCategory.values)


def test_every_id_number_is_valid_and_matches_the_stored_birth_date_and_gender(demo_district):
    for person in Person.objects.all():
        resident = parse_resident_id(person.id_number)
        assert (person.birth_date, person.gender) == (resident.birth_date, resident.gender), person.id_number


def test_every_seeded_person_passes_the_model_validation(demo_district):
    for person in Person.objects.all():
        person.full_clean()


def test_service_records_are_consistent_with_the_status(demo_district):
    for person in Person.objects.filter(status=Person.Status.VETERAN):
        assert person.branch and person.discharge_route, person
        assert person.enlisted_on < person.discharged_on, person
        assert person.enlisted_on.year - person.birth_date.year >= 16, person
    for person in Person.objects.filter(status=Person.Status.ACTIVE_DUTY):
        assert person.enlisted_on and not person.discharged_on and not person.discharge_route, person
    for person in Person.objects.filter(status=Person.Status.FAMILY):
        assert not (person.enlisted_on or person.discharged_on or person.branch), person
    # Only the persons the stations have just registered await review.
    pending = Person.objects.exclude(review_status=ReviewStatus.APPROVED)
    assert set(pending.values_list("review_status", flat=True)) == {ReviewStatus.SUBMITTED}
    assert set(pending.values_list("discharged_on__year", flat=True)) == {timezone.localdate().year}


def test_family_members_are_linked_to_their_soldier(demo_district):
    for category in [PreferentialCategory.MARTYR_FAMILY, PreferentialCategory.MARTYR_CHILD]:
        family = Person.objects.filter(categories__category=category)
        assert family.exists()
        for person in family:
            (link,) = person.family_links.all()
            assert link.relative.status == Person.Status.DECEASED
    # A link reads "the relative is the person's <relation>": the martyr is the child's father or mother.
    child_links = FamilyLink.objects.filter(person__categories__category=PreferentialCategory.MARTYR_CHILD)
    assert set(child_links.values_list("relation", flat=True)) <= {
        FamilyLink.Relation.FATHER,
        FamilyLink.Relation.MOTHER,
    }
    parent_links = FamilyLink.objects.filter(person__categories__category=PreferentialCategory.CONSCRIPT_FAMILY)
    assert set(parent_links.values_list("relation", flat=True)) == {FamilyLink.Relation.CHILD}
    assert all(link.relative.status == Person.Status.ACTIVE_DUTY for link in parent_links)
    assert Merit.objects.filter(level=Merit.Level.THIRD_CLASS).exists()


def test_payments_of_the_demo_year_follow_the_records(demo_district):
    discharged = Person.objects.discharged_in(2021).filter(discharge_route=Person.DischargeRoute.SELF_EMPLOYED)
    grants = Payment.objects.in_year(2021).of_programme("self-employment-grant")
    assert discharged.count() == 10
    assert set(grants.values_list("person", flat=True)) == set(discharged.values_list("pk", flat=True))
    assert Payment.objects.of_programme("conscript-family-allowance").filter(period="2021").count() == 5
    # The one payment of another period before this year: a family's allowance of 2020, paid back in 2021 (补发).
    this_year = str(timezone.localdate().year)
    [back_pay] = Payment.objects.exclude(period__startswith="2021").exclude(period__startswith=this_year)
    assert (back_pay.programme.code, back_pay.period, back_pay.paid_on.year) == (
        "conscript-family-allowance",
        "2020",
        2021,
    )
    # The monthly pensions: a payroll run a month of 2021, and this year's months whose pay day has come.
    monthly = Payment.objects.of_programme("periodic-pension")
    today = timezone.localdate()
    this_year_months = {
        f"{today.year}-{month:02d}" for month in range(1, 13) if datetime.date(today.year, month, 10) <= today
    }
    assert (
        set(monthly.values_list("period", flat=True))
        == {f"2021-{month:02d}" for month in range(1, 13)} | this_year_months
    )
    runs = PayrollRun.objects.all()
    assert set(runs.values_list("status", flat=True)) == {PayrollRun.Status.PAID}
    assert runs.count() == 12 + len(this_year_months)
    assert all(run.generated_by.username == "clerk" and run.approved_by.username == "clerk2" for run in runs)
    assert sum(run.persons for run in runs) == monthly.count()


def test_every_demo_payment_goes_to_the_account_in_use_of_its_person(demo_district):
    payments = Payment.objects.all()
    assert payments.exists() and not payments.filter(bank_account__isnull=True).exists()
    assert not payments.exclude(bank_account__person=models.F("person")).exists()
    assert not HeldPayment.objects.exists()
    accounts = BankAccount.objects.filter(active=True)
    assert set(accounts.values_list("person", flat=True)) >= set(payments.values_list("person", flat=True))
    banks = set(accounts.values_list("bank", flat=True))
    assert banks <= {"示范区农村商业银行", "示范区城市商业银行", "示范区邮政储蓄代理行"} and len(banks) == 3
    for account in accounts:
        account.full_clean()  # a valid number: 10 to 30 digits


def test_veterans_discharged_this_year_up_to_today_are_in_the_registry(demo_district):
    today = timezone.localdate()
    discharged = Person.objects.discharged_in(today.year)

    assert discharged.approved().count() == 8 * 3
    for township in Township.objects.all():
        assert discharged.approved().filter(township=township).count() == 3, township
    for person in discharged:
        assert datetime.date(today.year, 1, 1) <= person.discharged_on <= today, person
        assert person.status == Person.Status.VETERAN
        assert person.enlisted_on < person.discharged_on
        person.full_clean()
    # A township's approved three: two conscripts to self-employment, an NCO of 12 years and more to an arranged job.
    routes = discharged.approved().values_list("discharge_route", "rank")
    assert sorted(set(routes)) == [
        (Person.DischargeRoute.ARRANGED_JOB, "四级军士长"),
        (Person.DischargeRoute.SELF_EMPLOYED, "上等兵"),
    ]
    assert discharged.approved().filter(discharge_route=Person.DischargeRoute.ARRANGED_JOB).count() == 8
    for nco in discharged.filter(discharge_route=Person.DischargeRoute.ARRANGED_JOB):
        assert nco.discharged_on.year - nco.enlisted_on.year == 13  # the autumn intake 13 years ago: 12 whole years
    assert set(discharged.exclude(review_status="approved").values_list("discharge_route", flat=True)) == {
        Person.DischargeRoute.SELF_EMPLOYED
    }
    # None of them comes into the demo year.
    assert not Person.objects.discharged_in(2021).filter(pk__in=discharged).exists()


def test_each_station_has_registered_one_veteran_awaiting_review(demo_district):
    pending = Person.objects.awaiting_review().select_related("submitted_by", "township")

    assert pending.count() == 8
    assert {person.township.code for person in pending} == {code.removeprefix("station_") for code in STATION_USERNAMES}
    for person in pending:
        assert person.submitted_by.username == f"station_{person.township.code}"
        assert person.submitted_at is not None and person.reviewed_by is None
        assert person.discharged_on.year == timezone.localdate().year


@pytest.mark.slow  # seeds the demo district a second time, after the clerk's approval (~4 s)
def test_a_second_run_leaves_the_review_of_registered_persons_as_the_clerk_left_it(demo_district):
    clerk = User.objects.get(username="clerk")
    first = counts()
    approved = Person.objects.awaiting_review().order_by("id_number").first()
    approved.approve(by=clerk)
    approved.save()

    seed()

    assert counts() == first
    approved.refresh_from_db()
    assert approved.review_status == ReviewStatus.APPROVED and approved.reviewed_by == clerk
    assert Person.objects.awaiting_review().count() == 7


@pytest.mark.slow  # seeds the demo district a second time (~4 s)
def test_each_station_has_proposed_a_phone_fix_that_waits_while_the_old_phone_stays_in_force(demo_district):
    changes = PendingChange.objects.select_related("township", "proposed_by")

    assert changes.count() == 8
    assert {change.proposed_by.username for change in changes} == STATION_USERNAMES
    for change in changes:
        person = Person.objects.get(pk=change.object_id)
        assert change.status == PendingChange.Status.PENDING
        assert change.township == person.township
        assert person.review_status == ReviewStatus.APPROVED
        assert list(change.changes) == ["phone"]
        assert change.changes["phone"]["old"] == person.phone != change.changes["phone"]["new"]

    seed()

    assert PendingChange.objects.count() == 8


@pytest.mark.slow  # seeds its own demo district on another date (~5 s)
def test_early_in_january_this_years_veterans_are_discharged_on_the_days_gone_by(monkeypatch):
    first_of_january = datetime.date(timezone.localdate().year, 1, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: first_of_january)

    seed()

    discharged = Person.objects.discharged_in(first_of_january.year)
    assert discharged.count() == 8 * DISCHARGED_THIS_YEAR_PER_TOWNSHIP
    assert set(discharged.values_list("discharged_on", flat=True)) == {first_of_january}


@pytest.mark.slow  # seeds its own demo district with another password (~5 s)
def test_accounts_have_their_role_and_township_and_the_given_password():
    seed("--password", "another-demo-pw")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username, role in [
        ("clerk", roles.BUREAU_STAFF),
        ("clerk2", roles.BUREAU_STAFF),
        ("leader", roles.LEADERSHIP),
        ("auditor", roles.AUDITOR),
    ]:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser and user.township is None
        assert list(user.groups.values_list("name", flat=True)) == [role]
    stations = User.objects.filter(username__startswith="station_")
    assert set(stations.values_list("username", flat=True)) == STATION_USERNAMES
    station_group = Group.objects.get(name=roles.STATION_STAFF)
    for user in stations:
        assert user.township is not None and not user.is_staff
        assert user.username == f"station_{user.township.code}"
        assert list(user.groups.all()) == [station_group]
        assert user.check_password("another-demo-pw")


def test_the_output_lists_the_demo_logins_and_where_to_use_them(demo_district):
    output = demo_district.output
    for username in ["admin", "clerk", "clerk2", "leader", "auditor", *STATION_USERNAMES]:
        assert username in output
    assert "demo-password-2021" in output
    for url in ["/admin/", "/station/", "/api/docs/"]:
        assert url in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "city"], "--scale"),
        (["--year", "1999"], "--year"),
        (["--year", "2999"], "--year"),
        (["--password", " "], "--password"),
    ],
)
def test_bad_arguments_are_refused_without_writing(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
    assert not Person.objects.exists()
    assert not User.objects.exists()


@pytest.mark.slow  # seeds the whole demo district (~15 s): the data check reads every area's records
def test_the_demo_district_has_no_data_quality_finding(demo_district):
    from bureau.rules.datacheck import data_check_run

    findings = {
        result.check.key: [f.subject for f in result.findings[:3]] for result in data_check_run() if result.count
    }
    assert findings == {}


@pytest.mark.slow  # seeds the whole demo district (~15 s)
def test_every_station_submission_has_its_township_and_no_event_is_in_the_future(demo_district):
    today = timezone.localdate()
    workflow = [model for model in apps.get_models() if issubclass(model, TownshipRecord)]
    assert {model.__name__ for model in workflow if model.objects.without_township().exists()} == set()
    submitted = {
        model.__name__: set(model.objects.awaiting_review().values_list("township__code", flat=True))
        for model in workflow
        if model.township_from
    }
    stations = {code.removeprefix("station_") for code in STATION_USERNAMES}
    for name in ("InsuranceContinuation", "HomecomingRegistration", "Nominee", "FacilityInspection"):
        assert submitted[name] and submitted[name] <= stations, name
    future = {
        model.__name__
        for model in models_declaring("event_dates")
        if model._default_manager.filter(future_event_dates(model, today=today)).exists()
    }
    assert future == set()
