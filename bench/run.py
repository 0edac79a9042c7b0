"""
`make bench`: how long the portal's heavy paths take on a district-sized demo.

Creates a throwaway test database (SQLite in memory by default, PostgreSQL when
DATABASE_URL is set), loads `seed_demo --scale district`, then times each path a
few times and prints the median. It measures; it asserts nothing.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def timed(label: str, action, repeat: int = REPEAT) -> None:
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    print(f"{label:<44} median {statistics.median(durations) * 1000:9.1f} ms  (n={repeat})")


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        call_command("seed_demo", "--year", "2021", "--scale", "district", stdout=io.StringIO())
        print(f"{'seed_demo --scale district':<44} {(time.perf_counter() - start) * 1000:16.1f} ms")

        from bureau.models import Person, User
        from reports.compose import compose_report
        from reports.docx import render_docx
        from reports.xlsx import render_xlsx

        print(f"people in the registry: {Person.objects.count()}")
        document = compose_report(year=2021)
        timed("compose_report(2021, district)", lambda: compose_report(year=2021))
        timed("render_docx", lambda: render_docx(document))
        timed("render_xlsx", lambda: render_xlsx(document))

        clerk = Client()
        clerk.force_login(User.objects.get(username="clerk"))
        timed("admin person list (clerk)", lambda: clerk.get("/admin/bureau/person/"))
        timed("admin index with the review inbox (clerk)", lambda: clerk.get("/admin/"))
        timed("API /api/v1/persons/ page 1 (clerk)", lambda: clerk.get("/api/v1/persons/"))
        timed("admin export of all persons (xlsx)", lambda: clerk.post("/admin/bureau/person/export/", {"format": "0"}))
        station = Client()
        station.force_login(User.objects.filter(username__startswith="station_").first())
        timed("station submissions list", lambda: station.get("/station/submissions/"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
