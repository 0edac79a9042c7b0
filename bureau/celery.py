"""The Celery app. Tasks take ids and are queued on commit (`task.delay_on_commit(...)`)."""

import os

from celery import Celery

from bureau.service_health import HeartbeatStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

app = Celery("bureau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker's liveness row for /healthz and the compose health check (bureau.service_health).
app.steps["worker"].add(HeartbeatStep)
