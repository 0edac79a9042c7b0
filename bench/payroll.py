"""
How fast the monthly payroll is, beside its floor, on a throwaway database.

    .venv/bin/python bench/payroll.py [--people 50000]

`--people` beneficiaries are registered, each holding a pensioned category; the previous month
was paid to all but a few of them (so the run finds new, stopped and changed people). The
payroll of the month then runs the way the admin runs it — generated (who is due, compared with
last month, the lines written), approved by a second clerk, paid to the ledger in parts with
history and audit (Celery eager, in this process) — beside the floor: a bare `bulk_create` of the
same payment rows, no check, no history, no audit. Each answer is checked (run paid, persons,
total, ledger rows) before its time is printed; the targets are 3× the floor and 15 s.
Times are wall seconds (`make bench` runs nothing else meanwhile).
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.run import expect  # noqa: E402

PERIOD = "2021-03"
PREVIOUS = "2021-02"
AMOUNT = Decimal("2150.00")
RAISED = Decimal("2380.00")
STOPPED_EVERY = 100  # one in a hundred died in February: stopped in March
NEW_EVERY = 50  # one in fifty holds the category from March: new
CHANGED_EVERY = 10  # one in ten holds the other category, whose standard rises in March


def registry(people: int):
    """`people` beneficiaries, their categories and February's payments; returns (clerk, approver, expected)."""
    from django.contrib.auth.models import Group

    from bench.imports import id_number
    from bureau import roles
    from bureau.base.bulk import insert_rows
    from bureau.models import Payment, PaymentBatch, Person, PersonCategory, Township, User
    from pensions.models import BenefitStandard
    from pensions.programmes import PERIODIC_PENSION, programme

    townships = [Township.objects.create(code=f"T{n:02d}", name=f"第{n}镇", order=n) for n in range(1, 13)]
    group = Group.objects.get(name=roles.BUREAU_STAFF)
    clerk, approver = (User.objects.create(username=name, is_staff=True) for name in ("bench-clerk", "bench-approver"))
    for user in (clerk, approver):
        user.groups.set([group])
    jan_1 = datetime.date(2021, 1, 1)
    BenefitStandard.objects.create(category="disabled_soldier", monthly_amount=AMOUNT, valid_from=jan_1)
    BenefitStandard.objects.create(category="martyr_family", monthly_amount=AMOUNT, valid_from=jan_1)
    BenefitStandard.objects.create(
        category="martyr_family", monthly_amount=RAISED, valid_from=datetime.date(2021, 3, 1)
    )
    persons = [
        Person(
            name=f"优抚对象{n}",
            id_number=id_number(n),
            township=townships[n % len(townships)],
            review_status="approved",
            died_on=datetime.date(2021, 2, 20) if n % STOPPED_EVERY == 1 else None,
            status="deceased" if n % STOPPED_EVERY == 1 else "veteran",
        )
        for n in range(people)
    ]
    insert_rows(Person, persons, returning=True)
    categories = [
        PersonCategory(
            person=person,
            category="martyr_family" if n % CHANGED_EVERY == 2 else "disabled_soldier",
            started_on=datetime.date(2021, 3, 5) if n % NEW_EVERY == 3 else jan_1,
        )
        for n, person in enumerate(persons)
    ]
    insert_rows(PersonCategory, categories)
    pension = programme(PERIODIC_PENSION)
    batch = PaymentBatch.objects.create(
        programme=pension, title="2021年2月", paid_on=datetime.date(2021, 2, 10), created_by=clerk
    )
    paid_before = [
        Payment(person=person, programme=pension, amount=AMOUNT, period=PREVIOUS, paid_on=batch.paid_on, batch=batch)
        for n, person in enumerate(persons)
        if n % NEW_EVERY != 3
    ]
    insert_rows(Payment, paid_before)
    due = [n for n in range(people) if n % STOPPED_EVERY != 1]
    expected = {
        "persons": len(due),
        "total": sum((RAISED if n % CHANGED_EVERY == 2 else AMOUNT) for n in due),
        "stopped": sum(1 for n in range(people) if n % STOPPED_EVERY == 1 and n % NEW_EVERY != 3),
    }
    return pension, clerk, approver, expected


def floor(pension, clerk, rows: int) -> float:
    """A bare bulk_create of the payment rows the run writes, timed, then rolled back."""
    from bureau.models import Payment, PaymentBatch, Person

    person_ids = list(Person.objects.values_list("pk", flat=True)[:rows])
    start = time.perf_counter()
    with transaction.atomic():
        batch = PaymentBatch.objects.create(
            programme=pension, title="floor", paid_on=datetime.date(2021, 3, 10), created_by=clerk
        )
        Payment.objects.bulk_create(
            [
                Payment(
                    person_id=pk, programme=pension, amount=AMOUNT, period=PERIOD, paid_on=batch.paid_on, batch=batch
                )
                for pk in person_ids
            ],
            batch_size=1000,
        )
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def run_payroll_bench(people: int):
    """Yields printable lines; stops (SystemExit) on a wrong answer."""
    from bureau.celery import app as celery_app
    from bureau.models import Payment
    from pensions import payroll
    from pensions.models import PayrollLine, PayrollRun

    celery_app.conf.task_always_eager = True
    start = time.perf_counter()
    with transaction.atomic():
        pension, clerk, approver, expected = registry(people)
    yield f"{f'registry: {people} beneficiaries, February paid':<50} {time.perf_counter() - start:7.2f} s"
    floor_seconds = min(floor(pension, clerk, expected["persons"]) for _ in range(3))
    label = f"floor: bulk_create of {expected['persons']} payments (best of 3)"
    yield f"{label:<50} {floor_seconds:7.2f} s"

    start = time.perf_counter()
    run = payroll.payroll_start(period=PERIOD, paid_on=None, by=clerk)  # eager: generated here
    generated = time.perf_counter() - start
    run.refresh_from_db()
    counts = payroll.change_counts(run)
    expect(run.status == PayrollRun.Status.GENERATED, f"run: {run.status} {run.error}")
    expect(run.persons == expected["persons"], f"run: {run.persons} persons due, expected {expected['persons']}")
    expect(counts[PayrollLine.Change.STOPPED] == expected["stopped"], f"stopped: {counts}")
    yield f"{'generate + compare with last month':<50} {generated:7.2f} s   {counts}"
    start = time.perf_counter()
    payroll.payroll_approve(run=run, by=approver)  # eager: paid here
    paid = time.perf_counter() - start
    run.refresh_from_db()
    ledger = Payment.objects.filter(period=PERIOD, batch=run.batch)
    expect(run.status == PayrollRun.Status.PAID, f"run: {run.status} {run.error}")
    expect(ledger.count() == expected["persons"], f"ledger: {ledger.count()} rows, expected {expected['persons']}")
    expect(run.total == expected["total"], f"total: {run.total}, expected {expected['total']}")
    yield f"{'approve + write the batch (history, audit)':<50} {paid:7.2f} s"
    total = generated + paid
    ratio = total / floor_seconds
    verdict = "met" if ratio <= 3 and total < 15 else "NOT met"
    yield f"{'payroll of the month, all steps':<50} {total:7.2f} s   {ratio:.1f}× the floor (target ≤ 3× and < 15 s: {verdict})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    options = parser.parse_args()
    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path("/tmp") / "portal-bench-payroll.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_payroll"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"\nmonthly payroll of {options.people} beneficiaries ({connection.vendor}, wall seconds):")
        for line in run_payroll_bench(options.people):
            print(f"  {line}", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
