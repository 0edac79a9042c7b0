"""bureau.checks: the deployment checks that refuse an unsafe production start (the area checks: test_area_checks.py)."""

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.test import override_settings

REAL_KEY = "a-real-production-key-that-is-long-and-random-0123456789-abcdefghij"
POSTGRES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"}}
SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "portal.sqlite3"}}
# DATABASES is only read by the check here; connections keep the test database.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def bureau_check_ids() -> set[str]:
    # The bureau's checks are registered under these two tags (bureau/checks.py); running only them
    # keeps each case well under the time budget (every app's checks, the admin's included, took ~1 s).
    messages = run_checks(include_deployment_checks=True, tags=[Tags.security, "areas"])
    return {message.id for message in messages if message.id.startswith("bureau.")}


def test_production_with_the_development_key_is_an_error():
    with override_settings(DEBUG=False, SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY):
        assert "bureau.E001" in bureau_check_ids()


def test_production_with_a_real_key_is_no_error():
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY):
        assert "bureau.E001" not in bureau_check_ids()


def test_production_on_sqlite_is_warned_about():
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, DATABASES=SQLITE):
        assert "bureau.W001" in bureau_check_ids()
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, DATABASES=POSTGRES):
        assert "bureau.W001" not in bureau_check_ids()


def test_production_running_tasks_eagerly_is_warned_about():
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, CELERY_TASK_ALWAYS_EAGER=True):
        assert "bureau.W002" in bureau_check_ids()
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, CELERY_TASK_ALWAYS_EAGER=False):
        assert "bureau.W002" not in bureau_check_ids()


def test_production_on_postgresql_and_redis_with_a_real_key_passes():
    with override_settings(DEBUG=False, SECRET_KEY=REAL_KEY, DATABASES=POSTGRES, CELERY_TASK_ALWAYS_EAGER=False):
        assert bureau_check_ids() == set()


def test_development_is_not_blocked_by_the_development_key():
    with override_settings(
        DEBUG=True, SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY, DATABASES=SQLITE, CELERY_TASK_ALWAYS_EAGER=True
    ):
        assert bureau_check_ids() == set()


def test_the_production_checks_are_deployment_checks_only():
    with override_settings(DEBUG=False, SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY):
        ordinary = {message.id for message in run_checks() if message.id.startswith("bureau.")}
    assert ordinary == set()
