"""
The year of a record (`bureau.rules.closing.record_year_path`) and the system check bureau.E109:
every workflow record resolves to a year the closing rule can read, or declares `record_year = ""`;
a misspelt path fails `manage.py check` naming the model. The broken app is tests/broken_area, as in
tests/bureau/test_area_checks.py.
"""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from bureau.models import Payment, Person, Visit
from bureau.rules.closing import record_year_path, record_years, year_close, year_of
from commemoration.models import FacilityInspection, MemorialFacility, Nominee
from employment.models import EmploymentOutcome, FairAttendance, FairParticipation, JobFair, RoleModel
from pensions.models import ConscriptBenefit
from tests.bureau.test_area_checks import SPELT_RIGHT, LedgerAllowanceAdmin, bureau_errors, install  # noqa: F401, F811
from tests.employment.factories import EmploymentOutcomeFactory


def test_the_year_of_each_kind_of_record():
    assert {
        model: record_year_path(model)
        for model in (
            Person,
            MemorialFacility,
            Visit,
            EmploymentOutcome,
            JobFair,
            FairAttendance,
            FairParticipation,
            RoleModel,
            ConscriptBenefit,
            Nominee,
            FacilityInspection,
            Payment,
        )
    } == {
        Person: "",  # declared: the registry belongs to no year
        MemorialFacility: "",  # declared: a standing facility
        Visit: "visited_on",  # the first of event_dates
        EmploymentOutcome: "started_on",
        JobFair: "start_date",  # an activity
        FairAttendance: "fair__start_date",  # declared: the fair's year
        FairParticipation: "fair__start_date",  # a child row (scope_through): its parent's
        RoleModel: "year",  # a field named year
        ConscriptBenefit: "benefit_year",
        Nominee: "selection__year",
        FacilityInspection: "inspected_on",
        Payment: "period",
    }


def test_a_year_is_read_from_a_date_an_int_and_a_period():
    assert [year_of(value) for value in (datetime.date(2021, 3, 1), 2021, "2021-03", "2021", "", None)] == [
        2021,
        2021,
        2021,
        2021,
        None,
        None,
    ]


@pytest.mark.django_db
def test_the_years_of_a_record_are_its_new_and_its_stored_one_read_only_when_a_year_is_closed(
    bureau_user, django_assert_num_queries
):
    outcome = EmploymentOutcomeFactory(started_on=datetime.date(2022, 5, 1))
    outcome.started_on = datetime.date(2021, 5, 1)

    with django_assert_num_queries(1):  # the closed years: none, nothing more is read
        assert record_years(outcome) == set()
    year_close(year=2020, by=bureau_user)
    with django_assert_num_queries(2):  # the closed years, the stored year
        assert record_years(outcome) == {2021, 2022}


def test_the_real_project_declares_a_year_for_every_record():
    call_command("check")
    assert [error for error in bureau_errors() if error.id == "bureau.E109"] == []


def test_a_misspelt_record_year_fails_the_check_naming_the_model(install):  # noqa: F811
    with install(SPELT_RIGHT, LedgerAllowanceAdmin):
        model = apps.get_model("broken_area", "Allowance")
        try:
            model.record_year = "payment__periode"
            with pytest.raises(SystemCheckError) as raised:
                call_command("check")
            errors = bureau_errors()
            del model.record_year  # nothing declared, and no date: no year
            undeclared = bureau_errors()
        finally:
            model.record_year = "payment__period"

    assert "bureau.E109" in str(raised.value)
    assert [(error.id, error.obj, error.msg) for error in errors] == [
        (
            "bureau.E109",
            model,
            "broken_area.Allowance.record_year = 'payment__periode' does not resolve: "
            "“periode” is no field of bureau.Payment; a closed year could not lock its records.",
        )
    ]
    assert [(error.id, error.msg) for error in undeclared] == [
        (
            "bureau.E109",
            "broken_area.Allowance has no year: no record_year, activity start_date, event_dates or field 'year'; "
            "a closed year could not lock its records.",
        )
    ]
