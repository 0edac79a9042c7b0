import pytest
from django.conf import settings

from bureau.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker():
    """Point the Celery app at a port where nothing listens, as if Redis were down."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager")}
    celery_app.conf.update(broker_url="redis://127.0.0.1:1/0", broker_write_url=None, task_always_eager=False)
    yield
    celery_app.conf.update(saved)


@pytest.fixture
def celery_as_configured():
    """The broker as the settings have it (tests otherwise run tasks eagerly: tests/conftest.py)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    yield
    celery_app.conf.task_always_eager = saved


def test_healthz_answers_ok_when_database_and_broker_answer(client, celery_as_configured):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "no-cache" in response.headers["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    # Eager on the embedded default, a real Redis when REDIS_URL is set (CI).
    assert body["broker"] == ("ok (eager)" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")


def test_healthz_answers_503_when_the_broker_is_unreachable(client, unreachable_broker):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200
