"""The Celery app. Tasks take ids and are queued on commit (`task.delay_on_commit(...)`)."""

import contextlib
import os

from celery import Celery
from celery.signals import beat_init, worker_ready

from bureau.rules.service_health import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

app = Celery("bureau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's liveness row for /healthz and the compose health check (bureau.rules.service_health).
app.steps["worker"].add(HeartbeatStep)


@worker_ready.connect
def resume_background_work(**kwargs):
    """A worker that starts sends what the outbox holds and resumes stalled jobs (bureau.rules.background)."""
    from bureau.rules.background import worker_ready as resume

    resume()


@beat_init.connect
def forget_inherited_database_connections(**kwargs):
    """
    Beat embedded in a worker (`worker -B`) is a process forked from it: a database connection it
    inherits is the parent's (a SQLite handle used across fork() locks up; a PostgreSQL socket is
    shared). Drop it without a goodbye to the server, as Celery's Django fixup does for pool
    processes; beat opens its own. A standalone `celery beat` has none yet.
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        fileno = getattr(conn.connection, "fileno", None)
        if fileno is not None:  # psycopg: close the socket, never send the parent's session a Terminate
            with contextlib.suppress(OSError):
                os.close(fileno())
        conn.connection = None
