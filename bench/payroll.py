"""
How fast the monthly payroll is, beside its floor, and whether its memory grows with the headcount,
on a throwaway database (SQLite by default, PostgreSQL when DATABASE_URL is set).

    .venv/bin/python bench/payroll.py [--people 50000] [--small 5000]

For each size (`--small`, then `--people`) a database of its own is filled: the beneficiaries,
each holding a pensioned category and a bank account in use, and February paid to all but a few
(so that March finds new, stopped and changed people). March's payroll then runs the way the
admin runs it — generated (who is due, compared with last month, the lines written), approved by
a second clerk, paid to the ledger in parts with history and audit (Celery eager, in this
process) — timed in wall seconds (CPU seconds of this process beside), beside the floor: a raw
multi-row INSERT of the same payment rows (no check, no history, no audit), best of three. April's
payroll then runs under tracemalloc, whose peak is the run's memory. Each answer is checked (run
paid, persons, total, ledger rows, one audit event per part) before its figures are printed.
Targets: payroll ≤ 2.5× the floor on SQLite, ≤ 3× on PostgreSQL; the peak at `--people` within
1.2× of the peak at `--small`.
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

MARCH, FEBRUARY, APRIL = "2021-03", "2021-02", "2021-04"
AMOUNT = Decimal("2150.00")
RAISED = Decimal("2380.00")
STOPPED_EVERY = 100  # one in a hundred died in February: stopped in March
NEW_EVERY = 50  # one in fifty holds the category from March: new
CHANGED_EVERY = 10  # one in ten holds the other category, whose standard rises in March
TARGET = {"sqlite": 2.5, "postgresql": 3.0}
MEMORY_TARGET = 1.2


class WrongAnswer(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise WrongAnswer(message)


def registry(people: int):
    """`people` beneficiaries, their categories, accounts and February's payments; (pension, clerk, approver, expected)."""
    from django.contrib.auth.models import Group

    from bench.imports import id_number
    from bureau import roles
    from bureau.base.bulk import insert_rows
    from bureau.models import BankAccount, Payment, PaymentBatch, Person, PersonCategory, Township, User
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
    accounts = [
        BankAccount(person=person, bank="农业银行", account_number=f"62284{n:014d}", account_name=person.name)
        for n, person in enumerate(persons)
    ]
    insert_rows(BankAccount, accounts, returning=True)
    pension = programme(PERIODIC_PENSION)
    batch = PaymentBatch.objects.create(
        programme=pension, title="2021年2月", paid_on=datetime.date(2021, 2, 10), created_by=clerk
    )
    paid_before = [
        Payment(
            person=person,
            programme=pension,
            amount=AMOUNT,
            period=FEBRUARY,
            paid_on=batch.paid_on,
            batch=batch,
            bank_account_id=account.pk,
        )
        for n, (person, account) in enumerate(zip(persons, accounts, strict=True))
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


def floor(pension, clerk, rows: int) -> tuple[float, float]:
    """
    The tight floor: a raw multi-row INSERT of the payment rows the run writes (the same columns
    and values, as many rows a statement as the database takes), timed (wall, CPU), then rolled back.
    """
    from bureau.models import BankAccount, Payment, PaymentBatch

    accounts = list(BankAccount.objects.filter(active=True).order_by("person_id").values_list("person_id", "pk"))
    accounts = accounts[:rows]
    quote = connection.ops.quote_name
    columns = ["person_id", "programme_id", "amount", "period", "paid_on", "batch_id", "note", "bank_account_id"]
    columns.append("created_at")
    per_statement = 1000 if connection.vendor != "sqlite" else connection.features.max_query_params // len(columns)
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(Payment._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        batch = PaymentBatch.objects.create(programme=pension, title="floor", paid_on="2021-03-10", created_by=clerk)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        paid_on = connection.ops.adapt_datefield_value(datetime.date(2021, 3, 10))
        amount = connection.ops.adapt_decimalfield_value(AMOUNT, 12, 2)
        with connection.cursor() as cursor:
            for first in range(0, len(accounts), per_statement):
                chunk = accounts[first : first + per_statement]
                values = []
                for person_id, account_id in chunk:
                    values += [person_id, pension.pk, amount, MARCH, paid_on, batch.pk, "", account_id, now]
                cursor.execute(head + ", ".join([one_row] * len(chunk)), values)
        seconds = (time.perf_counter() - start, time.process_time() - cpu)
        expect(Payment.objects.filter(batch=batch).count() == rows, "floor: rows not written")
        transaction.set_rollback(True)
    return seconds


def pay_month(period: str, clerk, approver):
    """Generate, approve and pay `period` (eager: all in this process); (run, wall seconds, CPU seconds)."""
    from pensions import payroll

    wall, cpu = time.perf_counter(), time.process_time()
    run = payroll.payroll_start(period=period, paid_on=None, by=clerk)  # eager: generated here
    run.refresh_from_db()
    payroll.payroll_approve(run=run, by=approver)  # eager: paid here
    run.refresh_from_db()
    return run, time.perf_counter() - wall, time.process_time() - cpu


def check_run(run, expected: dict) -> None:
    from bureau.models import AuditEvent, Payment
    from pensions import payroll
    from pensions.models import PayrollLine, PayrollRun

    ledger = Payment.objects.filter(batch=run.batch)
    counts = payroll.change_counts(run)
    expect(run.status == PayrollRun.Status.PAID, f"run: {run.status} {run.error}")
    expect(run.persons == expected["persons"], f"run: {run.persons} persons paid, expected {expected['persons']}")
    expect(run.total == expected["total"], f"total: {run.total}, expected {expected['total']}")
    expect(ledger.count() == expected["persons"], f"ledger: {ledger.count()} rows, expected {expected['persons']}")
    history = Payment.history.filter(batch_id=run.batch_id, history_type="+").count()
    expect(history == expected["persons"], f"history: {history} rows, expected {expected['persons']}")
    if "stopped" in expected:
        expect(counts[PayrollLine.Change.STOPPED] == expected["stopped"], f"stopped: {counts}")
    parts = -(-expected["persons"] // settings.PAYROLL_PAY_CHUNK)
    events = AuditEvent.objects.filter(
        content_type__model="paymentbatch", object_id=str(run.batch_id), detail__startswith="写入发放明细"
    ).count()
    expect(events == parts, f"audit: {events} events of the batch, expected {parts} (one per part)")


def one_size(people: int, *, timed: bool) -> dict:
    """Fill a database of `people`; March timed beside the floor (`timed`), April under tracemalloc."""
    from bureau.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    figures = {"people": people}
    start = time.perf_counter()
    with transaction.atomic():
        pension, clerk, approver, expected = registry(people)
    print(f"  registry: {people:,} beneficiaries, February paid: {time.perf_counter() - start:.1f} s", flush=True)
    if timed:
        floors = [floor(pension, clerk, expected["persons"]) for _ in range(3)]
        figures["floor"], figures["floor_cpu"] = min(wall for wall, _ in floors), min(cpu for _, cpu in floors)
    run, figures["wall"], figures["cpu"] = pay_month(MARCH, clerk, approver)
    check_run(run, expected)
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    april, _, _ = pay_month(APRIL, clerk, approver)
    figures["peak"] = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    check_run(april, {"persons": expected["persons"], "total": expected["total"]})
    return figures


def run_payroll_bench(people: int, small: int):
    """Yields printable lines; stops (WrongAnswer) on a wrong answer."""
    results = {}
    for size in (small, people):
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            results[size] = one_size(size, timed=size == people)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    big, little = results[people], results[small]
    ratio = big["wall"] / big["floor"]
    target = TARGET.get(connection.vendor, 3.0)
    verdict = "met" if ratio <= target else "NOT met"
    yield (
        f"payroll {people:,}: {big['wall']:.2f} s, floor (raw INSERT of the payments) {big['floor']:.2f} s, "
        f"{ratio:.1f}× (target ≤ {target}×: {verdict})"
    )
    # CPU of this process: on SQLite the database's work too; the fairer figure on a loaded machine.
    cpu_ratio = big["cpu"] / big["floor_cpu"]
    yield (
        f"payroll {people:,} CPU of this process: {big['cpu']:.2f} s, floor {big['floor_cpu']:.2f} s, {cpu_ratio:.1f}×"
    )
    growth = big["peak"] / little["peak"]
    verdict = "met" if growth <= MEMORY_TARGET else "NOT met"
    yield (
        f"payroll peak memory (tracemalloc): {small:,} {little['peak'] / 2**20:.1f} MiB, "
        f"{people:,} {big['peak'] / 2**20:.1f} MiB, {growth:.2f}× (target ≤ {MEMORY_TARGET}×: {verdict})"
    )
    with open("/proc/loadavg") as loadavg:
        yield f"load average: {loadavg.read().strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=5_000, help="the size whose peak memory is compared")
    options = parser.parse_args()
    setup_test_environment()
    settings.DEBUG = False  # no query log growing with the run
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path("/tmp") / f"portal-bench-payroll-{os.getpid()}.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_payroll"
    print(f"\nmonthly payroll ({connection.vendor}, wall seconds):", flush=True)
    for line in run_payroll_bench(options.people, options.small):
        print(f"  {line}", flush=True)


if __name__ == "__main__":
    main()
