"""
确认选岗 on the demo batch, as `make bench` times it (bench/run.py): target < 300 ms a confirmation.

The demo's batch in preparation (this year's: 10 candidates, 12 posts) is started, then every
candidate in turn confirms a post, twice over, each round rolled back at its end so the demo
stays as seeded (`--reuse` times it again):

- `resettlement.selection.confirm`, the service the desk calls (the batch's lock, the turn and
  room checks, the selection, its history row and audit events), beside its floor: the batch's
  row locked and the same selection row inserted with `bulk_create` (no checks, no history, no
  audit);
- the desk as the clerk uses it: the POST of the session page's form and the page it redirects to.

Each confirmation is checked (the selection written, the desk's redirect) before its time counts;
the median of the round is printed, in wall milliseconds and the process's CPU milliseconds
(SQLite runs in the process: its CPU time is the confirmation's cost on a loaded machine).
"""

import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

TARGET_MS = 300


class WrongAnswer(AssertionError):
    pass


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise WrongAnswer(message)


def _round(batch, clerk, confirm_one) -> tuple[list[float], list[float], list[int]]:
    """Start the session, then each candidate in turn confirms the first open post (rolled back after)."""
    from resettlement import selection
    from resettlement.models import PlacementBatch

    walls, cpus, queries = [], [], []
    savepoint = transaction.savepoint()
    try:
        selection.start_session(batch=batch, by=clerk)
        while True:
            state = selection.session_state(PlacementBatch.objects.get(pk=batch.pk))
            if state.current is None:
                break
            post = next((position for position, left in state.posts if left > 0), None)
            if post is None:
                break
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                result = confirm_one(batch, state.current.candidate, post)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            queries.append(len(captured.captured_queries))
            _expect(result, f"{state.current.candidate} 的确认选岗没有生效")
    finally:
        transaction.savepoint_rollback(savepoint)
    return walls, cpus, queries


def _floor(batch, clerk) -> list[float]:
    """The least a confirmation writes: the batch's row locked, one selection row inserted, nothing checked."""
    from resettlement.models import PlacementBatch, PlacementSelection

    walls = []
    for candidate, post in zip(batch.candidates.order_by("id"), batch.positions.order_by("id"), strict=False):
        savepoint = transaction.savepoint()
        start = time.perf_counter()
        PlacementBatch.objects.select_for_update().get(pk=batch.pk)
        PlacementSelection.objects.bulk_create(
            [PlacementSelection(candidate=candidate, position=post, confirmed_by=clerk, signed=True)]
        )
        walls.append(time.perf_counter() - start)
        transaction.savepoint_rollback(savepoint)
    return walls


def confirm_lines(label_width: int = 46) -> list[str]:
    """The bench's lines for 确认选岗 (empty when the demo has no batch in preparation)."""
    from bureau.demo.writers import CLERK_USERNAME
    from bureau.models import User
    from resettlement import selection
    from resettlement.models import PlacementBatch, PlacementSelection

    batch = PlacementBatch.objects.filter(state=PlacementBatch.State.PREPARING).order_by("-year", "-id").first()
    if batch is None:
        return ["确认选岗: no placement batch in preparation in this database, not timed"]
    clerk = User.objects.get(username=CLERK_USERNAME)
    desk = Client()
    desk.force_login(clerk)

    def service(batch, candidate, post):
        selection.confirm(batch=batch, candidate_id=candidate.pk, position_id=post.pk, by=clerk, signed=True)
        return PlacementSelection.objects.filter(candidate=candidate, position=post).exists()

    def desk_post(batch, candidate, post):
        url = f"/admin/resettlement/placementbatch/{batch.pk}/session/"
        response = desk.post(url, {"candidate": candidate.pk, "position": post.pk, "signed": "on"})
        _expect(response.status_code == 302, f"HTTP {response.status_code}: {response.content[:300]!r}")
        _expect(desk.get(response["Location"]).status_code == 200, "the desk's page after the confirmation")
        return PlacementSelection.objects.filter(candidate=candidate, position=post).exists()

    lines = []
    with transaction.atomic():
        walls, cpus, queries = _round(batch, clerk, service)
        floor = statistics.median(_floor(batch, clerk))
        desk_walls, desk_cpus, desk_queries = _round(batch, clerk, desk_post)
    n = len(walls)
    wall = statistics.median(walls)
    lines.append(
        f"{f'确认选岗 confirm(), median of {n}':<{label_width}} {wall * 1000:10.1f} ms {max(queries):5d} q"
        f"   {wall / floor:6.1f}× floor {floor * 1000:.1f} ms (the batch locked + the selection inserted, no checks)"
        f"   CPU {statistics.median(cpus) * 1000:.1f} ms; target < {TARGET_MS} ms"
    )
    desk_wall = statistics.median(desk_walls)
    lines.append(
        f"{f'确认选岗 at the desk (POST + page), median of {len(desk_walls)}':<{label_width}} "
        f"{desk_wall * 1000:10.1f} ms {max(desk_queries):5d} q"
        f"   CPU {statistics.median(desk_cpus) * 1000:.1f} ms (no floor; what the clerk waits for)"
    )
    return lines
