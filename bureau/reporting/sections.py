"""The dataclasses a section is made of, plain data for the renderers, and how an item says "unknown"."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

FigureValue = int | Decimal | str | list[str] | None

# Whose figure it is. TOWNSHIP: computed for the report's scope (the district's in a district report,
# the township's in a township report). DISTRICT: the district's whatever the scope (the enterprises
# at a district-wide fair); a township report leaves it out (compose blanks it before the sentence).
TOWNSHIP = "township"
DISTRICT = "district"


@dataclass(frozen=True)
class Figure:
    """One number (or list of names/dates) the report states."""

    key: str
    label: str
    value: FigureValue
    unit: str = ""
    scope: str = TOWNSHIP
    # The rows the figure counts or sums, for the dashboard's drill-down ("which 38?"): a QuerySet whose
    # count() is the value of a count figure, or whose Sum(sum_of) is the value of a 元 figure. None for
    # a figure typed on one record (a park's area, a fair's stream views).
    records: Any = field(default=None, compare=False, repr=False)
    # The field of `records` a 元 figure adds up (a benefit's `supplement` beside its own `amount`).
    sum_of: str = "amount"
    # Shown as a headline card on the dashboard, with the change against the previous year.
    headline: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None or self.value == [] or self.value == ""


# Detail rows read from the database a chunk at a time (`.iterator(chunk_size=…)`) when the Excel is written.
DETAIL_ROWS_CHUNK = 2000


class DeferredRows(Sequence):
    """
    An item's detail rows, built when something reads them (the Excel writer), never by composing the
    report for the dashboard or the Word: `build` returns the rows (a list, or a generator over a
    queryset's `.iterator()`). Read as a list (len, index, ==) it builds them once and keeps them;
    `stream()` hands them over one by one without keeping them, unless they were built already.
    """

    def __init__(self, build: Callable[[], Iterable[list[Any]]]):
        self._build = build
        self._rows: list[list[Any]] | None = None

    @property
    def evaluated(self) -> bool:
        return self._rows is not None

    def _all(self) -> list[list[Any]]:
        if self._rows is None:
            self._rows = list(self._build())
        return self._rows

    def stream(self) -> Iterator[list[Any]]:
        return iter(self._rows) if self._rows is not None else iter(self._build())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index):
        return self._all()[index]

    def __iter__(self) -> Iterator[list[Any]]:
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, DeferredRows | list | tuple):
            return self._all() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"DeferredRows({self._rows!r})" if self._rows is not None else "DeferredRows(<not built>)"


@dataclass
class Item:
    """One `一是…` paragraph: its figures, the sentence that states them, the rows behind them."""

    key: str
    title: str
    default_sentence: str
    figures: list[Figure] = field(default_factory=list)
    # Figures the sentence cannot do without; the item drops out (into 数据缺项) when one is missing.
    required: tuple[str, ...] = ()
    detail_headers: list[str] = field(default_factory=list)
    # A list, or DeferredRows where the rows are many (built only when the Excel is written).
    detail_rows: Sequence[list[Any]] = field(default_factory=list)
    # The district's work the townships had no part in (the protection centre, the alliance): left out
    # of a township report altogether, not listed as a gap.
    district_only: bool = False

    @property
    def missing_figures(self) -> list[Figure]:
        if not self.figures:
            return []
        required = self.required or tuple(f.key for f in self.figures)
        return [f for f in self.figures if f.key in required and f.missing]

    @property
    def has_data(self) -> bool:
        return bool(self.figures) and not self.missing_figures

    def context(self) -> dict[str, FigureValue]:
        return {figure.key: figure.value for figure in self.figures}

    def for_township(self) -> "Item":
        """
        The item as a township report states it: its DISTRICT figures blanked (the sentence leaves
        their clauses out) and no longer required, so a district figure never drops the item into 数据缺项.
        """
        figures = [replace(f, value=None, records=None) if f.scope == DISTRICT else f for f in self.figures]
        required = self.required or tuple(f.key for f in self.figures)
        district = {f.key for f in self.figures if f.scope == DISTRICT}
        return replace(self, figures=figures, required=tuple(k for k in required if k not in district))


@dataclass
class Section:
    """One `（一）…` part of the report, owned by one area app."""

    app_label: str
    area: str  # e.g. "就业创业", for the appendix and the Excel sheet name
    heading: str
    lead: str = ""
    items: list[Item] = field(default_factory=list)
    # Items the area owes but has no records for yet: (item title, missing figure label).
    placeholder: bool = False


def missing_item(*, key: str, title: str, default_sentence: str, figures: list[tuple[str, str, str]]) -> Item:
    """An item whose records the area app does not keep yet: every figure missing."""
    return Item(
        key=key,
        title=title,
        default_sentence=default_sentence,
        figures=[Figure(key=k, label=label, value=None, unit=unit) for k, label, unit in figures],
    )


def recorded(figures: list[Figure], *, when: bool) -> list[Figure]:
    """
    The figures as they are when records stand behind the item; else every figure unknown (None), not
    zero: `0 intentions` at no job fair says nothing, and a missing figure drops the item into 数据缺项.
    """
    if when:
        return figures
    return [replace(f, value=None, records=None) for f in figures]
