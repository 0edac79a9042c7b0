"""Tasks of the core: periodic ones scheduled by `CELERY_BEAT_SCHEDULE` (the `beat` service), and the import and export jobs."""

from celery import shared_task

from bureau.rules import audit


@shared_task
def outbox_flush() -> int:
    """Every OUTBOX_FLUSH_SECONDS: send the tasks queued while the broker was down."""
    from bureau.rules.background import outbox_flush

    return outbox_flush()


@shared_task
def jobs_watch() -> dict:
    """Every JOBS_WATCH_SECONDS: send again, or fail, the jobs whose worker stopped beating."""
    from bureau.rules.background import jobs_watch

    return jobs_watch()


@shared_task
def purge_audit_events() -> int:
    """Daily: delete the audit events older than the retention period (never younger than six months)."""
    return audit.purge()


# Imports and large exports (bureau.importexport.jobs); the service modules are imported in the
# task body because they queue these tasks themselves.


@shared_task
def validate_import_job(job_id: int) -> None:
    from bureau.importexport.jobs import import_job_validate

    import_job_validate(job_id=job_id)


@shared_task
def apply_import_job(job_id: int) -> None:
    from bureau.importexport.jobs import import_job_apply

    import_job_apply(job_id=job_id)


@shared_task
def run_export_job(job_id: int) -> None:
    from bureau.importexport.jobs import export_job_run

    export_job_run(job_id=job_id)


@shared_task
def delete_expired_exports() -> int:
    """Hourly: delete the files of exports past EXPORT_FILE_HOURS (and of imports never confirmed)."""
    from bureau.importexport.jobs import export_jobs_expire

    return export_jobs_expire()


@shared_task
def scheduled_backup() -> str | None:
    """Nightly when BACKUP_DIR is set: an archive into BACKUP_DIR, the oldest beyond BACKUP_KEEP deleted."""
    from bureau.backups import backup_scheduled

    output = backup_scheduled()
    return str(output) if output else None
