"""
Settings of the test suite: the portal's own, plus `tests.kit_area`, a test-only
area app built from declarations on the kit (see tests/kit_area/__init__.py).
"""

import os
import tempfile
from pathlib import Path

from bureau.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.kit_area", "tests.kit_area_two"]  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database file rather than Django's default shared in-memory one: threads (parallel
    # requests, a Celery worker) then wait for each other's write lock, as on a real SQLite file,
    # instead of failing at once with "database table is locked". One file per process (xdist
    # adds its worker suffix too); Django deletes it at the end of the run.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"portal-tests-{os.getpid()}.sqlite3")}  # noqa: F405
