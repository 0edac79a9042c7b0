"""
Composing the report builds no detail rows: the per-record tables behind the items are `DeferredRows`,
built when the Excel is written (and written as a plain list of the same rows would be), never for the
dashboard or the Word. And the items over the year's many records (homecoming registrations, trainees,
check-ups, Spring Festival visits, oral history interviews) count them in the database: as many model
instances and queries with more records as with fewer.
"""

import dataclasses
import datetime
import io
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bureau.models import CheckUp, ReviewStatus
from bureau.reporting import DeferredRows
from employment.report import training_item
from pensions.models import Problem
from pensions.report import checkups_item, oral_history_item, spring_visits_item
from reports.compose import compose_report
from reports.xlsx import render_xlsx
from support_army.models import HomecomingStep
from support_army.report_notices import homecoming_item
from tests.employment.factories import TraineeFactory, TrainingClassFactory
from tests.factories import CheckUpBatchFactory, CheckUpFactory, PersonFactory, VisitFactory
from tests.pensions.factories import OralHistoryInterviewFactory, ProblemFactory
from tests.support_army.factories import (
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    HomecomingStepFactory,
)

YEAR = 2021


def test_deferred_rows_are_built_once_when_read_as_a_list():
    calls = []

    def build():
        calls.append(1)
        return ([n, f"第{n}行"] for n in range(3))

    rows = DeferredRows(build)
    assert not rows.evaluated and calls == []
    assert list(rows.stream()) == [[0, "第0行"], [1, "第1行"], [2, "第2行"]]
    assert not rows.evaluated  # streamed, not kept
    assert rows == [[0, "第0行"], [1, "第1行"], [2, "第2行"]]
    assert len(rows) == 3 and rows[-1] == [2, "第2行"] and rows[1:] == [[1, "第1行"], [2, "第2行"]]
    assert rows.evaluated and len(calls) == 2
    assert list(rows.stream()) == list(rows) and len(calls) == 2


def sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.django_db
@pytest.mark.slow(reason="composes the seeded demo district's report and writes its Excel twice (about 4 s)")
def test_composing_builds_no_detail_rows_and_the_excel_writes_them(demo_district):
    document = compose_report(year=YEAR, with_previous=False)
    items = [rendered.item for section in document.sections for rendered in section.items]
    tables = [item for item in items if item.detail_headers]
    assert len(tables) >= 20
    # Every item's table is deferred, and composing built none of them.
    assert [item.key for item in tables if not isinstance(item.detail_rows, DeferredRows)] == []
    assert [item.key for item in tables if item.detail_rows.evaluated] == []

    written = render_xlsx(document)
    # The Excel streams them: written, not kept in the document.
    assert [item.key for item in tables if item.detail_rows.evaluated] == []

    # The same workbook as with the rows built beforehand as plain lists (what the writer was given before).
    for item in tables:
        item.detail_rows = list(item.detail_rows)
    assert sum(len(item.detail_rows) for item in tables) > 100
    assert sheets(written) == sheets(render_xlsx(dataclasses.replace(document)))


# -- the items over many records: constant model instances and queries -------------------------------


@contextmanager
def instances_built():
    """Counts the model instances built inside the block, by model."""
    built = Counter()

    def receiver(sender, **kwargs):
        built[sender.__name__] += 1

    post_init.connect(receiver, weak=False)
    try:
        yield built
    finally:
        post_init.disconnect(receiver)


ITEMS = [homecoming_item, training_item, checkups_item, spring_visits_item, oral_history_item]


def composed_items():
    """(instances built, queries, figures) of the five items, the district's."""
    with instances_built() as built, CaptureQueriesContext(connection) as queries:
        items = [make(year=YEAR) for make in ITEMS]
    figures = {f"{item.key}.{figure.key}": figure.value for item in items for figure in item.figures}
    return sum(built.values()), len(queries), figures, items


def add_records(n: int, *, step, training_class, batch) -> None:
    """n more of each record the five items count, n // 2 of them with a result, a problem, unwelcomed…"""
    for i in range(n):
        odd = i % 2 == 1
        registration = HomecomingRegistrationFactory(welcomed=not odd)
        HomecomingStepCompletionFactory(registration=registration, step=step)
        TraineeFactory(training_class=training_class)
        CheckUpFactory(
            batch=batch,
            mode=CheckUp.Mode.HOME_VISIT if odd else CheckUp.Mode.ON_SITE,
            result_summary="" if odd else "血压正常。",
        )
        visit = VisitFactory(visited_on=datetime.date(YEAR, 2, 1), amount=500)
        ProblemFactory(
            person=visit.person,
            visit=visit,
            state=Problem.State.RESOLVED if odd else Problem.State.OPEN,
            review_status=ReviewStatus.APPROVED,
        )
        OralHistoryInterviewFactory(person=PersonFactory())


def test_the_items_over_many_records_build_as_many_instances_at_two_sizes(db):
    step = HomecomingStepFactory(name="报到登记", active=True)
    training_class = TrainingClassFactory()
    batch = CheckUpBatchFactory()
    add_records(2, step=step, training_class=training_class, batch=batch)
    built_before, queries_before, before, _ = composed_items()

    add_records(6, step=step, training_class=training_class, batch=batch)
    built_after, queries_after, after, items = composed_items()

    assert (built_after, queries_after) == (built_before, queries_before)
    # The figures the database counted: 8 of each, 4 of them odd.
    expected = {
        "support_army.homecoming.received": 8,
        "support_army.homecoming.welcomed": 4,
        "support_army.homecoming.checklist_done": 8,
        "support_army.homecoming.checklist_total": 8 * HomecomingStep.objects.filter(active=True).count(),
        "employment.training.trainees": 8,
        "pensions.checkups.checked": 8,
        "pensions.checkups.on_site": 4,
        "pensions.checkups.at_home": 4,
        "pensions.checkups.transported": 0,
        "pensions.checkups.health_files": 4,
        "pensions.checkups.modes": ["现场体检4人", "上门体检4人"],
        "pensions.spring_visits.visited": 8,
        "pensions.spring_visits.visited_hardship": 8,
        "pensions.spring_visits.aid_total": 4000,
        "pensions.spring_visits.problems": 8,
        "pensions.spring_visits.problems_resolved": 4,
        "pensions.oral_history.interviews": 8,
    }
    assert {key: after[key] for key in expected} == expected
    assert before["pensions.checkups.checked"] == 2
    # The rows, when read, are one per record.
    assert [len(item.detail_rows) for item in items] == [8, 8, 8, 8, 8]
