"""
bureau.checks.check_area_declarations: `manage.py check` fails on an area app that breaks a
promise of its declaration (a misspelt dotted path, a paying model administered outside the
ledger, …), names the app and the declaration, and passes on the real project.

Every area model has a factory in the suite's registry (the factories `tests/**/factories.py`
declare, found by `tests.test_query_counts.discover_factories`): a test here, not a system check,
since the running project does not import its test suite.

The broken app is tests/broken_area, installed here only (override_settings re-populates the app
registry with it; its admin is registered by the test and every admin of the app is removed after).
"""

from contextlib import contextmanager
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from simple_history.models import HistoricalChanges

from bureau.admin import LedgerRecordAdmin, RecordAdmin
from bureau.areas import DEFAULT_PATHS, AreaConfig, MenuEntry, PersonFilePart, area_configs
from tests.test_query_counts import discover_factories

MISSPELT = "tests.broken_area.apps.MisspeltSectionConfig"
SPELT_RIGHT = "tests.broken_area.apps.SpeltRightConfig"


class PlainAllowanceAdmin(RecordAdmin):
    """A workflow admin, but not the ledger's: a payment the ledger refuses would fail the page."""


class LedgerAllowanceAdmin(LedgerRecordAdmin):
    pass


def bureau_errors() -> list[Error]:
    return [message for message in run_checks() if message.id.startswith("bureau.E")]


@pytest.fixture
def install():
    """`install(config, admin_class)`: the broken app installed (and its model administered) inside the with-block."""

    @contextmanager
    def installed(config: str, admin_class=None):
        try:
            with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, config]):
                if admin_class is not None:
                    admin.site.register(apps.get_model("broken_area", "Allowance"), admin_class)
                yield apps.get_app_config("broken_area")
        finally:
            # The history admin registered by BureauConfig.ready and the test's own: gone with the app.
            for model in [model for model in admin.site._registry if model._meta.app_label == "broken_area"]:
                admin.site.unregister(model)

    return installed


def test_the_real_project_passes():
    call_command("check")
    assert bureau_errors() == []


def test_a_misspelt_report_section_fails_the_check_naming_the_app_and_the_declaration(install):
    with install(MISSPELT, LedgerAllowanceAdmin):
        with pytest.raises(SystemCheckError) as raised:
            call_command("check")
        errors = bureau_errors()

    message = str(raised.value)
    assert "bureau.E101" in message
    assert [error.id for error in errors] == ["bureau.E101"]
    assert errors[0].msg == (
        "Area app 'broken_area' (tests.broken_area.apps.MisspeltSectionConfig) declares report_section = "
        "'tests.broken_area.report.sectoin', which does not import: "
        'Module "tests.broken_area.report" does not define a "sectoin" attribute/class'
    )


def test_the_same_app_spelt_right_passes(install):
    with install(SPELT_RIGHT, LedgerAllowanceAdmin):
        call_command("check")
        assert bureau_errors() == []


def test_a_paying_model_whose_admin_is_not_the_ledgers_fails_the_check(install):
    with install(SPELT_RIGHT, PlainAllowanceAdmin):
        with pytest.raises(SystemCheckError) as raised:
            call_command("check")
        errors = bureau_errors()

    assert "bureau.E106" in str(raised.value)
    assert [error.id for error in errors] == ["bureau.E106"]
    assert errors[0].msg.startswith(
        "broken_area.Allowance pays through the ledger (ledger_payment), but its admin "
        "tests.bureau.test_area_checks.PlainAllowanceAdmin of the app 'broken_area' is not a LedgerRecordAdmin"
    )


def test_every_path_of_every_declaration_is_checked(install):
    with install(SPELT_RIGHT, LedgerAllowanceAdmin) as config:
        config.api = "tests.broken_area.apy"
        config.data_checks = ("tests.broken_area.checks.NOTHING",)
        config.person_guards = ("tests.broken_area.report.guard",)
        config.todo = ("tests.broken_area.todo.nothing_to_do",)
        config.person_file = PersonFilePart("测试", "broken_area/person_file.html", "tests.broken_area.report.contxt")
        config.station_urls = "tests.kit_area.urls"  # a real URL module, without the menu's page
        config.station_menu = (MenuEntry("津贴", "allowance_list"), MenuEntry("测试补助", "grant_list"))
        config.station_models = frozenset({"allowance", "allowence"})
        config.station_read_models = frozenset({"person"})  # a core model: stations read the registry
        config.role_grants = {"approve_allowance": frozenset({"局机关工作人员"}), "view_allowance": frozenset({"老板"})}
        config.activity_dates = (
            "broken_area.Allowance.amount",
            "broken_area.Allowence.paid_on",
            "broken_area.Allowance.paid_on",
            "broken_area.paid_on",
            "bureau.Person.discharged_on",  # a date field of a core model: fine
        )
        errors = bureau_errors()

    found = {(error.id, error.msg.split(" = ")[0].split(" naming ")[0].split(" granting ")[0]) for error in errors}
    where = "Area app 'broken_area' (tests.broken_area.apps.SpeltRightConfig) declares"
    assert found == {
        ("bureau.E101", f"{where} api"),
        ("bureau.E101", f"{where} data_checks[0]"),
        ("bureau.E101", f"{where} person_guards[0]"),
        ("bureau.E101", f"{where} todo[0]"),
        ("bureau.E101", f"{where} person_file"),
        ("bureau.E102", f"{where} station_models"),
        ("bureau.E103", f"{where} role_grants"),
        (
            "bureau.E107",
            f"{where} station_menu with an entry for 'allowance_list', which is no page of its station URLs"
            " (tests.kit_area.urls).",
        ),
        *{("bureau.E108", f"{where} activity_dates[{index}]") for index in range(4)},
    }
    assert len([error for error in errors if error.id == "bureau.E103"]) == 2  # the codename, and the role
    assert sorted(error.msg.split(" activity_dates")[1] for error in errors if error.id == "bureau.E108") == [
        "[0] = 'broken_area.Allowance.amount', whose field is a DecimalField, not a DateField.",
        "[1] = 'broken_area.Allowence.paid_on', which names no installed model.",
        "[2] = 'broken_area.Allowance.paid_on', which names no field of that model.",
        "[3] = 'broken_area.paid_on', which is not of the form app_label.Model.field.",
    ]
    assert any("'allowence', which is no model of 'broken_area'" in error.msg for error in errors)


def test_defaults_are_taken_from_the_modules_an_app_has():
    employment = apps.get_app_config("employment")
    kit_area = apps.get_app_config("kit_area")

    assert (employment.report_section, employment.api, employment.demo, employment.station_urls) == (
        "employment.report.section",
        "employment.api",
        "employment.demo.seed",
        "employment.urls",
    )
    assert employment.person_file.context == "employment.person_file.context"
    assert employment.defaulted_paths == {*DEFAULT_PATHS, "person_file", "help"}  # help.md: the 操作说明
    # The kit's test area has no report.py and no demo.py: those are not declared, and not an error.
    assert (kit_area.report_section, kit_area.demo, kit_area.api) == ("", "", "tests.kit_area.api")
    assert "kit_area" not in {config.label for config in area_configs() if config.report_section_function()}


def test_a_declared_path_wins_over_the_default_and_blank_declares_none():
    class Declared(AreaConfig):
        name = "tests.broken_area"
        label = "broken_area"
        api = ""
        station_urls = "tests.broken_area.report"

    config = Declared("tests.broken_area", import_module("tests.broken_area"))

    # tests/broken_area/report.py exists: report_section takes its default; api and station_urls are declared.
    assert (config.report_section, config.api, config.station_urls) == (
        "tests.broken_area.report.section",
        "",
        "tests.broken_area.report",
    )
    assert config.defaulted_paths == {"report_section"}


def models_without_factory() -> list[str]:
    """Every record type of every installed area app (history tables are written by saving) without a factory."""
    factories = discover_factories()
    return [
        model._meta.label
        for config in area_configs()
        for model in config.get_models()
        if not issubclass(model, HistoricalChanges)
        and model not in factories
        and model._meta.concrete_model not in factories
    ]


def test_every_record_type_of_every_area_has_a_factory(install):
    assert models_without_factory() == [], "add a factory to tests/<app>/factories.py"
    with install(SPELT_RIGHT):
        assert models_without_factory() == ["broken_area.Allowance"]
