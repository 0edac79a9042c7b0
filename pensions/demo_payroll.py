"""
The demo's monthly pensions, paid the way staff pay them: for each month a payroll run generated
by the demo clerk, approved by the second clerk, and paid to the ledger (`pensions.payroll`).
A month already paid is left as it is, so a second `seed_demo` adds nothing.
"""

import datetime

from bureau.demo.writers import CLERK_USERNAME, SECOND_CLERK_USERNAME
from bureau.models import User
from pensions import payroll
from pensions.models import PayrollRun


def months_until(*, year: int, last: datetime.date) -> list[str]:
    """The periods of `year` whose pay day (the 10th) is not after `last`."""
    return [
        f"{year}-{month:02d}" for month in range(1, 13) if datetime.date(year, month, payroll.MONTHLY_PAY_DAY) <= last
    ]


def payroll_seed(*, periods: list[str]) -> list[PayrollRun]:
    """Generate, approve and pay each month in order (synchronously: the demo runs in one transaction)."""
    clerk = User.objects.get(username=CLERK_USERNAME)
    approver = User.objects.get(username=SECOND_CLERK_USERNAME)
    runs = []
    for period in periods:
        run = PayrollRun.objects.filter(period=period).first()
        if run is None or run.status not in (PayrollRun.Status.PAID,):
            if run is None or run.approved_by_id is None:
                run = payroll.payroll_start(period=period, paid_on=None, by=clerk)
                run = payroll.payroll_generate(run.pk)
                run = payroll.payroll_approve(run=run, by=approver)
            run = payroll.payroll_pay(run.pk)
        runs.append(run)
    return runs
