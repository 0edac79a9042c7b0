"""
Excel rendering of the annual report: every figure on one summary sheet, the rows behind them per area.

Numbers stay numbers (so staff can sum and chart them), lists are joined with "、",
text that a spreadsheet would run as a formula is escaped, and a missing value
is an empty cell. The previous year's column names its year, and shows 「—」 (with the
change) when that year is not recorded in the portal. The numbers of the Word report's charts
are on 图表数据; 数据缺项 lists, for staff, what the report could not state.
"""

import datetime
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bureau.importexport import escape_formula
from bureau.reporting import DeferredRows
from reports.compose import ReportDocument

SUMMARY_COLUMNS = [
    ("部分", 26),
    ("条目", 26),
    ("指标", 26),
    ("数值（{year}年）", 16),
    ("单位", 8),
    ("乡镇（街道）", 14),
    ("上年（{previous}年）", 16),
    ("增减", 14),
]
NO_VALUE = "—"
CHARTS_SHEET = "图表数据"
CHANGES_SHEET = "定稿后变更"
CHANGE_COLUMNS = [("条目", 26), ("指标", 26), ("定稿数值", 16), ("现数值", 16), ("单位", 8)]
GAP_COLUMNS = [("业务领域", 14), ("条目", 28), ("缺少的指标", 28), ("乡镇（街道）", 14)]
KEY_FIGURES_SECTION = "基本情况"
KEY_FIGURES_ITEM = "主要数据"
DETAIL_COLUMN_WIDTH = 18
DETAIL_COLUMNS = 12
# Sheet names: at most 31 characters, none of these.
FORBIDDEN_IN_SHEET_NAME = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY_FORMAT = "#,##0.00"


def render_xlsx(document: ReportDocument) -> bytes:
    """
    The report as an .xlsx file (bytes): 汇总, 定稿后变更 (a year with a final version), one sheet per area,
    图表数据 (with charts), 数据缺项.
    """
    workbook = Workbook(write_only=True)
    _write_summary(workbook, document)
    if document.final_changes is not None:
        _write_changes(workbook, document)
    used_names = {"汇总", CHARTS_SHEET, "数据缺项", CHANGES_SHEET}
    for rendered in document.sections:
        _write_area(workbook, rendered, _unique_name(rendered.section.area, used_names))
    charts = [chart for chart in document.charts if not chart.is_empty]
    if charts:
        _write_charts(workbook, charts)
    _write_gaps(workbook, document)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_summary(workbook, document: ReportDocument) -> None:
    year, recorded = document.year, document.previous_year is not None
    columns = [(name.format(year=year, previous=year - 1), width) for name, width in SUMMARY_COLUMNS]
    sheet = _sheet(workbook, "汇总", columns)
    township = document.township.name if document.township else "全区"

    def compared_with(previous, change) -> list:
        # The previous year not recorded: its figures would be the few records typed in afterwards.
        return [previous, change] if recorded else [NO_VALUE, NO_VALUE]

    for compared in document.figures:
        figure = compared.figure
        row = [compared.section, compared.item, figure.label, figure.value, figure.unit, township]
        row += compared_with(compared.previous, compared.change)
        sheet.append(_cells(sheet, row, money=figure.unit == "元"))
    for figure in document.key_figures:
        previous = document.previous_key_figures.get(figure.key)
        row = [KEY_FIGURES_SECTION, KEY_FIGURES_ITEM, figure.label, figure.value, figure.unit, township]
        row += compared_with(previous, _change(figure.value, previous))
        sheet.append(_cells(sheet, row, money=figure.unit == "元"))


def _write_changes(workbook, document: ReportDocument) -> None:
    """定稿后变更: each figure that differs from the year's final version, as signed and as it is now."""
    sheet = _sheet(workbook, CHANGES_SHEET, CHANGE_COLUMNS)
    if not document.final_changes:
        sheet.append(_cells(sheet, ["与定稿版本一致。"]))
    for change in document.final_changes:
        row = [change.item_title, change.label, _stored(change.final), _stored(change.now), change.unit]
        sheet.append(_cells(sheet, row, money=change.unit == "元"))


def _stored(value):
    """A final report's stored value (money kept as its decimal text) back as a number."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def _write_area(workbook, rendered, name: str) -> None:
    """Each item as a block: its `一是…` title, its own header row, its rows, a blank row."""
    sheet = workbook.create_sheet(name)
    # Only the caption can be frozen: the items' header rows differ from block to block.
    sheet.freeze_panes = "A2"
    for column in range(1, DETAIL_COLUMNS + 1):
        sheet.column_dimensions[get_column_letter(column)].width = DETAIL_COLUMN_WIDTH
    heading = rendered.section.heading.rstrip("。")
    sheet.append(_cells(sheet, [f"{rendered.label}{heading}"], header=True))
    for item in rendered.items:
        sheet.append(_cells(sheet, [f"{item.label}{item.item.title}"], header=True))
        if item.item.detail_headers:
            sheet.append(_cells(sheet, item.item.detail_headers, header=True))
            rows = item.item.detail_rows
            # Deferred rows are streamed: a city's rows are written as they are read, not held all at once.
            for row in rows.stream() if isinstance(rows, DeferredRows) else rows:
                sheet.append(_cells(sheet, row))
        else:
            sheet.append(_cells(sheet, ["无明细记录。"]))
        sheet.append([])


def _write_charts(workbook, charts: list) -> None:
    """The numbers of the report's charts, a block per chart: its title, its header row, its rows."""
    sheet = workbook.create_sheet(CHARTS_SHEET)
    sheet.freeze_panes = "A2"
    for column in range(1, DETAIL_COLUMNS + 1):
        sheet.column_dimensions[get_column_letter(column)].width = DETAIL_COLUMN_WIDTH
    for number, chart in enumerate(charts, start=1):
        sheet.append(_cells(sheet, [f"图{number}　{chart.title}"], header=True))
        sheet.append(_cells(sheet, ["项目", *chart.headers[1:]], header=True))
        money = [False] + [series.unit == "元" for series in chart.series]
        for row in chart.rows():
            sheet.append(
                [_cells(sheet, [value], money=is_money)[0] for value, is_money in zip(row, money, strict=True)]
            )
        sheet.append([])


def _write_gaps(workbook, document: ReportDocument) -> None:
    sheet = _sheet(workbook, "数据缺项", GAP_COLUMNS)
    for gap in document.gaps:
        sheet.append(_cells(sheet, [gap.area, gap.item, gap.figure, gap.township]))


def _sheet(workbook, name: str, columns: list[tuple[str, int]]):
    """A sheet with a frozen Chinese header row; write-only sheets take both before any row."""
    sheet = workbook.create_sheet(name)
    sheet.freeze_panes = "A2"
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(_cells(sheet, [header for header, _ in columns], header=True))
    return sheet


def _cells(sheet, values: list, *, header: bool = False, money: bool = False) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_cell_value(value))
        if header:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif money and isinstance(cell.value, int | float | Decimal):
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    return cells


def _cell_value(value):
    """Numbers and dates as they are, lists joined, text escaped against formula injection."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return escape_formula("、".join(str(v) for v in value)) or None
    if isinstance(value, str):
        return escape_formula(value) or None
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: write the Shanghai wall-clock time.
        return timezone.make_naive(value)
    if isinstance(value, datetime.date):
        return value
    return escape_formula(str(value))


def _change(value, previous):
    if isinstance(value, int | Decimal) and isinstance(previous, int | Decimal):
        return value - previous
    return None


def _unique_name(area: str, used: set[str]) -> str:
    """Sheet name from the area; a repeated area (two sections of one app) gets （2）, （3）…"""
    base = (area or "未命名").translate(FORBIDDEN_IN_SHEET_NAME)[:28]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base}（{n}）"
    used.add(name)
    return name
