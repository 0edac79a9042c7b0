"""
What a station is expected to do, computed from the registry, never typed: the station's to-do
list (待办), the bureau's and the leadership's completeness table (per township: expected / done /
late) and the notice that a station's period is complete read the same expectations.

An area declares its expectations on its AreaConfig, `todo = ("support_army.todo.homecoming", …)`,
each a function

    def homecoming(*, township, year: int, today: datetime.date) -> Expectation

answering, for one township (never None) and one year as of `today` (the last day of a past year,
today for the current one), every row expected of the station: done or not, its due date and the
station page that does it. A function runs a fixed number of queries whatever the rows (no query
per row), reads approved and submitted records alike (a submitted record is done; the bureau's
review is the review panel's business) and masks nothing: a row's label names the person or the
facility, never an ID number or a phone.

The core adds its own rows to the station's list (records returned for correction, changes waiting
for the bureau) and composes everything: the station's list (`bureau.station.todo.station_todo`, in the
station layer because it links records to their station pages), the completeness per township
(`completeness`) and the bureau's notice that a station's expectation is complete (`completion_notices`).
"""

import dataclasses
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from bureau.areas import area_configs
from bureau.models import Notice, Township

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One thing expected of a station: a person to register, a facility to inspect, a notice to deliver."""

    label: str  # "张三（2026年6月退役）": who or what, readable by itself
    done: bool
    url: str  # the station page that does it (the form that closes it; when done, the record)
    due: datetime.date | None = None  # not done after this day: late
    detail: str = ""  # what is missing: "未办结：社保接续、医保接续"
    admin_url: str = ""  # for the bureau: the record's admin page when done, or the list to act from

    def late_on(self, today: datetime.date) -> bool:
        return not self.done and self.due is not None and self.due < today


@dataclass(frozen=True)
class Expectation:
    """An area's expectation of one township in one year: its rows."""

    key: str  # "support_army.homecoming": unique over the portal, stable (links and notices use it)
    label: str  # "退役军人返乡报到"
    unit: str = "项"  # of the counts: 人, 个, 份
    rows: tuple[Row, ...] = field(default=())
    period: str = ""  # the period the rows are for, when not the year: "2026年第4季度"
    area: str = ""  # the declaring area's verbose name: set by the core (`expectations`), not by the area

    def open_rows(self, today: datetime.date) -> list[Row]:
        """The rows not done, late first (the longest overdue first), then by due date; undated last."""
        pending = [row for row in self.rows if not row.done]
        return sorted(pending, key=lambda row: (not row.late_on(today), row.due is None, row.due or today))

    def tally(self, today: datetime.date) -> "Tally":
        return Tally(
            expected=len(self.rows),
            done=sum(1 for row in self.rows if row.done),
            late=sum(1 for row in self.rows if row.late_on(today)),
        )


@dataclass(frozen=True)
class Tally:
    """The counts of one expectation (or of several added up): expected, done, late (not done, past due)."""

    expected: int = 0
    done: int = 0
    late: int = 0

    @property
    def open(self) -> int:
        """Not done and not (yet) late."""
        return self.expected - self.done - self.late

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.done == self.expected

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.expected + other.expected, self.done + other.done, self.late + other.late)


# --- the areas' declarations -------------------------------------------------------------------


def declared_functions() -> list[tuple[str, Callable]]:
    """(area verbose name, function) of every area's `todo` declaration, in the areas' order."""
    return [(str(area.verbose_name), import_string(path)) for area in area_configs() for path in area.todo]


def expectations(*, township, year: int, today: datetime.date) -> list[Expectation]:
    """Every area's expectations of one township in one year as of `today`, in area order, tagged with the area."""
    return [
        dataclasses.replace(function(township=township, year=year, today=today), area=area)
        for area, function in declared_functions()
    ]


def as_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day a year's expectations are judged on: today for the current year, the last day of a past one."""
    today = today or timezone.localdate()
    return min(today, datetime.date(year, 12, 31))


# --- completeness ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One expectation as a column of the completeness table."""

    key: str
    label: str
    area: str
    unit: str
    period: str = ""


@dataclass(frozen=True)
class TownshipLine:
    township: object  # bureau.models.Township
    cells: tuple[Tally, ...]  # one per column
    total: Tally


@dataclass(frozen=True)
class Completeness:
    year: int
    today: datetime.date
    columns: tuple[Column, ...]
    lines: tuple[TownshipLine, ...]
    totals: tuple[Tally, ...]  # per column, over the townships
    total: Tally


def completeness(*, year: int, today: datetime.date, townships) -> Completeness:
    """
    Per township and expectation: expected, done and late as of `today` (late: not done and due before
    `today`), with the totals per expectation, per township and overall. The areas' functions run once
    per township (a fixed number of queries each).
    """
    columns: dict[str, Column] = {}
    per_township = []
    for township in townships:
        tallies = {}
        for expectation in expectations(township=township, year=year, today=today):
            columns.setdefault(
                expectation.key,
                Column(expectation.key, expectation.label, expectation.area, expectation.unit, expectation.period),
            )
            tallies[expectation.key] = expectation.tally(today)
        per_township.append((township, tallies))
    lines = []
    for township, tallies in per_township:
        cells = tuple(tallies.get(key, Tally()) for key in columns)
        lines.append(TownshipLine(township, cells, sum(cells, Tally())))
    totals = tuple(sum((line.cells[i] for line in lines), Tally()) for i in range(len(columns)))
    return Completeness(year, today, tuple(columns.values()), tuple(lines), totals, sum(totals, Tally()))


def expectation_of(key: str, *, township, year: int, today: datetime.date) -> Expectation | None:
    """One township's expectation by its key (the completeness table's cell), or None for a key no area declares."""
    return next((e for e in expectations(township=township, year=year, today=today) if e.key == key), None)


# --- the bureau's notice that a station's expectation is complete --------------------------------


def completion_key(expectation: Expectation, *, township, year: int) -> str:
    key = f"complete:{expectation.key}:{township.pk}:{year}"
    # A period within the year (a quarter's inspections) completes once per period.
    return f"{key}:{expectation.period}" if expectation.period else key


def completion_text(expectation: Expectation, tally: Tally, *, township, year: int) -> str:
    when = expectation.period or f"{year}年"
    return f"{township.name}已完成{when}{expectation.label}（{tally.done}/{tally.expected}）。"


def completeness_url(key: str, *, township, year: int) -> str:
    """The dashboard's list of one cell (the reports' page, named by its URL only: the core imports no report)."""
    try:
        return f"{reverse('reports:completeness_rows', args=[key, township.pk])}?year={year}&state=done"
    except NoReverseMatch:
        return ""


def completion_notices(*, township, today: datetime.date | None = None) -> list[Notice]:
    """
    Write the bureau's notice for each of the township's expectations of the current year that is now
    complete (done == expected > 0), once: the notice's key names the expectation, township and year
    (and period). Returns the notices written now.
    """
    today = today or timezone.localdate()
    year = today.year
    complete = [
        (expectation, tally)
        for expectation in expectations(township=township, year=year, today=today)
        if (tally := expectation.tally(today)).complete
    ]
    if not complete:
        return []
    keys = {completion_key(e, township=township, year=year): (e, t) for e, t in complete}
    known = set(Notice.objects.filter(key__in=keys).values_list("key", flat=True))
    written = []
    for key, (expectation, tally) in keys.items():
        if key in known:
            continue
        notice = Notice(
            audience=Notice.Audience.BUREAU,
            township=township,
            key=key,
            text=completion_text(expectation, tally, township=township, year=year),
            url=completeness_url(expectation.key, township=township, year=year),
        )
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            continue  # written meanwhile by another save of the same station: once is enough
        written.append(notice)
    return written


def completion_notices_later(*, township_id: int) -> None:
    """After the current transaction commits (a station's save): the township's completion notices, never an error."""

    def write():
        try:
            township = Township.objects.filter(pk=township_id).first()
            if township is not None:
                completion_notices(township=township)
        except Exception:
            # A notice is not worth a failed save; an area's broken declaration is logged.
            logger.exception("Completion notices of township %s could not be written", township_id)

    transaction.on_commit(write)
