"""
/healthz: one field per dependency (database, cache, broker, worker, beat), 503 when one that
serves users is down (the database included: the view runs outside the per-request transaction),
200 "degraded" when only the cache is; the worker's and beat's liveness from their heartbeat rows
(bureau.rules.service_health), also behind `manage.py service_alive`.
"""

import datetime
import logging
import signal
import socket
import subprocess
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from bureau.celery import app as celery_app
from bureau.models import ServiceHeartbeat
from bureau.rules import service_health

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture
def celery_as_configured():
    """The broker as the settings have it (tests otherwise run tasks eagerly: tests/conftest.py)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def broker_in_use():
    """Not eager, as production: a broker (CI's Redis, else kombu's in-memory one), a worker and beat are used."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=settings.REDIS_URL or "memory://", task_always_eager=False)
    yield
    celery_app.conf.update(saved)


def beat_at(name: str, seconds_ago: float) -> ServiceHeartbeat:
    return ServiceHeartbeat.objects.create(
        name=name, at=timezone.now() - datetime.timedelta(seconds=seconds_ago), hostname=socket.gethostname()
    )


@pytest.fixture
def unreachable_database(transactional_db):
    """
    The default connection pointed at a database that cannot be opened: a SQLite file in a missing
    directory, or a PostgreSQL port where nothing listens. Restored (and reconnected) afterwards.
    """
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/portal.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_healthz_answers_ok_when_every_dependency_answers(client, celery_as_configured):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        beat_at("worker:celery@ci", 1)
        beat_at("beat", 1)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    # Eager on the embedded default (no broker, worker or beat), a real Redis when REDIS_URL is set (CI).
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert (body["broker"], body["worker"], body["beat"]) == ("ok (eager)", "not used", "not used")
    else:
        assert (body["broker"], body["worker"], body["beat"]) == ("ok", "ok", "ok")


def test_healthz_is_ok_with_fresh_heartbeats_of_worker_and_beat(client, broker_in_use):
    beat_at("worker:celery@host-a", 5)
    beat_at("beat", 10)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "worker": "ok",
        "beat": "ok",
    }


def test_healthz_reports_a_dead_worker_with_503(client, broker_in_use):
    beat_at("worker:celery@host-a", 300)  # SERVICE_STALE_SECONDS is 90
    beat_at("beat", 5)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["worker"] == "down: last heartbeat 300 s ago"
    assert (body["database"], body["broker"], body["beat"]) == ("ok", "ok", "ok")


def test_one_live_worker_of_two_is_enough(client, broker_in_use):
    beat_at("worker:celery@host-a", 300)
    beat_at("worker:celery@host-b", 3)
    beat_at("beat", 3)

    assert client.get("/healthz").json()["worker"] == "ok"


def test_healthz_reports_a_worker_that_never_beat_and_a_dead_beat(client, broker_in_use):
    beat_at("beat", 120)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["worker"] == "down: no heartbeat"
    assert body["beat"] == "down: last heartbeat 120 s ago"


def test_healthz_answers_503_when_the_broker_is_unreachable(client, unreachable_broker):
    beat_at("worker:celery@host-a", 1)
    beat_at("beat", 1)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert (body["worker"], body["beat"]) == ("ok", "ok")


def test_a_cache_outage_is_reported_but_the_portal_stays_up(client):
    # The rate limit and progress notes fail open: the portal serves, degraded.
    with override_settings(CACHES=UNREACHABLE_CACHE):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"] == "error: ConnectionError"
    assert body["database"] == "ok"


def test_healthz_answers_503_json_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: OperationalError"


def test_healthz_with_the_database_down_says_it_cannot_tell_the_worker(client, unreachable_database, broker_in_use):
    body = client.get("/healthz").json()

    assert body["database"] == "error: OperationalError"
    assert body["worker"] == body["beat"] == "unknown: the database does not answer"


def test_a_heartbeat_the_database_refuses_is_logged_not_raised(unreachable_database, caplog):
    with caplog.at_level(logging.WARNING, "bureau.rules.service_health"):
        assert service_health.heartbeat_write(name="beat") is False
    assert "Could not write the heartbeat of beat" in caplog.text


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_service_alive_checks_the_worker_on_this_host_and_beat():
    with pytest.raises(CommandError, match="worker: down: no heartbeat"):
        call_command("service_alive", "worker")
    # A worker on another host does not make this container's worker alive.
    ServiceHeartbeat.objects.create(name="worker:celery@elsewhere", at=timezone.now(), hostname="elsewhere")
    with pytest.raises(CommandError, match="worker: down: no heartbeat"):
        call_command("service_alive", "worker")

    service_health.heartbeat_write(name=service_health.worker_heartbeat_name(f"celery@{socket.gethostname()}"))
    call_command("service_alive", "worker")

    beat_at("beat", 100)
    with pytest.raises(CommandError, match="beat: down: last heartbeat 100 s ago"):
        call_command("service_alive", "beat")
    service_health.heartbeat_write(name="beat")
    call_command("service_alive", "beat")


def test_beat_writes_its_heartbeat_from_its_scheduler_loop(tmp_path, settings):
    settings.SERVICE_HEARTBEAT_SECONDS = 15
    scheduler = service_health.BeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.setup_schedule()
    try:
        # Beat sleeps what tick() returns: never longer than a heartbeat.
        assert scheduler.tick() <= 15
        first = ServiceHeartbeat.objects.get(name="beat")
        assert first.hostname == socket.gethostname()
        scheduler.tick()
        # At most one write per SERVICE_HEARTBEAT_SECONDS, not one per tick.
        assert ServiceHeartbeat.objects.get(name="beat").at == first.at
    finally:
        scheduler.close()
    # Beat stopping cleanly is down at once.
    assert not ServiceHeartbeat.objects.filter(name="beat").exists()


def test_service_alive_stops_a_stalled_service_so_that_compose_restarts_it(settings):
    """`--restart-stalled` (compose's health check): a process that had the time to beat and did not is stopped."""
    settings.SERVICE_STALE_SECONDS = 1
    beat_at("beat", 100)
    process = subprocess.Popen(["sleep", "60"])
    try:
        # Younger than the stale period: a process just started has not had the time to beat.
        with pytest.raises(CommandError, match="beat: down: last heartbeat 100 s ago$"):
            call_command("service_alive", "beat", "--restart-stalled", "--pid", str(process.pid))
        assert process.poll() is None

        time.sleep(1.2)
        with pytest.raises(CommandError, match=f"已结束进程 {process.pid}，等待重新启动。"):
            call_command("service_alive", "beat", "--restart-stalled", "--pid", str(process.pid))
        assert process.wait(5) == -signal.SIGTERM
    finally:
        process.kill()


def test_service_alive_leaves_a_beating_service_alone_even_when_asked_to_restart(settings):
    settings.SERVICE_STALE_SECONDS = 1
    process = subprocess.Popen(["sleep", "60"])
    try:
        time.sleep(1.2)
        service_health.heartbeat_write(name="beat")
        call_command("service_alive", "beat", "--restart-stalled", "--pid", str(process.pid))
        assert process.poll() is None
    finally:
        process.kill()
