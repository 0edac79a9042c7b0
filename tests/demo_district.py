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

`demo_district_twice` is the same district after a second `seed_demo` (the area demo tests check that
a second run changes nothing): the second run is a savepoint inside the first's transaction, made once
per process, after the tests on the district; `first` is what the tests compare with, taken before it.
A test that changes something between the runs (a clerk's approval) runs the second seed itself on top
of `demo_district`. A test that seeds with other arguments (another date, another password) keeps its
own seed: it asks for `db`, not for these.
"""

import io
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

FIXTURE = "demo_district"
TWICE = "demo_district_twice"


@dataclass
class FirstRun:
    """What the first run wrote, for the tests on `demo_district_twice` to compare with."""

    counts: dict = field(default_factory=dict)  # every model's row count
    payments: list = field(default_factory=list)  # tests/bureau/test_seed_demo.py
    attendees: list = field(default_factory=list)  # tests/employment/test_demo.py
    visits: list = field(default_factory=list)  # tests/pensions/test_demo.py

    @classmethod
    def taken(cls) -> "FirstRun":
        from bureau.models import Payment, Visit
        from employment.models import FairAttendance

        return cls(
            counts={model: model._default_manager.count() for model in apps.get_models()},
            payments=payment_rows(Payment.objects.all()),
            attendees=sorted(FairAttendance.objects.values_list("fair__title", "person__id_number")),
            visits=sorted(Visit.objects.values_list("person__id_number", "occasion", "visited_on", "amount")),
        )


def payment_rows(payments) -> list:
    fields = ("person__id_number", "programme__code", "period", "amount", "paid_on")
    return list(payments.order_by("person__id_number", "programme__code", "period").values_list(*fields))


def seed_demo() -> str:
    """`seed_demo` with its defaults (year 2021, scale small): its output."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


class DemoDistrict:
    """The seeded district's outer transaction, opened by `seed` and rolled back by `release`."""

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.atomic = None
        self.output = ""  # what `seed_demo` printed: the demo logins and where to use them
        self.seeds = 0  # how often this process seeded: once, unless other tests came between
        self.again = None  # the savepoint of the second run (`demo_district_twice`)
        self.first = FirstRun()  # what the first run wrote, taken before the second
        self.second_output = ""

    def seed(self) -> None:
        if self.atomic is not None:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                output = seed_demo()
            except BaseException as error:
                self.atomic.__exit__(type(error), error, error.__traceback__)
                self.atomic = None
                raise
        self.output = output
        self.seeds += 1

    def seed_again(self) -> None:
        """The second run, on top of the first (seeded if it is not)."""
        self.seed()
        if self.again is not None:
            return
        with self.blocker.unblock():
            self.first = FirstRun.taken()
            self.again = transaction.atomic()
            self.again.__enter__()
            try:
                output = seed_demo()
            except BaseException as error:
                self.again.__exit__(type(error), error, error.__traceback__)
                self.again = None
                raise
        self.second_output = output
        self.seeds += 1

    def back_to_first(self) -> None:
        """Roll the second run back: the district as the first run left it."""
        if self.again is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.again.__exit__(None, None, None)
        self.again = None

    def release(self) -> None:
        self.back_to_first()
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


@pytest.fixture(scope="session")
def demo_district_twice(demo_district) -> DemoDistrict:
    """
    The demo district after a second `seed_demo` with the same defaults; `demo_district_twice.first`
    holds the counts and rows of the first run, `.output` its output, `.second_output` the second's.
    Made once per process; `pytest_runtest_setup` below makes it again where it was rolled back.
    """
    demo_district.seed_again()
    return demo_district


def _wants(item: pytest.Item) -> str:
    names = getattr(item, "fixturenames", ())
    return TWICE if TWICE in names else FIXTURE if FIXTURE in names else ""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """
    The tests on the district one after another, then those on the district seeded twice, after the
    other database tests and before the transactional ones (pytest-django has put those last by now;
    tryfirst runs it before this).
    """
    on_district = [item for item in items if _wants(item) == FIXTURE]
    on_twice = [item for item in items if _wants(item) == TWICE]
    if not on_district and not on_twice:
        return
    others = [item for item in items if not _wants(item)]
    first_transactional = next((i for i, item in enumerate(others) if _transactional(item)), len(others))
    items[:] = others[:first_transactional] + on_district + on_twice + others[first_transactional:]


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


# tryfirst: outside tests/budget.py's clock, which leaves out the fixtures shared by many tests; a
# district seeded again here (a test that does not use it came between) is such a shared fixture.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    """
    Before the test's fixtures: roll the district back for a test that did not ask for it (or its second run
    for a test on the first), seed it for one that did.
    """
    district = item.session.stash.get(_district_key, None)
    if district is not None:
        wants = _wants(item)
        if wants == TWICE:
            district.seed_again()
        elif wants == FIXTURE:
            district.seed()
            district.back_to_first()
        else:
            district.release()
    return (yield)
