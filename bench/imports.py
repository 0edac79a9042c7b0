"""
How fast the kit's import engine is, beside its floor, on a throwaway database.

    .venv/bin/python bench/imports.py [--rows 20000] [--registry 0]

A file of `--rows` new people in the import template's format is imported through the
code the admin uses (`PortalXLSX().create_dataset` + `PersonResource(user).import_data`),
beside the floor: the same file parsed by openpyxl (read-only) and `bulk_create`d with no
validation, no history and no audit. Then the same file again (unchanged: nothing may be
written), and a file changing every row's address. Times are the process's CPU seconds
(SQLite runs in the process), so that a loaded machine does not distort the ratios. `--registry` people are registered
beforehand (not in the file). `run_import_bench(user, township_names)` yields the resource's figures.

    .venv/bin/python bench/imports.py --jobs [--rows 20000]   # the admin's path, as `make bench` runs it
    .venv/bin/python bench/imports.py --memory 100000         # peak memory of a 100,000-row import

`--jobs` (and `make bench`, through `run_job_bench`) goes the admin's way: the upload stored and
validated by the validation job, the preview page, the confirm and the import job (Celery eager,
in this process), each checked (job status, rows new/unchanged/changed, what was written) before
its time is printed. `--memory` runs both jobs on a database file and prints the process's peak
resident memory. It measures and reports; it asserts only that each answer is right.
"""

import argparse
import datetime
import os
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.run import expect  # noqa: E402

HEADERS = [
    "姓名",
    "身份证号",
    "性别",
    "联系电话",
    "乡镇（街道）",
    "住址",
    "人员状态",
    "军种",
    "入伍日期",
    "退役日期",
    "安置方式",
]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARACTERS = "10X98765432"


def id_number(n: int, region: str = "320102") -> str:
    """A valid ID number, distinct for n below 3,650,000: a birth date from 1950 and a sequence."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 500)
    body = f"{region}{birth:%Y%m%d}{(n % 500) * 2 + 1:03d}"
    return body + CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def person_file(numbers: range, township_names: list[str], address: str = "幸福路") -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for n in numbers:
        township = township_names[n % len(township_names)]
        sheet.append(
            [
                f"人员{n}",
                id_number(n),
                "男",
                f"139{n:08d}",
                township,
                f"{address}{n}号",
                "退役军人",
                "陆军",
                "1980-11-01",
                "1985-10-01",
                "自主就业",
            ]
        )
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def floor(content: bytes) -> float:
    """Seconds to parse the file with openpyxl (read-only) and bulk_create its people, unvalidated; rolled back."""
    from bureau.models import Person, Township

    townships = {township.name: township for township in Township.objects.all()}
    start = time.process_time()
    workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    workbook.close()
    people = [
        Person(
            name=name,
            id_number=number,
            gender="M",
            birth_date=datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            phone=phone,
            township=townships[township],
            address=address,
            status=Person.Status.VETERAN,
            branch=Person.Branch.ARMY,
            enlisted_on=datetime.date.fromisoformat(enlisted),
            discharged_on=datetime.date.fromisoformat(discharged),
            discharge_route=Person.DischargeRoute.SELF_EMPLOYED,
            review_status="approved",
        )
        for name, number, _, phone, township, address, _, _, enlisted, discharged, _ in rows
    ]
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=500)
        elapsed = time.process_time() - start
        transaction.set_rollback(True)
    return elapsed


def timed_import(user, content: bytes, **kwargs) -> tuple[float, object, int]:
    from bureau.importexport import PortalXLSX
    from bureau.importexport.records import PersonResource

    start = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = PersonResource(user=user).import_data(PortalXLSX().create_dataset(content), **kwargs)
    elapsed = time.process_time() - start
    if result.row_messages:
        raise SystemExit(f"import refused: {result.row_messages[:3]}")
    return elapsed, result, len(queries)


def counts() -> tuple[int, int, int]:
    from bureau.models import AuditEvent, Person

    return Person.objects.count(), Person.history.count(), AuditEvent.objects.count()


def run_import_bench(user, township_names: list[str], rows: int = 20_000, first: int = 1_000_000):
    """Yields (label, seconds, rows/s, queries, note) of each path; the file's people are numbered from `first`."""
    numbers = range(first, first + rows)
    content = person_file(numbers, township_names)
    floor_seconds = floor(content)
    yield ("floor: openpyxl parse + bulk_create", floor_seconds, rows / floor_seconds, None, "")

    seconds, result, queries = timed_import(user, content, dry_run=True)
    yield ("create import, dry run (validation)", seconds, rows / seconds, queries, totals(result))
    before = counts()
    seconds, result, queries = timed_import(user, content)
    after = counts()
    note = f"{totals(result)}; ratio to floor {floor_seconds / seconds:.2f}; +{after[0] - before[0]} people, +{after[1] - before[1]} history"
    yield ("create import", seconds, rows / seconds, queries, note)

    seconds, result, queries = timed_import(user, content)
    again = counts()
    note = f"{totals(result)}; written: {again[0] - after[0]} people, {again[1] - after[1]} history, {again[2] - after[2]} audit"
    yield ("unchanged re-import", seconds, rows / seconds, queries, note)

    changed = person_file(numbers, township_names, address="新华路")
    seconds, result, queries = timed_import(user, changed)
    final = counts()
    note = f"{totals(result)}; +{final[1] - again[1]} history"
    yield ("re-import changing every address", seconds, rows / seconds, queries, note)


# --- the admin's path: import jobs -------------------------------------------------------------


def clock():
    """CPU seconds of this process on SQLite (it runs in the process); wall seconds on a server database."""
    return time.process_time() if connection.vendor == "sqlite" else time.perf_counter()


def job_counts() -> tuple[int, int, int]:
    from bureau.models import AuditEvent, Person

    writes = AuditEvent.objects.filter(
        kind__in=[AuditEvent.Kind.CREATE, AuditEvent.Kind.UPDATE], content_type__model="person"
    ).count()
    return Person.objects.count(), Person.history.count(), writes


def upload_job(user, content: bytes):
    """The admin's upload: the checked file stored and validated (the task runs eagerly here); seconds, job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bureau.importexport import jobs
    from bureau.models import ImportJob

    start = clock()
    job = jobs.import_job_create(
        user=user, label="bureau.person", resource_index=0, upload=SimpleUploadedFile("人员.xlsx", content), kind="人员"
    )
    seconds = clock() - start
    job.refresh_from_db()
    expect(job.status == ImportJob.Status.VALIDATED, f"job {job.pk} is {job.status}: {job.errors[:3]}")
    return seconds, job


def confirm_job(user, job):
    from bureau.importexport import jobs
    from bureau.models import ImportJob

    start = clock()
    jobs.import_job_confirm(job=job, by=user)
    seconds = clock() - start
    job.refresh_from_db()
    expect(job.status == ImportJob.Status.DONE, f"job {job.pk} is {job.status}: {job.errors[:3]}")
    return seconds


def write_phase_timer():
    """Times the batch writes of changed rows (PortalResource.bulk_update) while it is open; a list of seconds."""
    from contextlib import contextmanager

    from bureau.importexport.resources import PortalResource

    @contextmanager
    def timing():
        spent = []
        original = PortalResource.bulk_update

        def timed(self, *args, **kwargs):
            start = clock()
            try:
                return original(self, *args, **kwargs)
            finally:
                spent.append(clock() - start)

        PortalResource.bulk_update = timed
        try:
            yield spent
        finally:
            PortalResource.bulk_update = original

    return timing()


def run_job_bench(user, township_names: list[str], rows: int = 20_000, first: int = 2_000_000):
    """
    The admin's import (upload → validation job → preview → confirm → import job) of `rows` new people,
    beside the floor; the preview page's size; the same file again; every address changed. Yields
    printable lines; stops (SystemExit) on a wrong answer.
    """
    from django.test import Client

    from bureau.celery import app as celery_app

    # Jobs run in this process (the embedded default), whatever REDIS_URL says.
    celery_app.conf.task_always_eager = True
    numbers = range(first, first + rows)
    content = person_file(numbers, township_names)
    floor_seconds = min(floor(content) for _ in range(3))
    yield f"{'floor: openpyxl parse + bulk_create (best of 3)':<50} {floor_seconds:7.2f} s {rows / floor_seconds:8.0f} rows/s"

    before = job_counts()
    validate_seconds, job = upload_job(user, content)
    expect(job.summary["new"] == rows, f"preview: {job.summary.get('new')} new rows, expected {rows}")
    yield f"{'upload + validation job (dry run)':<50} {validate_seconds:7.2f} s {rows / validate_seconds:8.0f} rows/s"
    client = Client()
    client.force_login(user)
    page = client.get(f"/admin/bureau/person/import/{job.pk}/")
    expect(page.status_code == 200 and "确认导入" in page.content.decode(), f"preview page: HTTP {page.status_code}")
    yield f"{'preview page':<50} {len(page.content) / 1024:7.1f} KiB (limit 5 MB)"
    apply_seconds = confirm_job(user, job)
    after = job_counts()
    expect(after[0] - before[0] == rows, f"{after[0] - before[0]} people written, expected {rows}")
    yield (
        f"{'confirm: import job (create)':<50} {apply_seconds:7.2f} s {rows / apply_seconds:8.0f} rows/s"
        f"  ratio to floor {floor_seconds / apply_seconds:.2f}; +{after[0] - before[0]} people, +{after[1] - before[1]} history"
    )
    total = validate_seconds + apply_seconds
    yield (
        f"{'  both jobs, validation + import':<50} {total:7.2f} s {rows / total:8.0f} rows/s"
        f"  ratio to floor {floor_seconds / total:.2f}"
    )

    validate_seconds, job = upload_job(user, content)
    expect(job.summary["skip"] == rows, f"unchanged file: {job.summary}")
    apply_seconds = confirm_job(user, job)
    again = job_counts()
    written = [again[index] - after[index] for index in range(3)]
    expect(written == [0, 0, 0], f"the unchanged file wrote {written}")
    total = validate_seconds + apply_seconds
    yield (
        f"{'unchanged re-import, both jobs':<50} {total:7.2f} s {rows / total:8.0f} rows/s"
        f"  written: {written[0]} people, {written[1]} history rows, {written[2]} audit events"
    )

    changed = person_file(numbers, township_names, address="新华路")
    validate_seconds, job = upload_job(user, changed)
    expect(job.summary["update"] == rows, f"changed file: {job.summary}")
    with write_phase_timer() as spent:
        apply_seconds = confirm_job(user, job)
    final = job_counts()
    expect(final[1] - again[1] == rows, f"{final[1] - again[1]} history rows for {rows} changed rows")
    writing = sum(spent)
    yield f"{'changed re-import (every address), both jobs':<50} {validate_seconds + apply_seconds:7.2f} s {rows / (validate_seconds + apply_seconds):8.0f} rows/s"
    yield (
        f"{'  of which writing the changed rows':<50} {writing:7.2f} s {rows / writing:8.0f} rows/s"
        f"  (UPDATE, {final[1] - again[1]} history rows, audit events)"
    )


def townships_and_clerk():
    """Twelve townships and a bureau clerk, on an empty database."""
    from django.contrib.auth.models import Group

    from bureau import roles
    from bureau.models import Township, User

    townships = [Township.objects.create(code=f"T{n:02d}", name=f"第{n}镇", order=n) for n in range(1, 13)]
    clerk = User.objects.create(username="bench-clerk", is_staff=True)
    clerk.groups.set(Group.objects.filter(name=roles.BUREAU_STAFF))
    return townships, User.objects.get(pk=clerk.pk)


def peak_memory(rows: int) -> None:
    """Import `rows` new people through both jobs in this process, on a database file; print the peak RSS."""
    import resource
    import tempfile

    if connection.vendor == "sqlite":
        # A file: an in-memory database would count its own pages as the import's memory.
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.gettempdir()) / "portal-bench-memory.sqlite3")
    else:
        # Not the test database `make bench` may be using.
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_memory"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        townships, clerk = townships_and_clerk()
        from bureau.celery import app as celery_app

        celery_app.conf.task_always_eager = True
        content = person_file(range(3_000_000, 3_000_000 + rows), [t.name for t in townships])
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _, job = upload_job(clerk, content)
        confirm_job(clerk, job)
        expect(job.result.get("new") == rows, f"{job.result}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        largest = " (IMPORT_MAX_ROWS: the largest file allowed)" if rows == settings.IMPORT_MAX_ROWS else ""
        verdict = "under" if peak < 400 else "OVER"
        print(
            f"peak RSS importing {rows} rows{largest}: {peak:.0f} MB "
            f"(before the import: {baseline:.0f} MB; {verdict} the 400 MB bound)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def totals(result) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in result.totals.items() if count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the imported file")
    parser.add_argument("--registry", type=int, default=0, help="people registered before the import")
    parser.add_argument("--jobs", action="store_true", help="the admin's path: upload, validation job, confirm")
    parser.add_argument("--memory", type=int, default=0, help="only: the peak memory of importing this many rows")
    arguments = parser.parse_args()
    setup_test_environment()
    if arguments.memory:
        peak_memory(arguments.memory)
        return

    from bureau.models import Person

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        townships, clerk = townships_and_clerk()
        Person.objects.bulk_create(
            [
                Person(name=f"在册{n}", id_number=id_number(n), township=townships[n % 12], review_status="approved")
                for n in range(arguments.registry)
            ],
            batch_size=500,
        )
        print(f"{connection.vendor}, {arguments.rows} rows, registry of {arguments.registry} people")
        names = [t.name for t in townships]
        if arguments.jobs:
            for line in run_job_bench(clerk, names, arguments.rows):
                print(line, flush=True)
            return
        for label, seconds, rate, queries, note in run_import_bench(clerk, names, arguments.rows):
            shown_queries = "" if queries is None else f"{queries:7d} queries"
            print(f"{label:<38} {seconds:7.2f} s {rate:9.0f} rows/s {shown_queries:>15}  {note}", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
