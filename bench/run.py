"""
`make bench`: the portal's heavy paths at district scale, each beside its floor.

    .venv/bin/python bench/run.py                    # --scale district: 50,000 persons, 500,000 payments
    .venv/bin/python bench/run.py --scale city       # 10x; by hand only, it takes a while
    .venv/bin/python bench/run.py --keep / --reuse   # keep the database / time again on a kept one

Builds a throwaway database (a SQLite file by default, a PostgreSQL test database when
DATABASE_URL names one): `seed_demo --scale district` (the area records the report counts), then
the registry and the ledger filled to the scale with `bulk_create` (bench/registry.py).

Each path is run once and its response checked (status, content type, rows) before it is timed;
a wrong answer stops the bench rather than timing an error page. Beside each path, its floor,
measured in the same run: the least the same work can cost (the same rows fetched by the ORM,
the same workbook written by openpyxl, page 1 for a deep page), and the ratio of the two; 确认选岗 on
the demo's placement batch, the median of its confirmations (bench/placement.py, target < 300 ms). Then a
real gunicorn on 127.0.0.1 serves 20 clients for ~20 s (bench/load.py). Then the admin's import
of 20,000 people as jobs and the peak memory of a 100,000-row one (bench/imports.py). It measures;
it fails only when an answer is wrong. Not part of `make test` or CI.
"""

import argparse
import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench import load  # noqa: E402
from bench.placement import confirm_lines  # noqa: E402
from bench.registry import SCALES, registry_fill  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2021


class WrongAnswer(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise WrongAnswer(message)


def median_of(action, check, repeat: int) -> tuple[float, int]:
    """Median seconds of `action`, and its queries; `check` sees every result, the first one untimed."""
    with CaptureQueriesContext(connection) as queries:
        check(action())
    query_count = len(queries.captured_queries)
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
        check(result)
    return statistics.median(durations), query_count


def report(label: str, seconds: float, queries: int | None = None, floor: tuple[str, float] | None = None) -> None:
    line = f"{label:<46} {seconds * 1000:10.1f} ms"
    line += f" {queries:5d} q" if queries is not None else " " * 8
    if floor:
        name, floor_seconds = floor
        line += f"   floor {floor_seconds * 1000:9.1f} ms ({name}), ratio {seconds / floor_seconds:6.1f}"
    print(line, flush=True)


def path(label, action, check, *, floor=None, repeat=REPEAT) -> float:
    seconds, queries = median_of(action, check, repeat)
    floor_result = None
    if floor is not None:
        name, floor_action, floor_check = floor
        floor_seconds, _ = median_of(floor_action, floor_check, repeat)
        floor_result = (name, floor_seconds)
    report(label, seconds, queries, floor_result)
    return seconds


# --- checks ------------------------------------------------------------------------------


def json_page(rows: int):
    def check(response):
        expect(response.status_code == 200, f"HTTP {response.status_code}: {response.content[:300]!r}")
        expect(response["Content-Type"].startswith("application/json"), f"not JSON: {response['Content-Type']}")
        got = len(response.json()["results"])
        expect(got == rows, f"{got} rows, expected {rows}")

    return check


def change_list(rows: int):
    def check(response):
        expect(response.status_code == 200, f"HTTP {response.status_code}")
        expect(response["Content-Type"].startswith("text/html"), f"not HTML: {response['Content-Type']}")
        got = len(response.context["cl"].result_list)
        expect(got == rows, f"{got} rows on the page, expected {rows}")

    return check


def rows_fetched(rows: int):
    def check(result):
        expect(len(result) == rows, f"{len(result)} rows, expected {rows}")

    return check


def workbook(rows: int, cells: list):
    """The answer is an xlsx file of `rows` data rows; its cells are kept in `cells` for the floor."""

    def check(response):
        from openpyxl import load_workbook

        expect(response.status_code == 200, f"HTTP {response.status_code}: {response.content[:300]!r}")
        expect(response["Content-Type"] == XLSX, f"not an xlsx file: {response['Content-Type']}")
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        cells[:] = list(sheet.iter_rows(values_only=True))
        expect(len(cells) - 1 == rows, f"{len(cells) - 1} data rows in the workbook, expected {rows}")

    return check


def export_job_file(rows: int, cells: list):
    """
    The answer is 我的导出 (the export ran as a job: eagerly, within the request, on the embedded
    default), and the user's newest export is a finished xlsx file of `rows` data rows.
    """

    def check(response):
        from openpyxl import load_workbook

        from bureau.models import ExportJob

        expect(response.status_code == 302, f"HTTP {response.status_code}, expected the redirect to 我的导出")
        expect(response["Location"].endswith("/admin/exports/"), f"redirected to {response['Location']}")
        job = ExportJob.objects.order_by("-pk").first()
        expect(job is not None and job.status == ExportJob.Status.DONE, f"export job: {job and job.status}")
        with job.file.open("rb") as stored:
            sheet = load_workbook(io.BytesIO(stored.read()), read_only=True).worksheets[0]
            cells[:] = list(sheet.iter_rows(values_only=True))
        expect(len(cells) - 1 == rows, f"{len(cells) - 1} data rows in the workbook, expected {rows}")

    return check


# --- the paths ---------------------------------------------------------------------------


def export_form_data(client: Client, url: str) -> dict:
    """The export form as the admin offers it, every column ticked, masked (no purpose)."""
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        initial = form.get_initial_for_field(field, name)
        if field.__class__.__name__ == "BooleanField":
            if initial and name != "unmasked":
                data[name] = "on"
        elif initial is not None:
            data[name] = initial
    data["format"] = "0"
    return data


def workbook_floor(rows: list[tuple]):
    """openpyxl's write-only mode writing the same rows: what any xlsx export costs at least."""
    from openpyxl import Workbook

    def action():
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return action


def cursor_near_the_end(model, keyset: tuple[str, ...], rows_after: int) -> str:
    """The `?cursor=` of the page `rows_after` rows before the end of the list."""
    from bureau.api.pagination import KeysetPagination

    total = model.objects.count()
    row = model.objects.order_by(*keyset)[total - rows_after - 1]
    paginator = KeysetPagination()
    paginator.keyset = keyset
    return paginator.encode_cursor(row, backwards=False)


def time_paths(scale: str) -> None:
    from bureau.api.pagination import KeysetPagination
    from bureau.models import Payment, Person, User
    from reports.compose import compose_report
    from reports.docx import render_docx
    from reports.xlsx import render_xlsx

    persons, payments = Person.objects.count(), Payment.objects.count()
    print(f"registry: {persons} persons, {payments} payments\n")
    page = KeysetPagination.page_size

    document = compose_report(year=YEAR)
    path("compose_report (no floor)", lambda: compose_report(year=YEAR), lambda result: expect(result, "empty"))
    path("render_docx (no floor)", lambda: render_docx(document), lambda result: expect(result, "empty"))
    path("render_xlsx (no floor)", lambda: render_xlsx(document), lambda result: expect(result, "empty"))

    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))

    payment_rows = Payment.objects.select_related("person", "programme").order_by("-paid_on", "-id")
    fetch_page = ("ORM, same rows", lambda: list(payment_rows[:page]), rows_fetched(page))
    payments_first = path(
        "API payments page 1",
        lambda: clerk.get("/api/v1/payments/"),
        json_page(page),
        floor=fetch_page,
    )
    path(
        "API payments ?page=20", lambda: clerk.get("/api/v1/payments/", {"page": 20}), json_page(page), floor=fetch_page
    )
    deep = cursor_near_the_end(Payment, ("-paid_on", "-id"), page)
    path(
        "API payments, the last page (cursor)",
        lambda: clerk.get("/api/v1/payments/", {"cursor": deep}),
        json_page(page),
        floor=("API page 1", lambda: clerk.get("/api/v1/payments/"), json_page(page)),
    )
    report("  (page 1 above)", payments_first)
    path(
        "API payments ?year=2021 page 1",
        lambda: clerk.get("/api/v1/payments/", {"year": YEAR}),
        json_page(page),
        floor=fetch_page,
    )

    person_rows = Person.objects.select_related("township").prefetch_related("categories").order_by("id")
    deep_person = cursor_near_the_end(Person, ("id",), page)
    path(
        "API persons page 1",
        lambda: clerk.get("/api/v1/persons/"),
        json_page(page),
        floor=("ORM, same rows", lambda: list(person_rows[:page]), rows_fetched(page)),
    )
    path(
        "API persons, the last page (cursor)",
        lambda: clerk.get("/api/v1/persons/", {"cursor": deep_person}),
        json_page(page),
        floor=("API page 1", lambda: clerk.get("/api/v1/persons/"), json_page(page)),
    )

    admin_page = 100
    path(
        "admin payment list",
        lambda: clerk.get("/admin/bureau/payment/"),
        change_list(admin_page),
        floor=("ORM, same rows", lambda: list(payment_rows.select_related("batch")[:admin_page]), rows_fetched(100)),
    )
    path(
        "admin person list",
        lambda: clerk.get("/admin/bureau/person/"),
        change_list(admin_page),
        floor=(
            "ORM, same rows",
            lambda: list(Person.objects.select_related("township").order_by("township__order", "name")[:admin_page]),
            rows_fetched(admin_page),
        ),
    )
    path("admin index with the review inbox", lambda: clerk.get("/admin/"), lambda r: expect(r.status_code == 200, "!"))

    export_url = "/admin/bureau/person/export/"
    data = export_form_data(clerk, export_url)
    cells: list = []
    path(
        f"admin export of all {persons} persons (xlsx job)",
        lambda: clerk.post(export_url, data),
        export_job_file(persons, cells),
        # The floor writes the very cells the export wrote.
        floor=("openpyxl write-only, same cells", workbook_floor(cells), lambda c: expect(len(c) > 0, "empty")),
        repeat=1,
    )

    station = Client()
    station.force_login(User.objects.filter(username__startswith="station_").order_by("username").first())
    path(
        "station submissions list (no floor)",
        lambda: station.get("/station/submissions/"),
        lambda r: expect(r.status_code == 200 and r["Content-Type"].startswith("text/html"), f"HTTP {r.status_code}"),
    )

    # The placement desk's 确认选岗 on the demo's batch in preparation (bench/placement.py), target < 300 ms.
    for line in confirm_lines():
        print(line, flush=True)


def import_paths(rows: int, memory_rows: int) -> None:
    """The admin's import of a registry (bench/imports.py), then the peak memory of a larger one in a process of its own."""
    from bench.imports import run_job_bench
    from bureau.models import Township, User

    clock = "CPU seconds of this process" if connection.vendor == "sqlite" else "wall seconds"
    print(f"\nimport of {rows} new people as the admin runs it ({clock}):")
    names = list(Township.objects.values_list("name", flat=True))
    for line in run_job_bench(User.objects.get(username="clerk"), names, rows):
        print(f"  {line}", flush=True)
    if memory_rows:
        connection.close()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "imports.py"), "--memory", str(memory_rows)], cwd=ROOT, check=True
        )


def gunicorn_load(database_url: str, seconds: float, clients: int) -> None:
    from rest_framework.authtoken.models import Token

    from bureau.models import User

    token = Token.objects.get_or_create(user=User.objects.get(username="clerk"))[0].key
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        # No Celery worker or beat runs beside this gunicorn: with a broker, /healthz (the floor, and
        # the readiness probe below) would report them down with a 503.
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = load.free_port()
    # As docker-compose.yml runs it: three sync workers.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bureau.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        load.wait_until_up(f"{base}/healthz", server)
        print(f"\ngunicorn, 3 sync workers, {clients} clients for {seconds:.0f} s each:")
        headers = {"Authorization": f"Token {token}"}
        lists = load.run(base, ["/api/v1/persons/", "/api/v1/payments/"], headers, clients=clients, seconds=seconds)
        floor = load.run(base, ["/healthz"], {}, clients=clients, seconds=seconds / 2, json_rows=None)
        for name, figures in {**lists, **floor}.items():
            print(f"  {name:<44} {load.describe(figures)}")
        lists_p95 = max(figures["p95"] for figures in lists.values())
        print(f"  p95 of the lists / p95 of /healthz (floor): {lists_p95 / floor['/healthz']['p95']:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def database_url_of(settings_dict: dict) -> str:
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**settings_dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="district")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument("--reuse", action="store_true", help="time again on a database kept by --keep")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="length of the gunicorn load run")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients of the load run")
    parser.add_argument("--skip-load", action="store_true", help="no gunicorn load run")
    parser.add_argument("--skip-imports", action="store_true", help="no import jobs, no memory run")
    parser.add_argument("--import-rows", type=int, default=20_000, help="rows of the imported file")
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=settings.IMPORT_MAX_ROWS,
        help="rows of the import whose peak RSS is measured (default: IMPORT_MAX_ROWS, the largest file allowed)",
    )
    parser.add_argument("--skip-payroll", action="store_true", help="no monthly payroll run")
    parser.add_argument("--payroll-people", type=int, default=50_000, help="beneficiaries of the monthly payroll run")
    options = parser.parse_args()

    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, not memory: gunicorn's workers open the same database.
        name = str(Path(tempfile.gettempdir()) / f"portal-bench-{options.scale}.sqlite3")
        connection.settings_dict["TEST"]["NAME"] = name
    reuse = options.reuse and connection.vendor == "sqlite" and Path(name).exists()
    if reuse:
        old_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = name
    else:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if not reuse:
            start = time.perf_counter()
            call_command("seed_demo", "--year", str(YEAR), "--scale", "district", stdout=io.StringIO())
            print(f"{'seed_demo --scale district':<46} {time.perf_counter() - start:10.1f} s")
        start = time.perf_counter()
        persons, payments = registry_fill(scale=options.scale, year=YEAR)
        print(f"{f'bulk registry: +{persons} persons, +{payments} payments':<46} {time.perf_counter() - start:10.1f} s")
        if persons or payments:
            # Statistics for the query planner, as a database that grew over time has them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        time_paths(options.scale)
        if not options.skip_load:
            connection.close()
            gunicorn_load(database_url_of(connection.settings_dict), options.load_seconds, options.clients)
        if not options.skip_imports:
            import_paths(options.import_rows, options.memory_rows)
        if not options.skip_payroll:
            # A database of its own (bench/payroll.py): the payroll's beneficiaries are not the demo district.
            connection.close()
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "payroll.py"), "--people", str(options.payroll_people)],
                cwd=ROOT,
                check=True,
            )
    finally:
        if options.keep or reuse:
            print(f"\nkept: {connection.settings_dict['NAME']}")
            connection.close()
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
