"""The Celery app. Tasks take ids and are queued on commit (`task.delay_on_commit(...)`)."""

import os

from celery import Celery
from celery.signals import worker_ready

from bureau.service_health import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

app = Celery("bureau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's liveness row for /healthz and the compose health check (bureau.service_health).
app.steps["worker"].add(HeartbeatStep)


@worker_ready.connect
def resume_background_work(**kwargs):
    """A worker that starts sends what the outbox holds and resumes stalled jobs (bureau.background)."""
    from bureau.background import worker_ready as resume

    resume()
