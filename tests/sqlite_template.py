"""
The test database migrated once per run, not once per xdist worker (SQLite, and PostgreSQL too).

Migrating an empty database costs ~45 s of CPU (Django renders the models' states of 97 migrations);
under `make test` every worker paid it, one after the other's collection. Here the xdist controller,
which runs no tests, migrates a database file of its own in a subprocess started before the workers
collect, and each worker copies that file to its own test database and lets pytest-django finish the
setup on it as on a kept database (`migrate` with nothing to apply, the post-migrate signals, the
cache table): ~1 s. The schema is the migrations' own, the same as a worker's own `migrate` makes.

On PostgreSQL the subprocess migrates a template database (`test_<name>_template`, as Django would
name the test database, plus `_template`) and each worker creates its own from it (`CREATE DATABASE …
TEMPLATE …`, a file copy in the server: ~1 s); the controller drops the template at the end. The
file then only says the template is ready, and its name.

Only under xdist (`-n`), and not with `--reuse-db`/`--create-db`; otherwise, or when the subprocess
fails or does not finish within WAIT_SECONDS, or the copy fails, the worker migrates as before.
Run as a script (`python -m tests.sqlite_template <file>`) it is that subprocess.

The migration still takes ~45 s of CPU, longer than a worker's collection: a worker whose first test
needs the database would wait ~30 s for it. So each worker's share of the run starts with tests that
need no database (`tests_without_the_database_first`): they run while the controller migrates.
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


SQLITE, POSTGRESQL = "django.db.backends.sqlite3", "django.db.backends.postgresql"
COPY_ATTEMPTS = 20  # CREATE DATABASE … TEMPLATE is refused while a session is connected to the template


def engine() -> str:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"]


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
        if engine() == POSTGRESQL:
            from pytest_django.plugin import blocking_manager_key

            with config.stash[blocking_manager_key].unblock():
                drop_template(self.path)
        shutil.rmtree(self.directory, ignore_errors=True)


def pytest_configure(config):
    reuse = config.getoption("reuse_db", False) or config.getoption("create_db", False)
    if is_controller(config) and not reuse and engine() in (SQLITE, POSTGRESQL):
        config.pluginmanager.register(Template(), "sqlite-template")


def needs_the_database(item: pytest.Item) -> bool:
    """pytest-django's own criteria (the `django_db` mark, `db`, `transactional_db`, `live_server`), and any
    fixture built on the test database (a module's dataset asks for `django_db_setup`)."""
    names = set(getattr(item, "fixturenames", ()))
    return (
        bool(item.get_closest_marker("django_db"))
        or bool(names & {"db", "transactional_db", "live_server", "django_db_setup"})
        or _is_django_testcase(item)
    )


def _is_django_testcase(item: pytest.Item) -> bool:
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    return bool(cls) and issubclass(cls, TransactionTestCase)


def shares(count: int, workers: int) -> list[int]:
    """How many tests pytest-xdist first sends each worker (`--dist worksteal`, and `load` alike: in order)."""
    sizes, left = [], count
    for remaining in range(workers, 0, -1):
        sizes.append(left // remaining)
        left -= sizes[-1]
    return sizes


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(session, config, items):
    """
    After every other reordering (pytest-django's, the demo district's): the tests that need no database
    spread over the front of each worker's first share, the rest in the order they had.
    """
    result = yield
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    if WORKER_INPUT in getattr(config, "workerinput", {}) and workers > 1:
        items[:] = tests_without_the_database_first(items, workers)
    return result


def tests_without_the_database_first(items: list, workers: int) -> list:
    free = [item for item in items if not needs_the_database(item)]
    if not free:
        return items
    rest = [item for item in items if needs_the_database(item)]
    ordered = []
    for index, size in enumerate(shares(len(items), workers)):
        own_free = free[index::workers]  # every other one: the costly ones (subprocesses) sit together
        taken = max(0, size - len(own_free))
        ordered += own_free + rest[:taken]
        rest = rest[taken:]
    return ordered + rest


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
        if engine() == POSTGRESQL:
            with django_db_blocker.unblock():
                copied = create_from_template(target, Path(template).read_text())
        else:
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


def create_from_template(target: str, template: str) -> bool:
    """PostgreSQL: the worker's test database as a copy of the template (False: refused; the worker migrates)."""
    from django.db import DatabaseError, connection

    quote = connection.ops.quote_name
    for _attempt in range(COPY_ATTEMPTS):
        try:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
                cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
            return True
        except DatabaseError as error:
            if "being accessed by other users" not in str(error):
                return False
            time.sleep(0.5)
    return False


def drop_template(path: Path) -> None:
    """The controller, at the end: the PostgreSQL template is dropped (it is made anew each run)."""
    from django.db import DatabaseError, connection

    if not path.exists():
        return
    try:
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(path.read_text())}")
    except DatabaseError:
        pass  # the next run's subprocess drops it before migrating anew
    connection.close()


def migrate_to(path: Path) -> None:
    """The subprocess: migrate a new file (or PostgreSQL database) as `create_test_db` does, then show it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    partial = path.with_suffix(".part")
    try:
        if engine() == POSTGRESQL:
            creation = connections["default"].creation
            name = f"{creation._get_test_db_name()}_template"
            connections["default"].settings_dict["TEST"]["NAME"] = name
            creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
            connections.close_all()
            partial.write_text(name)
        else:
            settings.DATABASES["default"]["NAME"] = connections["default"].settings_dict["NAME"] = str(partial)
            call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
            connections.close_all()
        partial.rename(path)
    except BaseException:
        path.with_suffix(".failed").touch()
        raise


if __name__ == "__main__":
    migrate_to(Path(sys.argv[1]))
