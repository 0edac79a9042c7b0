"""Periodic tasks of the core, scheduled by `CELERY_BEAT_SCHEDULE` (the `beat` service of docker-compose)."""

from celery import shared_task

from bureau import audit


@shared_task
def purge_audit_events() -> int:
    """Daily: delete the audit events older than the retention period (never younger than six months)."""
    return audit.purge()
