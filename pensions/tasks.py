"""The payroll's steps on the worker (`pensions.payroll`); progress is on the run."""

from celery import shared_task


@shared_task
def generate_payroll(run_id: int) -> None:
    from pensions.payroll import payroll_generate

    payroll_generate(run_id)


@shared_task
def pay_payroll(run_id: int) -> None:
    from pensions.payroll import payroll_pay

    payroll_pay(run_id)
