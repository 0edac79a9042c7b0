"""
The per-test time budget (tests/budget.py) on small suites of its own: over the budget in CPU
time fails with a message saying what to do, `slow` exempts, a module's shared fixture is not
charged to whichever test sets it up, and the limits come from the environment.
"""

import pytest

BURN = """
import time

import pytest


def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
"""


def run(pytester, monkeypatch, source: str, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_suite=BURN + source)
    # In this process, without the Django plugin (the small suites have no settings) or xdist.
    return pytester.runpytest("-p", "tests.budget", "-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider")


@pytest.mark.slow  # burns 2.1 s of CPU twice, to show the default budget of 2 s itself
def test_a_test_over_two_seconds_of_cpu_fails_unless_it_is_marked_slow(pytester, monkeypatch):
    monkeypatch.delenv("TEST_BUDGET_SECONDS", raising=False)
    monkeypatch.delenv("TEST_BUDGET_WALL_SECONDS", raising=False)
    result = run(
        pytester,
        monkeypatch,
        """
def test_over():
    burn(2.1)


@pytest.mark.slow  # burns 2.1 s
def test_over_but_slow():
    burn(2.1)


def test_under():
    burn(0.1)
""",
    )

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Over the test budget: setup and call took 2.1* s of CPU (limit 2 s)*",
            "*mark it `@pytest.mark.slow  # <why, and about how long>`*",
            "FAILED test_suite.py::test_over*",
        ]
    )


def test_the_budget_comes_from_the_environment_and_zero_switches_it_off(pytester, monkeypatch):
    source = """
def test_over():
    burn(0.35)
"""
    run(pytester, monkeypatch, source, TEST_BUDGET_SECONDS="0.25").assert_outcomes(failed=1)
    run(pytester, monkeypatch, source, TEST_BUDGET_SECONDS="0").assert_outcomes(passed=1)


def test_a_shared_fixture_is_not_charged_to_the_test_that_sets_it_up_but_a_test_s_own_is(pytester, monkeypatch):
    result = run(
        pytester,
        monkeypatch,
        """
@pytest.fixture(scope="module")
def dataset():
    burn(0.35)


@pytest.fixture
def own_rows():
    burn(0.35)


def test_first(dataset):
    burn(0.05)


def test_second(dataset):
    burn(0.05)


def test_own(own_rows):
    burn(0.05)
""",
        TEST_BUDGET_SECONDS="0.25",
    )

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_suite.py::test_own*"])


def test_a_wall_time_limit_catches_a_test_that_waits(pytester, monkeypatch):
    source = """
def test_waits():
    time.sleep(0.4)
"""
    # CPU time alone: a sleep costs none.
    run(pytester, monkeypatch, source, TEST_BUDGET_SECONDS="0.25").assert_outcomes(passed=1)
    result = run(pytester, monkeypatch, source, TEST_BUDGET_SECONDS="0.25", TEST_BUDGET_WALL_SECONDS="0.3")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*wall time (limit 0.3 s)*"])


def test_a_failing_test_keeps_its_own_failure(pytester, monkeypatch):
    result = run(
        pytester,
        monkeypatch,
        """
def test_fails_slowly():
    burn(0.35)
    assert 1 == 2
""",
        TEST_BUDGET_SECONDS="0.25",
    )

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert 1 == 2*"])
    result.stdout.no_fnmatch_line("*Over the test budget*")
