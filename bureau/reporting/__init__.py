"""
The section protocol of the annual report: plain data, no rendering, and the helpers every section writes with.

Each area app has `report.py` with one function

    def section(*, year: int, township: Township | None = None) -> Section

that computes its figures from approved records. The dataclasses live in the
core so that area apps need not import `reports` (apps depend one way:
bureau ← area apps ← reports). `reports.registry` collects
the five sections in the order of the reference report; the renderers
(Word, Excel) and the narrative templates only read these dataclasses.

The parts: `sections` (Figure, Item, Section, DeferredRows and `recorded`), `numbers` (Chinese numerals),
`dates` (the year's period, 2月28日) and `registry` (the registry's key figures). The first three
are pure and named here; `registry` queries the models and is imported as
`bureau.reporting.registry`, so that this package stays importable before the apps are loaded.
"""

from bureau.reporting.dates import month_day, period, period_end
from bureau.reporting.numbers import chinese_number, count_word
from bureau.reporting.sections import (
    DETAIL_ROWS_CHUNK,
    DISTRICT,
    TOWNSHIP,
    DeferredRows,
    Figure,
    FigureValue,
    Item,
    Section,
    missing_item,
    recorded,
)

__all__ = [
    "DETAIL_ROWS_CHUNK",
    "DISTRICT",
    "TOWNSHIP",
    "DeferredRows",
    "Figure",
    "FigureValue",
    "Item",
    "Section",
    "chinese_number",
    "count_word",
    "missing_item",
    "month_day",
    "period",
    "period_end",
    "recorded",
]
