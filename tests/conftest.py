"""
Fixed users for each role and two townships, so every permission test reads the same way:
the clerk of township A cannot see township B's record.
"""

import datetime
import os

import pytest
from django.conf import settings
from django.test import override_settings

from bureau import roles
from tests.factories import PersonFactory, TownshipFactory, UserFactory, make_id_number

# Real Celery worker processes and Redis for the tests that kill them (tests/worker_process.py);
# one seeded demo district shared by the tests that only read it (tests/demo_district.py); the SQLite
# database migrated once for all xdist workers (tests/sqlite_template.py).
pytest_plugins = ["tests.worker_process", "tests.demo_district", "tests.budget", "tests.sqlite_template", "pytester"]

PASSWORD = "test-password-123"

# "gw0", "gw1" … under pytest-xdist (`make test`), "main" in a plain `pytest` run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", autouse=True)
def fast_and_isolated_settings(tmp_path_factory):
    """Test-only settings for the whole session, in every xdist worker process."""
    caches = {alias: {**config, "KEY_PREFIX": f"test-{XDIST_WORKER}"} for alias, config in settings.CACHES.items()}
    with override_settings(
        # Django's PBKDF2 costs ~0.4 s of CPU per set_password, and every fixed user pays it.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Files a test saves without its own tmp_path land in this process's directory,
        # never in the checkout's media/ nor in a directory another worker is using.
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # Uploaded imports and finished exports (bureau.models.jobs.PrivateStorage) likewise.
        PRIVATE_ROOT=tmp_path_factory.mktemp("private"),
        # Workers share one Redis in CI; the same fixed usernames must not share cache keys.
        CACHES=caches,
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def eager_celery():
    """
    Tasks run in-process, as on the embedded default, also where REDIS_URL is set (CI): a queued
    task would wait for a worker that is not there. The real-worker tests switch it off for themselves.
    """
    from bureau.celery import app as celery_app

    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def township_a(db):
    return TownshipFactory(code="A01", name="甲镇", order=1)


@pytest.fixture
def township_b(db):
    return TownshipFactory(code="B01", name="乙镇", order=2)


# The district-wide personas, by fixture name: one user per role, with the same username in every
# test. A module that builds its users once for many tests (tests/bureau/test_sensitive_lookups.py)
# makes them with `make_persona`, so a persona is declared here only.
PERSONAS = {
    "bureau_user": {"username": "clerk", "first_name": "局机关", "is_staff": True, "groups": [roles.BUREAU_STAFF]},
    "leader": {"username": "leader", "first_name": "局领导", "is_staff": True, "groups": [roles.LEADERSHIP]},
    "auditor": {"username": "auditor", "first_name": "审计员", "is_staff": True, "groups": [roles.AUDITOR]},
    "sysadmin": {"username": "sysadmin", "first_name": "系统管理员", "is_staff": True, "groups": [roles.SYSTEM_ADMIN]},
    "secadmin": {
        "username": "secadmin",
        "first_name": "安全管理员",
        "is_staff": True,
        "groups": [roles.SECURITY_ADMIN],
    },
    "superuser": {"username": "root", "is_staff": True, "is_superuser": True},
}


def make_persona(name: str):
    """The user of a district-wide persona (the station users need a township: their fixtures below)."""
    return UserFactory(**PERSONAS[name])


@pytest.fixture
def bureau_user(db):
    return make_persona("bureau_user")


@pytest.fixture
def station_user_a(township_a):
    return UserFactory(username="station_a", first_name="甲镇站", township=township_a, groups=[roles.STATION_STAFF])


@pytest.fixture
def station_user_b(township_b):
    return UserFactory(username="station_b", first_name="乙镇站", township=township_b, groups=[roles.STATION_STAFF])


@pytest.fixture
def leader(db):
    return make_persona("leader")


@pytest.fixture
def auditor(db):
    return make_persona("auditor")


@pytest.fixture
def sysadmin(db):
    return make_persona("sysadmin")


@pytest.fixture
def secadmin(db):
    return make_persona("secadmin")


@pytest.fixture
def superuser(db):
    return make_persona("superuser")


# Fixed ID numbers: a factory sequence would give another birth date and gender in another test order.
@pytest.fixture
def person_a(township_a):
    number = make_id_number(birth_date=datetime.date(1975, 5, 5), sequence=101, male=True)
    return PersonFactory(name="张甲", id_number=number, township=township_a)


@pytest.fixture
def person_b(township_b):
    number = make_id_number(birth_date=datetime.date(1982, 8, 8), sequence=202, male=True)
    return PersonFactory(name="李乙", id_number=number, township=township_b)


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
