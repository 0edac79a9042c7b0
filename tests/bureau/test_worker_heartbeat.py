"""
The worker's heartbeat bootstep (bureau.rules.service_health.HeartbeatStep) in a real worker: a worker
thread of this process (celery.contrib.testing, as tests/reports/test_worker.py) writes its row
when it starts and every SERVICE_HEARTBEAT_SECONDS, and removes it when it stops cleanly.
"""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from bureau.celery import app as celery_app
from bureau.models import ServiceHeartbeat
from bureau.rules.service_health import worker_status

# Slow: a worker starting and stopping takes a few seconds.
pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    pytest.fail(f"not within {seconds} s")


def test_the_worker_writes_its_heartbeat_while_it_runs(settings):
    settings.SERVICE_HEARTBEAT_SECONDS = 1
    conf = celery_app.conf
    queue = f"tests-heartbeat-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url")}
    conf.update(task_always_eager=False, broker_url=settings.REDIS_URL or "memory://")
    try:
        with start_worker(celery_app, queues=[queue], perform_ping_check=False, shutdown_timeout=30) as worker:
            name = f"worker:{worker.hostname}"
            first = wait_for(lambda: ServiceHeartbeat.objects.filter(name=name).first())
            assert first.pid == os.getpid()
            assert worker_status() == "ok"
            # It goes on beating, every SERVICE_HEARTBEAT_SECONDS.
            wait_for(lambda: ServiceHeartbeat.objects.get(name=name).at > first.at, seconds=10)
    finally:
        conf.update(saved)

    assert not ServiceHeartbeat.objects.filter(name=name).exists()
    assert worker_status() == "down: no heartbeat"
