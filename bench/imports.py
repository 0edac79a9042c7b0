"""
How fast the admin's import is, beside a tight floor measured in the same run, on a throwaway database.

    .venv/bin/python bench/imports.py [--rows 20000] [--reimports]   # the admin's path, as `make bench` runs it
    .venv/bin/python bench/imports.py --memory 100000                # peak memory of a 100,000-row import

A file of `--rows` new people in the import template's format goes the admin's way over HTTP (the
Django test client, Celery eager in this process): the upload (stored, then the validation job's
dry run), the preview page, the confirm (the import job). The floor is the least any import of that
file can do with the project's own parts: the sheet reader (bureau.importexport.sheet) and one
multi-row INSERT (bureau.base.bulk.insert_rows) of the same people, unvalidated, without history or
audit (rolled back). Times are wall seconds (CPU seconds of this process beside them), the ratio is
project ÷ floor with "×" (the acceptance: both jobs ≤ 4×). SQLite by default, PostgreSQL when
DATABASE_URL is set. Each step is checked (job status, rows new/unchanged/changed, what was written)
before its time is printed. `--reimports` adds the same file again (nothing may be written) and a
file changing every row's address.

`--memory` runs both jobs on a database file and prints the process's peak resident memory.
It measures and reports; it asserts only that each answer is right.
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
from django.test.utils import setup_test_environment  # noqa: E402

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


def floor(content: bytes) -> tuple[float, float]:
    """(wall, CPU) seconds to read the file with the project's sheet reader and INSERT its people in one go; rolled back."""
    from bureau.base.bulk import insert_rows
    from bureau.importexport import sheet
    from bureau.models import Person, Township

    townships = dict(Township.objects.values_list("name", "pk"))
    wall, cpu = time.perf_counter(), time.process_time()
    rows = sheet.read_rows(content)[1:]
    people = [
        Person(
            name=name,
            id_number=number,
            gender="M",
            birth_date=datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            phone=phone,
            township_id=townships[township],
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
        insert_rows(Person, people)
        elapsed = time.perf_counter() - wall, time.process_time() - cpu
        transaction.set_rollback(True)
    return elapsed


# --- the admin's path: import jobs over HTTP ----------------------------------------------------

IMPORT_URL = "/admin/bureau/person/import/"
CONFIRM_URL = "/admin/bureau/person/process_import/"


class Clock:
    """Wall and CPU seconds of a step."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def shown(wall: float, cpu: float, rows: int) -> str:
    return f"{wall:7.2f} s wall (CPU {cpu:6.2f} s) {rows / wall:7.0f} rows/s"


def job_counts() -> tuple[int, int, int]:
    from bureau.models import AuditEvent, Person

    writes = AuditEvent.objects.filter(
        kind__in=[AuditEvent.Kind.CREATE, AuditEvent.Kind.UPDATE], content_type__model="person"
    ).count()
    return Person.objects.count(), Person.history.count(), writes


def upload_job(user, content: bytes):
    """The admin's upload: the checked file stored and validated (the task runs eagerly here); the job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bureau.importexport import jobs
    from bureau.models import ImportJob

    job = jobs.import_job_create(
        user=user, label="bureau.person", resource_index=0, upload=SimpleUploadedFile("人员.xlsx", content), kind="人员"
    )
    job.refresh_from_db()
    expect(job.status == ImportJob.Status.VALIDATED, f"job {job.pk} is {job.status}: {job.errors[:3]}")
    return job


def confirm_job(user, job) -> None:
    from bureau.importexport import jobs
    from bureau.models import ImportJob

    jobs.import_job_confirm(job=job, by=user)
    job.refresh_from_db()
    expect(job.status == ImportJob.Status.DONE, f"job {job.pk} is {job.status}: {job.errors[:3]}")


def http_import(client, content: bytes) -> tuple[Clock, Clock, object]:
    """Upload (validation job) + preview page, then confirm (import job), over HTTP; their clocks and the job."""
    from bureau.models import ImportJob

    upload = BytesIO(content)
    upload.name = "人员.xlsx"
    with Clock() as validation:
        response = client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": upload})
        expect(response.status_code == 302, f"upload: HTTP {response.status_code}")
        page = client.get(response["Location"])
    job = ImportJob.objects.order_by("-pk").first()
    expect(job.status == ImportJob.Status.VALIDATED, f"job {job.pk} is {job.status}: {job.errors[:3]}")
    expect(page.status_code == 200 and "确认导入" in page.content.decode(), f"preview page: HTTP {page.status_code}")
    with Clock() as apply:
        response = client.post(CONFIRM_URL, {"job": job.pk})
    expect(response.status_code == 302, f"confirm: HTTP {response.status_code}")
    job.refresh_from_db()
    expect(job.status == ImportJob.Status.DONE, f"job {job.pk} is {job.status}: {job.errors[:3]}")
    return validation, apply, job


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): wall times on a shared machine are read beside it."""
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def run_job_bench(user, township_names: list[str], rows: int = 20_000, first: int = 2_000_000, reimports: bool = False):
    """
    The admin's import over HTTP (upload → validation job → preview → confirm → import job) of `rows`
    new people, beside the floor; with `reimports`, the same file again and every address changed.
    Yields printable lines; stops (SystemExit) on a wrong answer.
    """
    from django.test import Client

    from bureau.celery import app as celery_app

    # Jobs run in this process (the embedded default), whatever REDIS_URL says.
    celery_app.conf.task_always_eager = True
    numbers = range(first, first + rows)
    content = person_file(numbers, township_names)
    floor_wall, floor_cpu = min(floor(content) for _ in range(3))
    yield f"{'floor: sheet reader + insert_rows (best of 3)':<46} {shown(floor_wall, floor_cpu, rows)}"

    client = Client()
    client.force_login(user)
    # A warm process, as a server's: the admin's URLs, templates and the import form loaded once.
    expect(client.get(IMPORT_URL).status_code == 200, "the import page does not answer")
    before = job_counts()
    validation, apply, job = http_import(client, content)
    after = job_counts()
    expect(job.summary["new"] == rows, f"preview: {job.summary.get('new')} new rows, expected {rows}")
    expect(after[0] - before[0] == rows, f"{after[0] - before[0]} people written, expected {rows}")
    expect(after[1] - before[1] == rows, f"{after[1] - before[1]} history rows, expected {rows}")
    expect(after[2] - before[2] == rows, f"{after[2] - before[2]} audit events, expected {rows}")
    yield f"{'upload + validation job + preview (HTTP)':<46} {shown(validation.wall, validation.cpu, rows)}"
    yield f"{'confirm: import job (HTTP)':<46} {shown(apply.wall, apply.cpu, rows)}"
    wall, cpu = validation.wall + apply.wall, validation.cpu + apply.cpu
    yield (
        f"{'both jobs':<46} {shown(wall, cpu, rows)}"
        f"  {wall / floor_wall:.2f}× floor (CPU {cpu / floor_cpu:.2f}×; acceptance ≤ 4×), load {load_average()}"
    )
    if not reimports:
        return

    validation, apply, job = http_import(client, content)
    again = job_counts()
    written = [again[index] - after[index] for index in range(3)]
    expect(job.summary["skip"] == rows, f"unchanged file: {job.summary}")
    expect(written == [0, 0, 0], f"the unchanged file wrote {written}")
    yield f"{'unchanged re-import, both jobs':<46} {shown(validation.wall + apply.wall, validation.cpu + apply.cpu, rows)}"

    validation, apply, job = http_import(client, person_file(numbers, township_names, address="新华路"))
    final = job_counts()
    expect(job.summary["update"] == rows, f"changed file: {job.summary}")
    expect(final[1] - again[1] == rows, f"{final[1] - again[1]} history rows for {rows} changed rows")
    yield f"{'every address changed, both jobs':<46} {shown(validation.wall + apply.wall, validation.cpu + apply.cpu, rows)}"


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
        job = upload_job(clerk, content)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the imported file")
    parser.add_argument("--registry", type=int, default=0, help="people registered before the import")
    parser.add_argument("--jobs", action="store_true", help="(the default) the admin's path over HTTP")
    parser.add_argument("--reimports", action="store_true", help="also the same file again, and every address changed")
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
        print(
            f"{connection.vendor}, {arguments.rows} rows, registry of {arguments.registry} people, load {load_average()}"
        )
        names = [t.name for t in townships]
        for line in run_job_bench(clerk, names, arguments.rows, reimports=arguments.reimports):
            print(line, flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
