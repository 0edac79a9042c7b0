"""
The order the xdist workers get their tests in while the controller migrates the template database
(tests/sqlite_template.py): each worker's first share starts with tests that need no database.
"""

from dataclasses import dataclass, field

from tests import sqlite_template
from tests.sqlite_template import needs_the_database, shares

# Imported under the module's name: pytest would collect a `tests_…` function as a test.
free_first = sqlite_template.tests_without_the_database_first


@dataclass
class Item:
    name: str
    fixturenames: tuple = ()
    marks: dict = field(default_factory=dict)
    cls: type | None = None

    def get_closest_marker(self, name):
        return self.marks.get(name)


def test_what_needs_the_database():
    assert not needs_the_database(Item("pure", fixturenames=("tmp_path", "settings")))
    for fixture in ("db", "transactional_db", "live_server", "django_db_setup"):
        assert needs_the_database(Item(fixture, fixturenames=(fixture,))), fixture
    assert needs_the_database(Item("marked", marks={"django_db": object()}))


def test_xdist_first_shares_are_as_its_scheduler_sends_them():
    # WorkStealingScheduling.check_schedule: len(pending) // nodes_remaining, node after node.
    assert shares(11, 2) == [5, 6]
    assert shares(10, 3) == [3, 3, 4]
    assert sum(shares(5637, 2)) == 5637


def test_each_worker_s_first_share_starts_with_the_tests_without_the_database():
    items = [Item(f"db{i}", fixturenames=("db",)) for i in range(8)]
    items[3:3] = [Item(f"free{i}") for i in range(4)]  # 12 in all, the free ones in the middle

    ordered = free_first(items, workers=2)

    first, second = ordered[:6], ordered[6:]
    assert [item.name for item in first] == ["free0", "free2", "db0", "db1", "db2", "db3"]
    assert [item.name for item in second] == ["free1", "free3", "db4", "db5", "db6", "db7"]


def test_nothing_moves_when_every_test_needs_the_database():
    items = [Item(f"db{i}", fixturenames=("db",)) for i in range(5)]
    assert free_first(items, workers=2) == items
