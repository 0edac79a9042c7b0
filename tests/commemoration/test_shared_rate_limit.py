"""
The memorial's rate limit holds with many processes (issue 23, item 9): the embedded default's
cache is a table of the database that every process shares (Redis where configured), not each
process's own memory; a cache outage lets flowers through (logged) rather than answering 500.
"""

import logging
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from commemoration.models import Tribute
from commemoration.services import TRIBUTES_PER_MINUTE, allow_tribute
from tests.commemoration.factories import MartyrFactory

ROOT = Path(__file__).resolve().parent.parent.parent

# One process of the portal: waits for the common start, then asks the limit `tries` times.
WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from commemoration.services import allow_tribute
    key, tries, start = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    print(sum(allow_tribute(key) for _ in range(tries)))
    """
)


def database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**database)


def test_the_embedded_default_cache_is_shared_by_every_process():
    if not settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


# Two Python processes start Django (about a second each): over 2 s by nature.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_rate_limit_holds_across_two_processes():
    key = uuid.uuid4().hex
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bureau.settings",
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
    }
    # Started together so that they ask at the same moments, as two gunicorn workers would.
    start = f"{time.time() + 3:.3f}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, key, "8", start],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        allowed.append(int(out.strip()))

    # 16 asked, 10 allowed in all: with a memory cache in each process all 16 passed.
    assert sum(allowed) == TRIBUTES_PER_MINUTE


UNREACHABLE_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_a_cache_outage_lets_flowers_through_and_is_logged(client, db, caplog):
    martyr = MartyrFactory()
    url = reverse("commemoration:memorial_flower", args=[martyr.pk])

    # override_settings makes Django drop its cache connections (django.test.signals).
    with override_settings(CACHES=UNREACHABLE_REDIS), caplog.at_level(logging.WARNING, "commemoration.services"):
        assert allow_tribute("outage") is True
        answers = [Client().post(url, REMOTE_ADDR="203.0.113.9") for _ in range(3)]  # three visitors

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert Tribute.objects.filter(kind=Tribute.Kind.FLOWER).count() == 3
    assert "缓存不可用" in caplog.text
    cache.set("back", 1)  # the shared cache again once the override ends
    assert cache.get("back") == 1


def test_json_flowers_and_messages_go_through_with_the_cache_down(client, db, caplog):
    martyr = MartyrFactory()
    flower = reverse("commemoration:memorial_flower", args=[martyr.pk])
    message = reverse("commemoration:memorial_message", args=[martyr.pk])

    with (
        override_settings(CACHES=UNREACHABLE_REDIS),
        caplog.at_level(logging.WARNING, "commemoration.services"),
    ):
        answers = [Client().post(flower, HTTP_ACCEPT="application/json") for _ in range(2)]  # two visitors
        left = client.post(message, {"message": "英灵永存", "signature": "市民"})

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["flowers"] for answer in answers] == [1, 2]
    assert left.status_code == 302
    assert Tribute.objects.filter(kind=Tribute.Kind.MESSAGE).count() == 1
    assert "缓存不可用" in caplog.text
