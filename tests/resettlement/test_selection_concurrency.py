"""
Two staff members confirm the same post for the same candidate at the same moment (a double
click on two laptops): real threads, each with its own connection, against a committed database
(`transaction=True`), on SQLite as on PostgreSQL. The batch's row lock orders them: one choice is
saved, the other is refused in Chinese, and the post is not over-filled.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from bureau import roles
from resettlement import selection
from resettlement.models import PlacementSelection
from tests.factories import UserFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
)


def at_once(calls: list) -> list:
    """Run the callables in threads released together; each one's result or exception, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_the_same_post_at_once_one_wins_one_is_refused():
    staff = [UserFactory(username=f"clerk{n}", is_staff=True, groups=[roles.BUREAU_STAFF]) for n in (1, 2)]
    batch = PlacementBatchFactory()
    first = PlacementCandidateFactory(batch=batch, person=NcoFactory(name="甲", years=16))
    PlacementCandidateFactory(batch=batch, person=NcoFactory(name="乙", years=12))
    post = PlacementPositionFactory(batch=batch, institution="区档案馆", posts=1)
    selection.start_session(batch=batch, by=staff[0])

    results = at_once(
        [
            lambda user=user: selection.confirm(
                batch=batch, candidate_id=first.pk, position_id=post.pk, by=user, signed=True
            )
            for user in staff
        ]
    )

    saved = [r for r in results if isinstance(r, PlacementSelection)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(saved), len(refused)) == (1, 1), results
    assert refused[0].messages == ["甲 已选定岗位「区档案馆·综合管理岗」，不能重复确认。"]
    assert PlacementSelection.objects.count() == 1
    assert post.selections.count() == 1
