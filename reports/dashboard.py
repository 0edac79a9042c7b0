"""
The leadership dashboard: the year's figures, its charts, and the records behind each figure.

Every figure comes from the report itself (`compose_report`: the same section functions, the same
township scope), so the dashboard and the report cannot disagree. A figure whose section hands over
its `records` opens the list of those records (`figure_records`), recomputed by that area's section
alone; the charts are `reports.chartdata`'s, each with a table view and an xlsx of the same numbers.
"""

import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from openpyxl import Workbook
from openpyxl.styles import Font

from bureau.areas import area_configs
from bureau.base.masking import shown_field
from bureau.base.scoping import township_of_record
from bureau.models import Payment, Person, Township
from bureau.reporting import Figure, Item
from reports import chartdata
from reports.compose import compose_report, display_value, format_money
from reports.registry import section_paths

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000
RECORDS_PER_PAGE = 50
# The first column of each chart's table and sheet.
CATEGORY_HEADERS = {
    "payments_by_month": "月份",
    "activities_by_month": "月份",
    "payments_by_programme": "资金项目",
    "townships_compared": "乡镇（街道）",
}


# --- which years ------------------------------------------------------------------------


def _activity_querysets(township=None):
    """(queryset, date field) of each area's dated activities (`AreaConfig.activity_dates`), approved ones."""
    for area in area_configs():
        for declared in area.activity_dates:
            app_label, model_name, date_field = declared.split(".")
            queryset = apps.get_model(app_label, model_name)._default_manager.all()
            if hasattr(queryset, "approved"):
                queryset = queryset.approved()
            if hasattr(queryset, "in_township"):
                queryset = queryset.in_township(township)
            yield queryset, date_field


def latest_data_year() -> int | None:
    """The last year the ledger paid for or an area recorded an approved activity in, at most the current year."""
    years = []
    latest_period = Payment.objects.order_by("-period").values_list("period", flat=True).first()
    if latest_period:
        years.append(int(latest_period[:4]))
    # A once-per-person payment has no period: the year it was paid.
    once = Payment.objects.filter(period="").aggregate(latest=Max("paid_on"))["latest"]
    if once:
        years.append(once.year)
    for queryset, date_field in _activity_querysets():
        latest = queryset.aggregate(latest=Max(date_field))["latest"]
        if latest:
            years.append(latest.year)
    return min(max(years), timezone.localdate().year) if years else None


def opening_year() -> int:
    """The year the dashboard opens on: the last year with data; the last finished year when nothing is recorded."""
    return latest_data_year() or timezone.localdate().year - 1


def dashboard_years() -> range:
    """The dashboard's year list, newest first: the current year back to 2000 (no year still to come)."""
    return range(timezone.localdate().year, FIRST_YEAR - 1, -1)


# --- the figures ---------------------------------------------------------------------------


@dataclass
class Card:
    label: str
    text: str  # the value as the report states it, with its unit
    change: str = "—"  # ▲ 3人 / ▼ 1.2万元 / 持平 / — (the previous year has no records for it)
    direction: str = ""  # up, down, same or "" (unknown)
    url: str = ""  # the records it counts, when its section hands them over


@dataclass
class FigureLink:
    label: str
    text: str
    url: str


@dataclass
class AreaItem:
    title: str
    text: str  # the report's own sentence
    figures: list[FigureLink] = field(default_factory=list)


@dataclass
class AreaSummary:
    label: str  # （一）
    heading: str
    cards: list[Card]
    items: list[AreaItem]


@dataclass
class DashboardSummary:
    key_figures: list[Card]
    areas: list[AreaSummary]
    gaps_by_area: list[tuple[str, int]]  # (area, number of missing figures)
    warnings: list[str]
    error: str = ""


def figure_text(figure: Figure) -> str:
    value = display_value(figure)
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    # Money comes back from display_value as "12.5万元" already.
    return str(value) if figure.unit == "元" else f"{value}{figure.unit}"


def _is_number(value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def change_of(figure: Figure, previous) -> tuple[str, str]:
    """(text, direction) of the change against the previous year's value; — when there is none."""
    if not _is_number(figure.value) or not _is_number(previous):
        return "—", ""
    difference = figure.value - previous
    if difference == 0:
        return "持平", "same"
    amount = format_money(abs(difference)) if figure.unit == "元" else f"{abs(difference)}{figure.unit}"
    return (f"▲ {amount}", "up") if difference > 0 else (f"▼ {amount}", "down")


def figure_url(item: Item, figure: Figure, *, year: int, township) -> str:
    """The drill-down of a figure that has records; "" for one typed on a record (plain text)."""
    if figure.records is None or figure.missing:
        return ""
    query = {"year": year, **({"township": township.pk} if township else {})}
    return f"{reverse('reports:figure_records', args=[item.key, figure.key])}?{urlencode(query)}"


def _card(figure: Figure, previous, *, url: str = "") -> Card:
    change, direction = change_of(figure, previous)
    return Card(figure.label, figure_text(figure), change, direction, url)


def _is_count(figure: Figure) -> bool:
    return isinstance(figure.value, int) and not isinstance(figure.value, bool) and figure.unit != "元"


def dashboard_summary(*, year: int, township: Township | None) -> DashboardSummary:
    """
    The year's report as the dashboard shows it: the registry's key figures and, per area, its headline
    cards (`Figure.headline`; else the first count figure of the section) with the change against the
    previous year, and each item's own sentence with links to the records of its figures.
    """
    try:
        # The dashboard draws its own charts (reports.chartdata), with a table and a download each.
        document = compose_report(year=year, township=township, with_charts=False)
    except Exception:
        # A broken section must not take the dashboard (and its downloads) down with it.
        logger.exception("Dashboard figures for %s could not be composed", year)
        return DashboardSummary(
            [], [], [], [], error="本年度数据暂时无法汇总，详细原因已记入系统日志，请联系系统管理员。"
        )
    # The report's own rule (ReportYear.is_recorded): a change against a year the portal does not hold is —.
    previous_recorded = document.previous_year is not None
    previous = {id(c.figure): c.previous for c in document.figures} if previous_recorded else {}
    key_previous = document.previous_key_figures if previous_recorded else {}
    areas = []
    for rendered in document.sections:
        figures = [(entry.item, f) for entry in rendered.items for f in entry.item.figures if not f.missing]
        headlines = [pair for pair in figures if pair[1].headline]
        if not headlines:  # until the area flags its headlines: the section's first count
            headlines = [pair for pair in figures if _is_count(pair[1])][:1]
        cards = [
            _card(f, previous.get(id(f)), url=figure_url(item, f, year=year, township=township))
            for item, f in headlines
        ]
        items = [
            AreaItem(
                title=entry.item.title,
                text=entry.text,
                figures=[
                    FigureLink(f.label, figure_text(f), url)
                    for f in entry.item.figures
                    if (url := figure_url(entry.item, f, year=year, township=township))
                ],
            )
            for entry in rendered.items
        ]
        areas.append(AreaSummary(rendered.label, rendered.section.heading, cards, items))
    gaps: dict[str, int] = {}
    for gap in document.gaps:
        gaps[gap.area] = gaps.get(gap.area, 0) + 1
    return DashboardSummary(
        key_figures=[_card(f, key_previous.get(f.key)) for f in document.key_figures],
        areas=areas,
        gaps_by_area=list(gaps.items()),
        warnings=document.warnings,
    )


# --- the records behind a figure -------------------------------------------------------------


@dataclass
class FigureRecords:
    area: str
    item: Item
    figure: Figure
    text: str
    records: object  # the QuerySet, scoped to the user and ordered newest first
    is_person: bool
    has_township: bool
    headers: list[str]


def _section_of(item_key: str, *, year: int, township):
    """The section holding `item_key`, computed alone: only the area named by the key's prefix (`employment.`)."""
    label = item_key.split(".", 1)[0]
    path_labels = {area.report_section: area.label for area in area_configs() if area.report_section}
    paths = section_paths()
    chosen = [p for p in paths if path_labels.get(p, label) == label] or paths
    for path in chosen:
        section = import_string(path)(year=year, township=township)
        if any(item.key == item_key for item in section.items):
            return section
    return None


def figure_records(*, item_key: str, figure_key: str, year: int, township, user) -> FigureRecords | None:
    """
    The records a figure counts, from its section's own query in the same scope as the report (a
    township's report drops district-only items and blanks district figures); None when the figure
    has no records to list. Restricted to what the user may see, whatever the section returned.
    """
    section = _section_of(item_key, year=year, township=township)
    if section is None:
        return None
    item = next(i for i in section.items if i.key == item_key)
    if township is not None:
        if item.district_only:
            return None
        item = item.for_township()
    figure = next((f for f in item.figures if f.key == figure_key), None)
    if figure is None or figure.records is None or figure.missing:
        return None
    records = figure.records
    model = records.model
    if hasattr(records, "visible_to"):
        records = records.visible_to(user)
    ordering = list(model._meta.ordering or [])
    records = records.order_by(*(ordering if ordering and str(ordering[0]).startswith("-") else ["-pk"]))
    lookup = getattr(model, "township_lookup", "")
    if lookup:
        records = records.select_related(lookup)
    is_person = issubclass(model, Person)
    headers = ["序号", *(["姓名", "身份证号"] if is_person else ["记录"]), *(["乡镇（街道）"] if lookup else [])]
    return FigureRecords(section.area, item, figure, figure_text(figure), records, is_person, bool(lookup), headers)


def record_row(records: FigureRecords, record, number: int, user) -> list[str]:
    """One row of the list: the ID number masked as every list masks it, never whole."""
    cells = [str(number)]
    if records.is_person:
        cells += [record.name, shown_field(user, record, "id_number") or "—"]
    else:
        cells.append(str(record))
    if records.has_township:
        township = township_of_record(record)
        cells.append(township.name if township else "—")
    return cells


# --- the charts ------------------------------------------------------------------------------


def _chart_functions(*, compare_townships: bool) -> dict:
    """The dashboard's charts by key, in the page's order; the township comparison only for roles that see every township."""
    functions = {
        "payments_by_month": chartdata.payments_by_month,
        "activities_by_month": chartdata.activities_by_month,
        "payments_by_programme": chartdata.payments_by_programme,
    }
    if compare_townships:
        functions["townships_compared"] = lambda *, year, township: chartdata.townships_compared(year=year)
    return functions


def dashboard_charts(*, year: int, township, compare_townships: bool) -> list[chartdata.Chart]:
    """The dashboard's charts; the township comparison only for roles that see every township."""
    functions = _chart_functions(compare_townships=compare_townships)
    return [draw(year=year, township=township) for draw in functions.values()]


def dashboard_chart(key: str, *, year: int, township, compare_townships: bool) -> chartdata.Chart | None:
    """One chart of the dashboard (its xlsx download), computed alone; None for a key the user has no chart of."""
    draw = _chart_functions(compare_townships=compare_townships).get(key)
    return draw(year=year, township=township) if draw else None


def chart_headers(chart: chartdata.Chart) -> list[str]:
    return [CATEGORY_HEADERS.get(chart.key, "项目"), *chart.headers[1:]]


def chart_payload(chart: chartdata.Chart) -> dict:
    """What dashboard_charts.js draws (numbers as JSON numbers; the table and xlsx keep the exact values)."""
    return {
        "key": chart.key,
        "title": chart.title,
        "kind": chart.kind,
        "categories": chart.categories,
        "series": [
            {"name": s.name, "unit": s.unit, "values": [float(v) if isinstance(v, Decimal) else v for v in s.values]}
            for s in chart.series
        ],
    }


def chart_sheet_title(title: str) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "数据"


def chart_xlsx(chart: chartdata.Chart, *, scope_name: str) -> bytes:
    """The chart's numbers as a workbook: a Chinese sheet title, the table's headers, numbers as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = chart_sheet_title(chart.title)
    sheet.append([f"{chart.title}（{scope_name}）"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(chart_headers(chart))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in chart.rows():
        sheet.append(row)
        for cell, series in zip(sheet[sheet.max_row][1:], chart.series, strict=False):
            cell.number_format = "#,##0.00" if series.unit == "元" else "0"
    sheet.column_dimensions["A"].width = 18
    for letter in "BCDEFGH"[: len(chart.series)]:
        sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
