"""
`make bench`: the portal's heavy paths at district scale, each beside its floor.

    .venv/bin/python bench/run.py                    # --scale district: 50,000 persons, 500,000 payments
    .venv/bin/python bench/run.py --scale city       # PostgreSQL only: then 450,000 / 4.5 million as well
    .venv/bin/python bench/run.py --keep / --reuse   # keep the database / time again on a kept one
    .venv/bin/python bench/run.py --load-only        # build and fill the database, time the loader, stop

Builds a throwaway database (a SQLite file by default, a PostgreSQL test database when
DATABASE_URL names one): `seed_demo --scale district` (the demo's area records and users), then
the registry filled by SQL to the district's size (bench/registry.py: persons with categories,
bank accounts, payments and the area records the report counts).

Every time is wall seconds, the median of BENCH_REPEAT runs (CPU seconds of this process beside
it: on SQLite the database's work is in it too); every ratio is project ÷ floor, printed with ×;
each floor is named on its line; the load average (/proc/loadavg) is printed at the start and
beside each section, the machine being possibly shared. Each path is run once and its answer
checked (status, content type, rows) before it is timed; a wrong answer stops the bench rather
than timing an error page. The floors: a list page's own SELECT of its rows, captured from the
request and executed alone; the export's: openpyxl's write-only mode writing the very cells the
export wrote; 确认选岗's: the batch locked and the selection row inserted (bench/placement.py,
target < 300 ms); the import's and the payroll's: see bench/imports.py and bench/payroll.py.

At district: compose_report, the API and admin lists, the report's files, the admin index, the
export, 确认选岗. With --scale city (PostgreSQL): the report and the lists at district, the
registry filled to the city, the report and the lists again, city ÷ district (compose ≤ 1.5×).
Then a real gunicorn (3 sync workers, as docker-compose.yml runs it) serves 20 clients on each of
the API person and payment lists and the admin person and payment lists in turn (bench/load.py,
p95 beside /healthz's); the admin's import of 20,000 people as jobs and the peak memory of a
larger one (bench/imports.py); the monthly payroll of the scale's persons on a database of its
own (bench/payroll.py). It measures; it fails only when an answer is wrong. Not part of
`make test` or CI.
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
# One key for this process and the gunicorn it starts (the admin's session is signed with it); not the public one.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

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
ADMIN_PAGE = 100


class WrongAnswer(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise WrongAnswer(message)


def loadavg() -> str:
    """The machine's load average (1, 5, 15 minutes), printed beside every section: the machine may be shared."""
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load ?"


def heading(title: str) -> None:
    print(f"\n{title}   [{loadavg()}]", flush=True)


def median_of(action, check, repeat: int) -> tuple[float, int, float]:
    """
    Median wall seconds of `action`, its queries and the median CPU seconds of this process;
    `check` sees every result, the first one untimed.
    """
    with CaptureQueriesContext(connection) as queries:
        check(action())
    query_count = len(queries.captured_queries)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        check(result)
    return statistics.median(walls), query_count, statistics.median(cpus)


def ratio(project: float, floor: float) -> str:
    """Always project ÷ floor: how many times the floor the project costs."""
    return f"{project / floor:6.1f}×" if floor > 0 else "     ∞×"


def report(
    label: str,
    seconds: float,
    queries: int | None = None,
    floor: tuple[str, float] | None = None,
    cpu: float | None = None,
) -> None:
    line = f"{label:<46} {seconds * 1000:10.1f} ms"
    line += f" {queries:5d} q" if queries is not None else " " * 8
    if cpu is not None:
        line += f"  CPU {cpu * 1000:8.1f} ms"
    if floor:
        name, floor_seconds = floor
        line += f"   {ratio(seconds, floor_seconds)} floor {floor_seconds * 1000:.1f} ms ({name})"
    print(line, flush=True)


def path(label, action, check, *, floor=None, repeat=REPEAT) -> tuple[float, int]:
    """Time `action` (wall, median) beside its floor; prints one line; returns (seconds, queries)."""
    seconds, queries, cpu = median_of(action, check, repeat)
    floor_result = None
    if floor is not None:
        name, floor_action, floor_check = floor
        floor_seconds, _, _ = median_of(floor_action, floor_check, repeat)
        floor_result = (name, floor_seconds)
    report(label, seconds, queries, floor_result, cpu)
    return seconds, queries


def page_select(action, table: str):
    """
    The floor of a list page: the page's own SELECT of its rows, as the request issued it (the longest
    query reading `table` with a LIMIT), executed again alone and fetched. Returns (name, action, check).
    """
    with CaptureQueriesContext(connection) as captured:
        action()
    quoted = connection.ops.quote_name(table)
    selects = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
        and f"FROM {quoted}" in query["sql"]
        and "LIMIT" in query["sql"]
    ]
    expect(selects, f"no SELECT … FROM {table} … LIMIT among the page's {len(captured.captured_queries)} queries")
    sql = max(selects, key=len)

    def run_select():
        with connection.cursor() as cursor:
            cursor.execute(sql)  # as executed: no parameters to substitute again
            return cursor.fetchall()

    return (f"the page's own SELECT, {table}", run_select, lambda rows: expect(rows, "no rows"))


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


def registry_size() -> tuple[int, int]:
    from bureau.models import Payment, Person

    return Person.objects.count(), Payment.objects.count()


def size() -> str:
    persons, payments = registry_size()
    return f"{persons} persons, {payments} payments"


def clerk_client() -> Client:
    from bureau.models import User

    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    return clerk


def time_report(scale: str) -> dict:
    """compose_report of the year, the district's report (no floor: what grows with size is the figure)."""
    from reports.compose import compose_report

    heading(f"report compose at {scale} ({size()})")
    seconds, queries = path(
        f"compose_report {YEAR}, {scale}", lambda: compose_report(year=YEAR), lambda result: expect(result, "empty")
    )
    return {"compose": seconds, "compose_queries": queries}


def time_lists(scale: str) -> dict:
    """The API lists and the admin person and payment lists, one request each, beside the page's own SELECT."""
    from bureau.api.pagination import KeysetPagination
    from bureau.models import Payment, Person

    heading(f"lists, one request at a time, at {scale} ({size()})")
    page = KeysetPagination.page_size
    clerk = clerk_client()
    figures = {}

    def api(label, url, params, table):
        action = lambda: clerk.get(url, params)  # noqa: E731
        return path(label, action, json_page(page), floor=page_select(action, table))

    figures["api_payments"] = api(f"API payments page 1, {scale}", "/api/v1/payments/", {}, "bureau_payment")
    api(f"API payments ?page=20, {scale}", "/api/v1/payments/", {"page": 20}, "bureau_payment")
    deep = cursor_near_the_end(Payment, ("-paid_on", "-id"), page)
    api(f"API payments, the last page (cursor), {scale}", "/api/v1/payments/", {"cursor": deep}, "bureau_payment")
    api(f"API payments ?year={YEAR} page 1, {scale}", "/api/v1/payments/", {"year": YEAR}, "bureau_payment")
    figures["api_persons"] = api(f"API persons page 1, {scale}", "/api/v1/persons/", {}, "bureau_person")
    deep_person = cursor_near_the_end(Person, ("id",), page)
    api(f"API persons, the last page (cursor), {scale}", "/api/v1/persons/", {"cursor": deep_person}, "bureau_person")

    for key, label, url, table in (
        ("admin_payments", "admin payment list", "/admin/bureau/payment/", "bureau_payment"),
        ("admin_persons", "admin person list", "/admin/bureau/person/", "bureau_person"),
    ):
        action = lambda url=url: clerk.get(url)  # noqa: E731
        figures[key] = path(f"{label}, {scale}", action, change_list(ADMIN_PAGE), floor=page_select(action, table))
    return figures


def time_district_paths() -> None:
    """The paths measured at district scale only: the report's files, the admin index, the export, 确认选岗."""
    from bureau.models import User
    from reports.compose import compose_report
    from reports.docx import render_docx
    from reports.xlsx import render_xlsx

    heading("report files, admin index, export, station list, 确认选岗 (district)")
    document = compose_report(year=YEAR)
    path("render_docx (no floor)", lambda: render_docx(document), lambda result: expect(result, "empty"))
    path("render_xlsx (no floor)", lambda: render_xlsx(document), lambda result: expect(result, "empty"))
    clerk = clerk_client()
    path(
        "admin index with the review inbox (no floor)",
        lambda: clerk.get("/admin/"),
        lambda r: expect(r.status_code == 200, "!"),
    )

    persons, _ = registry_size()
    export_url = "/admin/bureau/person/export/"
    data = export_form_data(clerk, export_url)
    cells: list = []
    path(
        f"admin export of all {persons} persons (xlsx job)",
        lambda: clerk.post(export_url, data),
        export_job_file(persons, cells),
        # The floor writes the very cells the export wrote.
        floor=("openpyxl write-only, the same cells", workbook_floor(cells), lambda c: expect(len(c) > 0, "empty")),
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


def compare_scales(district: dict, city: dict) -> None:
    """City ÷ district for the report and the lists (the report's target: ≤ 1.5×)."""
    heading("city ÷ district")
    compose = city["compose"] / district["compose"]
    verdict = "met" if compose <= 1.5 else "NOT met"
    print(
        f"{'compose_report':<46} {ratio(city['compose'], district['compose'])}   "
        f"{district['compose'] * 1000:.0f} ms, {district['compose_queries']} q → {city['compose'] * 1000:.0f} ms, "
        f"{city['compose_queries']} q (target ≤ 1.5×: {verdict})"
    )
    for key, label in (
        ("admin_persons", "admin person list"),
        ("admin_payments", "admin payment list"),
        ("api_persons", "API persons page 1"),
        ("api_payments", "API payments page 1"),
    ):
        (d_seconds, d_queries), (c_seconds, c_queries) = district[key], city[key]
        print(
            f"{label:<46} {ratio(c_seconds, d_seconds)}   {d_seconds * 1000:.0f} ms, {d_queries} q → "
            f"{c_seconds * 1000:.0f} ms, {c_queries} q"
        )


def fill(scale: str) -> None:
    """The registry up to the scale by SQL (bench/registry.py), then ANALYZE."""
    start = time.perf_counter()
    written = registry_fill(scale=scale, year=YEAR)
    with connection.cursor() as cursor:
        # Statistics for the query planner, as a database that grew over time has them.
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - start
    rows = ", ".join(f"+{count} {name}" for name, count in written.items() if count)
    print(
        f"{f'SQL loader to {scale} (and ANALYZE)':<46} {seconds:10.1f} s   {rows or 'nothing to add'}   [{loadavg()}]"
    )


def import_paths(rows: int, memory_rows: int) -> None:
    """The admin's import of a registry (bench/imports.py), then the peak memory of a larger one in a process of its own."""
    from bench.imports import run_job_bench
    from bureau.models import Township, User

    heading(f"import of {rows} new people as the admin runs it (bench/imports.py)")
    names = list(Township.objects.values_list("name", flat=True))
    for line in run_job_bench(User.objects.get(username="clerk"), names, rows):
        print(f"  {line}", flush=True)
    if memory_rows:
        connection.close()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "imports.py"), "--memory", str(memory_rows)], cwd=ROOT, check=True
        )


# (label, path, what a right answer is) of the 20 clients' run, one list at a time.
LOAD_PATHS = [
    ("API persons", "/api/v1/persons/", "json"),
    ("API payments", "/api/v1/payments/", "json"),
    ("admin person list", "/admin/bureau/person/", "admin"),
    ("admin payment list", "/admin/bureau/payment/", "admin"),
]


def gunicorn_load(database_url: str, seconds: float, clients: int, scale: str) -> None:
    from django.conf import settings as django_settings
    from rest_framework.authtoken.models import Token

    from bureau.api.pagination import KeysetPagination
    from bureau.models import User

    clerk = User.objects.get(username="clerk")
    token = Token.objects.get_or_create(user=clerk)[0].key
    # The admin's lists take the clerk's session (a row of the database gunicorn reads).
    browser = Client()
    browser.force_login(clerk)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": django_settings.SECRET_KEY,  # the session's hash is checked with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        # No Celery worker or beat runs beside this gunicorn: with a broker, /healthz (the floor, and
        # the readiness probe below) would report them down with a 503.
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    connection.close()
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
        heading(f"gunicorn, 3 sync workers, {clients} clients on one list at a time for {seconds:.0f} s, {scale}")
        headers = {
            "json": {"Authorization": f"Token {token}"},
            "admin": {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}"},
        }
        answers = {"json": KeysetPagination.page_size, "admin": load.ADMIN_LIST}
        floor = load.run(base, ["/healthz"], {}, clients=clients, seconds=seconds / 2, json_rows=None)["/healthz"]
        for label, url, kind in LOAD_PATHS:
            figures = load.run(base, [url], headers[kind], clients=clients, seconds=seconds, json_rows=answers[kind])[
                url
            ]
            target = " (target < 200 ms)" if kind == "json" else " (target < 500 ms at city)"
            print(
                f"  {label:<28} {load.describe(figures)}   p95 {ratio(figures['p95'], floor['p95']).strip()} "
                f"the floor's{target}   [{loadavg()}]",
                flush=True,
            )
        print(f"  {'/healthz (floor)':<28} {load.describe(floor)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def database_url_of(settings_dict: dict) -> str:
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**settings_dict)


def open_database(scale: str, reuse: bool) -> tuple[str, bool]:
    """The bench's database: a SQLite file or PostgreSQL's test database; (the old name, whether it was reused)."""
    if connection.vendor == "sqlite":
        # A file, not memory: gunicorn's workers open the same database.
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.gettempdir()) / f"portal-bench-{scale}.sqlite3")
    else:
        # Not pytest's test_<name>: a test run on the same DATABASE_URL would drop it.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    name = connection.creation._get_test_db_name()
    if reuse:
        old_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = name
        try:
            from bureau.models import User

            if User.objects.filter(username="clerk").exists():
                return old_name, True
        except Exception:  # no such database: build it
            pass
        connection.close()
        connection.settings_dict["NAME"] = old_name
    return connection.creation.create_test_db(verbosity=0, autoclobber=True), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="district")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument("--reuse", action="store_true", help="time again on a database kept by --keep")
    parser.add_argument("--load-seconds", type=float, default=15.0, help="length of each list's gunicorn load run")
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
    parser.add_argument(
        "--payroll-people",
        type=int,
        default=None,
        help="beneficiaries of the monthly payroll run (default: the scale's persons, 50,000 or 450,000)",
    )
    parser.add_argument("--skip-paths", action="store_true", help="no single-request paths (report, lists, export)")
    parser.add_argument("--load-only", action="store_true", help="build and fill the database, time the loader, stop")
    options = parser.parse_args()

    if options.scale == "city" and connection.vendor != "postgresql":
        print(
            "--scale city runs on PostgreSQL only (450,000 persons and 4.5 million payments are a server's):\n"
            "set DATABASE_URL=postgres://… (a role that may create databases) and run it again. Nothing was done."
        )
        sys.exit(2)
    print(f"bench/run.py --scale {options.scale} on {connection.vendor}, wall seconds   [{loadavg()}]", flush=True)
    setup_test_environment()
    old_name, reused = open_database(options.scale, options.reuse)
    try:
        if not reused:
            start = time.perf_counter()
            call_command("seed_demo", "--year", str(YEAR), "--scale", "district", stdout=io.StringIO())
            print(f"{'seed_demo --scale district':<46} {time.perf_counter() - start:10.1f} s   [{loadavg()}]")
        district_persons, _ = SCALES["district"]
        measured_district = registry_size()[0] <= district_persons
        if measured_district:
            fill("district")
        if options.load_only:
            if options.scale == "city":
                fill("city")
            return
        district = {}
        if options.skip_paths:
            pass
        elif measured_district:
            district = {**time_report("district"), **time_lists("district")}
            if options.scale == "district":
                time_district_paths()
        else:
            print("(a reused database past the district's size: the district's figures are not measured)")
        if options.scale == "city":
            fill("city")
            city = {} if options.skip_paths else {**time_report("city"), **time_lists("city")}
            if district and city:
                compare_scales(district, city)
        if not options.skip_load:
            gunicorn_load(
                database_url_of(connection.settings_dict), options.load_seconds, options.clients, options.scale
            )
        if not options.skip_imports:
            import_paths(options.import_rows, options.memory_rows)
        if not options.skip_payroll:
            # A database of its own (bench/payroll.py): the payroll's beneficiaries are not the demo district.
            connection.close()
            people = options.payroll_people or SCALES[options.scale][0]
            heading(f"monthly payroll of {people} beneficiaries (bench/payroll.py)")
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "payroll.py"), "--people", str(people)], cwd=ROOT, check=True
            )
    finally:
        connection.close()
        if options.keep or reused:
            print(f"\nkept: {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"done   [{loadavg()}]")


if __name__ == "__main__":
    main()
