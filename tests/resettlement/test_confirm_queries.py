"""
确认选岗 costs the same few queries whatever the batch's size: the batch's lock, the candidates
(rank, chosen, deferred) in one query, the posts with their places taken in one, then the writes
(the selection, its history row, the audit events). So does the big screen's JSON. Counted at two
sizes, never timed (`make bench` times it on the demo).
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resettlement import selection
from resettlement.models import PlacementBatch, PlacementDeferral, PlacementSelection
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
    ScoringRuleFactory,
)

SMALL, LARGE = 2, 9
#: savepoint, the batch's row lock, the candidates, the posts, the selection and its history row,
#: two audit events (the record's own and the desk's step), release.
CONFIRM_QUERIES = 9


def started_batch(size: int, by) -> PlacementBatch:
    batch = PlacementBatchFactory(rule=ScoringRuleFactory(name=f"评分办法{size}"))
    for n in range(size):
        candidate = PlacementCandidateFactory(batch=batch, person=NcoFactory(name=f"候选{size}-{n}", years=12 + n))
        ScoreAdjustmentFactory(candidate=candidate)
        PlacementPositionFactory(batch=batch, posts=1)
    return selection.start_session(batch=batch, by=by)


def queries_of(action, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        action(**kwargs)
    return len(captured.captured_queries)


def confirm_current(batch, by):
    state = selection.session_state(PlacementBatch.objects.get(pk=batch.pk))
    post = next(position for position, left in state.posts if left > 0)
    return lambda: selection.confirm(
        batch=batch, candidate_id=state.current.candidate.pk, position_id=post.pk, by=by, signed=True
    )


@pytest.mark.django_db
def test_one_confirm_costs_the_same_queries_for_2_or_9_candidates(superuser):
    ContentType.objects.get_for_models(PlacementSelection, PlacementDeferral)  # the cache, warm for both sizes
    counts = {}
    for size in (SMALL, LARGE):
        batch = started_batch(size, superuser)
        counts[size] = queries_of(confirm_current(batch, superuser))
        assert PlacementSelection.objects.filter(candidate__batch=batch).count() == 1
    assert counts == {SMALL: CONFIRM_QUERIES, LARGE: CONFIRM_QUERIES}


@pytest.mark.django_db
def test_after_a_deferral_the_next_confirm_and_the_screen_cost_the_same(superuser):
    ContentType.objects.get_for_models(PlacementSelection, PlacementDeferral)
    confirms, screens, defers = {}, {}, {}
    for size in (SMALL, LARGE):
        batch = started_batch(size, superuser)
        first = selection.session_state(batch).current.candidate
        defers[size] = queries_of(selection.defer, batch=batch, candidate_id=first.pk, by=superuser)
        confirms[size] = queries_of(confirm_current(batch, superuser))
        batch = PlacementBatch.objects.get(pk=batch.pk)
        screens[size] = queries_of(selection.live_data, batch=batch)
        assert selection.live_data(batch)["placed"] == 1
    assert confirms[SMALL] == confirms[LARGE] == CONFIRM_QUERIES
    assert defers[SMALL] == defers[LARGE]
    assert screens[SMALL] == screens[LARGE] == 2  # the candidates, the posts
