"""Celery tasks of the annual report: thin wrappers that take ids and call the services."""

from celery import shared_task

from reports.services import report_run_execute


@shared_task
def generate_annual_report(run_id: int) -> None:
    # Queued by name through the outbox (reports.services.GENERATE_TASK); the claim inside
    # report_run_execute makes a second delivery, or a resumed run, harmless.
    report_run_execute(run_id=run_id)
