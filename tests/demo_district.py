"""
One seeded demo district per test process, shared by the tests that only read it.

`seed_demo` writes a year of records (payroll runs, every area's demo) and takes seconds; two dozen
tests only look at what it wrote. A test that asks for `demo_district` runs on top of a district
seeded once in an outer transaction that stays open; its own transaction is a savepoint inside it
(pytest-django's `db`), so whatever the test writes rolls back to the seeded district, on SQLite and
PostgreSQL alike.

Nothing else may see the district: before any test that does not ask for it starts, the outer
transaction is rolled back (the database is as migrations left it again), and the next test that
asks for it seeds anew. The tests that ask for it are run one after another, just before the
transactional ones (a transactional test empties the tables, the permissions the seed's groups
need among them), so a process seeds once, or once more where xdist hands it part of the block.

A test that seeds with other arguments (another date, another password) or runs the seed itself
(twice, or after a change of its own) keeps its own seed: it asks for `db`, not for this.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

FIXTURE = "demo_district"


class DemoDistrict:
    """The seeded district's outer transaction, opened by `seed` and rolled back by `release`."""

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.atomic = None
        self.output = ""  # what `seed_demo` printed: the demo logins and where to use them
        self.seeds = 0  # how often this process seeded: once, unless other tests came between

    def seed(self) -> None:
        if self.atomic is not None:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                out = io.StringIO()
                call_command("seed_demo", stdout=out)
            except BaseException as error:
                self.atomic.__exit__(type(error), error, error.__traceback__)
                self.atomic = None
                raise
        self.output = out.getvalue()
        self.seeds += 1

    def release(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


_district_key = pytest.StashKey[DemoDistrict]()


@pytest.fixture(scope="session")
def demo_district(request, django_db_setup, django_db_blocker) -> DemoDistrict:
    """
    The demo district as `seed_demo` writes it with its defaults (year 2021, scale small). Session-scoped
    so that it is set up before the test's own transaction opens; `pytest_runtest_setup` below seeds it
    again where a test that did not ask for it has rolled it back.
    """
    district = DemoDistrict(django_db_blocker)
    district.seed()
    request.session.stash[_district_key] = district
    yield district
    district.release()
    del request.session.stash[_district_key]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """
    The tests on the district one after another, after the other database tests and before the
    transactional ones (pytest-django has put those last by now; tryfirst runs it before this).
    """
    on_district = [item for item in items if FIXTURE in getattr(item, "fixturenames", ())]
    if not on_district:
        return
    others = [item for item in items if FIXTURE not in getattr(item, "fixturenames", ())]
    first_transactional = next((i for i, item in enumerate(others) if _transactional(item)), len(others))
    items[:] = others[:first_transactional] + on_district + others[first_transactional:]


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    """Before the test's fixtures: roll the district back for a test that did not ask for it, seed it for one that did."""
    district = item.session.stash.get(_district_key, None)
    if district is not None:
        if FIXTURE in getattr(item, "fixturenames", ()):
            district.seed()
        else:
            district.release()
    return (yield)
