from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from bureau.celery import app as celery_app


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "ok (eager)"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


@never_cache
def healthz(request):
    """Liveness for the load balancer: 200 when database and broker answer, 503 otherwise."""
    status = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value.startswith("ok") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)
