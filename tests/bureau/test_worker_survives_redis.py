"""
A Redis drop under a running task leaves the worker alive: it reconnects and runs the next task.

With celery 5.7 / kombu 5.7 / redis 8.1 the worker exited instead ("Restoring 1 unacknowledged
message(s)", then "CRITICAL Unrecoverable error: AttributeError('NoneType' object has no
attribute 'hostname')") whenever it was waiting for more messages while the task ran, i.e. with
a free pool process: hence two pool processes here, as in production. bureau/base/broker.py explains
the cause and the fix. The worker is a real `celery worker` process (tests/worker_process.py)
against a redis-server of this test's own, which the test stops for 20 s and starts again.
"""

import time

import pytest

from bureau.celery import app as celery_app
from bureau.models import ServiceHeartbeat
from tests.worker_process import own_redis_server, queue_name, reset_broker_pool, start_worker_process, wait_for

# Slow by nature: a worker process, a 20 s outage and the worker's reconnection back-off (~40 s in all).
pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 20
SLEEP_TASK = "tests.worker_hooks.sleep"


@pytest.fixture
def own_redis(tmp_path_factory):
    """A Redis only this test uses (never CI's shared one): it is stopped and started again."""
    server = own_redis_server(tmp_path_factory)  # skips when redis-server is not installed
    yield server
    server.stop()


@pytest.fixture
def sender(own_redis):
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    conf.update(task_always_eager=False, broker_url=own_redis.url, task_default_queue=queue_name())
    reset_broker_pool()
    try:
        yield
    finally:
        conf.update(saved)
        reset_broker_pool()


def send_sleep(seconds: float, marker) -> None:
    # A connection of its own: a pooled one may be to the Redis that went away.
    with celery_app.connection_for_write() as connection:
        celery_app.send_task(SLEEP_TASK, args=[seconds, str(marker)], queue=queue_name(), connection=connection)


def heartbeat_at(worker_name: str):
    row = ServiceHeartbeat.objects.filter(name__startswith=f"worker:{worker_name}-").first()
    return row.at if row else None


def test_the_worker_survives_redis_stopping_under_a_running_task(tmp_path, own_redis, sender):
    worker = start_worker_process(tmp_path, redis_url=own_redis.url, name="survivor", beat=False, concurrency=2)
    try:
        running = tmp_path / "running"
        send_sleep(OUTAGE_SECONDS / 2, running)
        wait_for(running.exists, 30, lambda: f"the task never started:\n{worker.report()}")

        own_redis.stop()
        stopped_at = time.monotonic()
        beat_before = wait_for(lambda: heartbeat_at("survivor"), 10, "the worker wrote no heartbeat")
        while time.monotonic() - stopped_at < OUTAGE_SECONDS:
            assert worker.alive, f"the worker exited while Redis was down:\n{worker.output()[-6000:]}"
            time.sleep(1)
        # Its heartbeat goes to the database, not through Redis: it kept beating (every 2 s here).
        assert heartbeat_at("survivor") > beat_before
        assert "Connection to broker lost" in worker.output()

        own_redis.start()  # the same port
        after = tmp_path / "after"
        send_sleep(0, after)
        wait_for(after.exists, 90, lambda: f"the worker ran no task after Redis came back:\n{worker.report()}")

        assert worker.alive
        assert "Unrecoverable error" not in worker.output()
    finally:
        worker.stop()
