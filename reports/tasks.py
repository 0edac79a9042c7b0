"""Celery tasks of the annual report: thin wrappers that take ids and call the services."""

from celery import shared_task


@shared_task
def generate_annual_report(run_id: int) -> None:
    # Imported here: reports.services queues this task, so a top-level import would be circular.
    from reports.services import report_run_execute

    report_run_execute(run_id=run_id)
