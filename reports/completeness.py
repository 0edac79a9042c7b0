"""
Completeness on the dashboard (各服务站完成情况): per township, the areas' expectations of the year
(bureau.rules.todo, the same rows as the stations' to-do lists) as expected / done / late, a table
whose every count links to its rows, and a stacked bar per township (reports.chartdata).
"""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from bureau.models import Township
from bureau.roles import reviews_records
from bureau.rules.todo import Completeness, Expectation, Row, Tally, as_of, completeness, expectation_of
from reports import chartdata

logger = logging.getLogger(__name__)

STATES = {"expected": "应办", "done": "已办", "late": "逾期"}


@dataclass(frozen=True)
class Cell:
    value: int
    url: str


@dataclass(frozen=True)
class TableLine:
    name: str
    cells: list[Cell]  # per expectation: expected, done, late
    total: list[int]


@dataclass(frozen=True)
class CompletenessSection:
    year: int
    today: datetime.date
    result: Completeness
    lines: list[TableLine]
    totals: list[int]  # per expectation: expected, done, late (over the townships)
    chart: chartdata.Chart
    error: str = ""


def rows_url(key: str, township, *, year: int, state: str) -> str:
    return (
        f"{reverse('reports:completeness_rows', args=[key, township.pk])}?{urlencode({'year': year, 'state': state})}"
    )


def dashboard_section(*, year: int, township) -> CompletenessSection:
    """The dashboard's section for `township` (its own line) or the whole district (a line per township)."""
    townships = [township] if township is not None else list(Township.objects.all())
    today = as_of(year)
    try:
        result = completeness(year=year, today=today, townships=townships)
        error = ""
    except Exception:
        # An area's broken declaration must not take the dashboard down with it.
        logger.exception("Completeness of %s could not be computed", year)
        result = Completeness(year, today, (), (), (), Tally())
        error = "各服务站完成情况暂时无法计算，详细原因已记入系统日志，请联系系统管理员。"
    lines = []
    for line in result.lines:
        cells = []
        for column, tally in zip(result.columns, line.cells, strict=True):
            for state in STATES:
                cells.append(Cell(getattr(tally, state), rows_url(column.key, line.township, year=year, state=state)))
        lines.append(TableLine(line.township.name, cells, [line.total.expected, line.total.done, line.total.late]))
    totals = [getattr(tally, state) for tally in result.totals for state in STATES]
    chart = chartdata.completeness_chart(year=year, township=township, result=result)
    return CompletenessSection(year, today, result, lines, totals, chart, error)


# --- the rows of one cell -----------------------------------------------------------------------


@dataclass(frozen=True)
class ListedRow:
    label: str
    detail: str
    due: datetime.date | None
    state: str  # 已办 / 逾期 / 未办
    admin_url: str


def row_state(row: Row, today: datetime.date) -> str:
    if row.done:
        return "已办"
    return "逾期" if row.late_on(today) else "未办"


def cell_rows(*, key: str, township, year: int, state: str, user) -> tuple[Expectation, list[ListedRow]] | None:
    """The rows of one cell of the table (state: expected, done or late); None for a key no area declares."""
    today = as_of(year)
    expectation = expectation_of(key, township=township, year=year, today=today)
    if expectation is None:
        return None
    chosen = {
        "expected": lambda row: True,
        "done": lambda row: row.done,
        "late": lambda row: row.late_on(today),
    }[state]
    # The admin page is for the bureau; a station works from its own pages (its 待办).
    with_admin = reviews_records(user)
    rows = [
        ListedRow(row.label, row.detail, row.due, row_state(row, today), row.admin_url if with_admin else "")
        for row in expectation.rows
        if chosen(row)
    ]
    return expectation, rows
