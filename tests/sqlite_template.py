"""
The SQLite test database migrated once per run, not once per xdist worker.

Migrating an empty database costs ~45 s of CPU (Django renders the models' states of 97 migrations);
under `make test` every worker paid it, one after the other's collection. Here the xdist controller,
which runs no tests, migrates a database file of its own in a subprocess started before the workers
collect, and each worker copies that file to its own test database and lets pytest-django finish the
setup on it as on a kept database (`migrate` with nothing to apply, the post-migrate signals, the
cache table): ~1 s. The schema is the migrations' own, the same as a worker's own `migrate` makes.

Only on SQLite under xdist (`-n`), and not with `--reuse-db`/`--create-db`; otherwise, or when the
subprocess fails or does not finish within WAIT_SECONDS, the worker migrates as before.
Run as a script (`python -m tests.sqlite_template <file>`) it is that subprocess.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

WORKER_INPUT = "sqlite_template"
WAIT_SECONDS = 20 * 60
ROOT = Path(__file__).resolve().parent.parent


def on_sqlite() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def is_controller(config) -> bool:
    # The option as xdist resolved it (`-n auto` is the number of CPUs by now); its own plugin comes later.
    workers = getattr(config.option, "numprocesses", None)
    return not hasattr(config, "workerinput") and isinstance(workers, int) and workers > 0


class Template:
    """The controller's side: the subprocess that migrates, and its file for the workers."""

    def __init__(self):
        directory = Path(tempfile.mkdtemp(prefix="portal-tests-template-"))
        self.directory, self.path = directory, directory / "migrated.sqlite3"
        self.log = (directory / "migrate.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sqlite_template", str(self.path)],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        node.workerinput[WORKER_INPUT] = str(self.path)

    def pytest_unconfigure(self, config):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def pytest_configure(config):
    reuse = config.getoption("reuse_db", False) or config.getoption("create_db", False)
    if is_controller(config) and not reuse and on_sqlite():
        config.pluginmanager.register(Template(), "sqlite-template")


def wait_for(path: Path) -> bool:
    """Whether the controller's migrated file is there (False: it failed or took too long)."""
    failed = path.with_suffix(".failed")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if path.exists():
            return True
        if failed.exists() or not path.parent.exists():
            return False
        time.sleep(0.2)
    return False


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's own, but on a copy of the controller's migrated file where there is one."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    template = getattr(request.config, "workerinput", {}).get(WORKER_INPUT)
    keepdb = django_db_keepdb and not django_db_createdb
    copied = False
    if template and django_db_use_migrations and not keepdb and wait_for(Path(template)):
        target = connection.creation._get_test_db_name()
        shutil.copyfile(template, target)
        copied = True
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb or copied,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            except Exception as exc:  # noqa: BLE001
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


def migrate_to(path: Path) -> None:
    """The subprocess: migrate a new file as `create_test_db` does, then show it under its name."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    partial = path.with_suffix(".part")
    settings.DATABASES["default"]["NAME"] = connections["default"].settings_dict["NAME"] = str(partial)
    try:
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
        connections.close_all()
        partial.rename(path)
    except BaseException:
        path.with_suffix(".failed").touch()
        raise


if __name__ == "__main__":
    migrate_to(Path(sys.argv[1]))
