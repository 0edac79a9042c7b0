"""
A time budget per test: a test whose setup and call cost over 2 s fails unless it is marked
`slow` (with its reason in a comment beside the mark), as Zulip's runner flags slow tests. The
suite stays fast only if a slow test is a decision someone wrote down, not an accident nobody saw.

What is measured, and why (docs/testing.md, "The time budget"):

- CPU time of the test process (`time.process_time`: every thread, so the live server or an
  in-process worker thread counts), not wall time. On this 2-core machine with two xdist workers
  and other work, wall time ran 10 times the CPU time (load average 17): a 1.1 s test took 13 s.
  A wall-time limit would fail whichever tests ran at the busiest moment; CPU time hardly moves.
- So a test that waits (a sleep, another process, a server) is not caught by default: those are
  the tests that start processes, marked `slow` by the rule beside the marker. On a quiet machine
  TEST_BUDGET_WALL_SECONDS=<seconds> adds a wall-time limit to find them.
- Setup and call; not teardown. Fixtures of a wider scope than the test (module, session)
  are left out: they are shared by many tests, and which test happens to set them up first
  depends on the order and the xdist worker, so charging it would flag a different test
  each run. A module's shared dataset is still visible in `--durations` (the setup line).
- Process-wide first-use costs (imports, the URLconf, the first template compilation) are
  counted: they are a few tenths of a second, well under the budget, and a test that needs
  more than that on its first run needs it on every fresh process, CI included.

TEST_BUDGET_SECONDS sets the budget (2 by default, 0 switches it off, e.g. under a debugger
or a coverage tracer, which slows every line).
"""

import os
import time
from dataclasses import dataclass

import pytest

DEFAULT_SECONDS = 2.0


def seconds_from(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


@dataclass
class Spent:
    cpu: float = 0.0
    wall: float = 0.0


SPENT = pytest.StashKey[Spent]()


class Clock:
    def __init__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def elapsed(self) -> Spent:
        return Spent(time.process_time() - self.cpu, time.perf_counter() - self.wall)


class Budget:
    """The plugin: adds up each test's setup and call, less the wider fixtures set up on its way."""

    def __init__(self, seconds: float, wall_seconds: float):
        self.seconds, self.wall_seconds = seconds, wall_seconds
        self.item = None
        self.shared_depth = 0

    def charge(self, item, spent: Spent, sign: int = 1) -> None:
        total = item.stash.setdefault(SPENT, Spent())
        total.cpu += sign * spent.cpu
        total.wall += sign * spent.wall

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        self.item, clock = item, Clock()
        try:
            return (yield)
        finally:
            self.charge(item, clock.elapsed())
            self.item = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        clock = Clock()
        try:
            return (yield)
        finally:
            self.charge(item, clock.elapsed())

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.scope == "function" or self.item is None or self.shared_depth:
            return (yield)
        self.shared_depth, clock = 1, Clock()
        try:
            return (yield)
        finally:
            self.shared_depth = 0
            self.charge(self.item, clock.elapsed(), sign=-1)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when != "call" or not report.passed or item.get_closest_marker("slow"):
            return report
        spent = item.stash.get(SPENT, Spent())
        over_wall = self.wall_seconds > 0 and spent.wall > self.wall_seconds
        if spent.cpu > self.seconds or over_wall:
            wall_limit = f" (limit {self.wall_seconds:g} s)" if self.wall_seconds > 0 else ""
            report.outcome = "failed"
            report.longrepr = (
                f"Over the test budget: setup and call took {spent.cpu:.2f} s of CPU (limit {self.seconds:g} s) "
                f"and {spent.wall:.2f} s of wall time{wall_limit}.\n"
                "Make it faster (a module-scoped dataset, fewer requests: docs/testing.md), or, if it is slow by "
                "nature (processes, servers, large files), mark it `@pytest.mark.slow  # <why, and about how long>`.\n"
                "TEST_BUDGET_SECONDS=<seconds> changes the budget for a run, 0 switches it off."
            )
        return report


def pytest_configure(config):
    if not any(line.startswith("slow:") for line in config.getini("markers")):
        # The project declares it in pyproject.toml; a suite of the plugin's own tests (pytester) does not.
        config.addinivalue_line("markers", "slow: takes over the test budget (2 s) by nature; the reason is beside it")
    seconds = seconds_from("TEST_BUDGET_SECONDS", DEFAULT_SECONDS)
    if seconds > 0:
        config.pluginmanager.register(Budget(seconds, seconds_from("TEST_BUDGET_WALL_SECONDS", 0)), "test-budget")
