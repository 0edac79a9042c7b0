"""
Liveness of the background services: the Celery worker and Celery beat write a heartbeat row
(`ServiceHeartbeat`) every SERVICE_HEARTBEAT_SECONDS; /healthz and `manage.py service_alive`
call a service down once its row is older than SERVICE_STALE_SECONDS.

The heartbeats go to the database, never through the broker or beat: a worker keeps beating
while Redis is down (it is alive and reconnecting, which is what the health check must tell),
and a worker whose process hangs or exits stops beating even though Redis still answers.

- The worker beats from its own thread (`HeartbeatStep`, a bootstep registered in bureau/celery.py),
  not from the worker's timer: under the prefork pool that timer is driven by the event loop, which
  does not run while the consumer waits to reconnect to the broker.
- A fork of the worker's main process (the embedded beat of `worker -B`, a pool process replacing
  one that died) waits for a heartbeat write in flight (`fork_guard`): a child copied while that
  thread held a lock inside the database driver (SQLite's, OpenSSL's under libpq) would wait on it
  for good, its first query never returning (seen as a beat that never sends a task).
- Beat beats from its scheduler loop (`BeatScheduler`, compose runs beat with
  `-S bureau.rules.service_health:BeatScheduler`): a beat stuck in its loop stops beating.

A failed write (the database restarting) is logged and retried at the next beat, never raised:
the health of the database is the database check's business, not a reason to stop the worker.
"""

import logging
import os
import socket
import threading
import time

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# Held by the heartbeat thread while it writes, and by os.fork() around the fork (see fork_guard).
_writing = threading.Lock()
FORK_WAIT_SECONDS = 30

BEAT_NAME = "beat"
WORKER_PREFIX = "worker:"
DEFAULT_HEARTBEAT_SECONDS = 15
DEFAULT_STALE_SECONDS = 90


def heartbeat_seconds() -> float:
    return float(getattr(settings, "SERVICE_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS))


def stale_seconds() -> float:
    return float(getattr(settings, "SERVICE_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def worker_heartbeat_name(nodename: str) -> str:
    """The worker's row: its Celery node name, "celery@host" unless started with -n."""
    return f"{WORKER_PREFIX}{nodename}"


def _close_old_connections() -> None:
    """
    Drop this thread's connection when broken or past CONN_MAX_AGE (the worker's heartbeat thread
    and beat's loop are no request: nothing else does it for them). Never inside a transaction,
    where Django would close the connection under it.
    """
    if not connection.in_atomic_block:
        close_old_connections()


def heartbeat_write(*, name: str) -> bool:
    """Record that the service `name` is alive now; False (and logged) when the database refused."""
    from bureau.models import ServiceHeartbeat  # bureau.celery imports this module before Django is set up

    _close_old_connections()
    try:
        ServiceHeartbeat.objects.update_or_create(
            name=name, defaults={"at": timezone.now(), "hostname": socket.gethostname(), "pid": os.getpid()}
        )
    except Exception:
        logger.warning("Could not write the heartbeat of %s; retrying at the next beat.", name, exc_info=True)
        return False
    finally:
        _close_old_connections()
    return True


def heartbeat_delete(*, name: str) -> None:
    """A service stopping cleanly removes its row: it is down from now on, not in 90 seconds."""
    from bureau.models import ServiceHeartbeat

    _close_old_connections()
    try:
        ServiceHeartbeat.objects.filter(name=name).delete()
    except Exception:
        logger.warning("Could not delete the heartbeat of %s.", name, exc_info=True)
    finally:
        _close_old_connections()


def liveness(*, name: str | None = None, name_prefix: str | None = None, hostname: str | None = None) -> str:
    """
    "ok" when the freshest matching heartbeat is younger than SERVICE_STALE_SECONDS, else
    "down: last heartbeat N s ago" or "down: no heartbeat"; "error: …" when the database does not answer.
    """
    from bureau.models import ServiceHeartbeat

    rows = ServiceHeartbeat.objects.all()
    if name is not None:
        rows = rows.filter(name=name)
    if name_prefix is not None:
        rows = rows.filter(name__startswith=name_prefix)
    if hostname is not None:
        rows = rows.filter(hostname=hostname)
    try:
        latest = rows.order_by("-at").values_list("at", flat=True).first()
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    if latest is None:
        return "down: no heartbeat"
    age = (timezone.now() - latest).total_seconds()
    if age > stale_seconds():
        return f"down: last heartbeat {age:.0f} s ago"
    return "ok"


def worker_status(*, hostname: str | None = None) -> str:
    """Any worker (or the one on `hostname`) alive."""
    return liveness(name_prefix=WORKER_PREFIX, hostname=hostname)


def beat_status() -> str:
    return liveness(name=BEAT_NAME)


class _ForkGuard(threading.local):
    held = False


_fork_guard = _ForkGuard()


def _before_fork() -> None:
    # A write stuck on a dead database gives up the wait after FORK_WAIT_SECONDS: a fork must happen.
    _fork_guard.held = _writing.acquire(timeout=FORK_WAIT_SECONDS)


def _after_fork() -> None:
    if _fork_guard.held:
        _fork_guard.held = False
        _writing.release()


def fork_guard() -> threading.Lock:
    """
    The lock a heartbeat write holds, and os.fork() takes before forking (registered below): no
    process is forked from the worker while its heartbeat thread is inside the database driver.
    """
    return _writing


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)


class HeartbeatStep(bootsteps.StartStopStep):
    """
    The worker's heartbeat: a thread of the worker's main process writes the row every
    SERVICE_HEARTBEAT_SECONDS from start to stop. Registered with `app.steps["worker"].add(...)`.
    """

    label = "Service heartbeat"
    # Started after the pool: the prefork children are forked before this thread exists.
    requires = ("celery.worker.components:Pool",)

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = ""

    def start(self, worker):
        self._name = worker_heartbeat_name(worker.hostname)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="service-heartbeat", daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while True:
                with _writing:
                    heartbeat_write(name=self._name)
                if self._stopping.wait(heartbeat_seconds()):
                    return
        finally:
            # This thread's own connection (Django's connections are per thread).
            connection.close()

    def stop(self, worker):
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(timeout=10)
        self._thread = None
        heartbeat_delete(name=self._name)

    terminate = stop


class BeatScheduler(PersistentScheduler):
    """Celery's default scheduler, plus beat's heartbeat written from its loop at most every SERVICE_HEARTBEAT_SECONDS."""

    _last_heartbeat: float | None = None

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if self._last_heartbeat is None or now - self._last_heartbeat >= heartbeat_seconds():
            heartbeat_write(name=BEAT_NAME)
            self._last_heartbeat = now
        # Beat sleeps for what tick() returns (up to beat_max_interval, 5 minutes): wake up in time to beat again.
        return min(super().tick(*args, **kwargs), heartbeat_seconds())

    def close(self):
        super().close()
        heartbeat_delete(name=BEAT_NAME)
