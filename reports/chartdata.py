"""
The numbers behind the charts, drawn by the dashboard (ECharts) and by the Word report (matplotlib).

Plain data (`Chart`): every chart also has a table view and an xlsx download of the same numbers, so
nothing here knows how it is drawn. Money comes from the ledger and counts from the registry through
the same querysets the report's key figures use (`bureau.reporting.registry`), so a chart and the
report cannot disagree.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count

from bureau.areas import area_configs
from bureau.models import PaymentProgramme, Township, ledger_summary
from bureau.reporting.registry import registry_figures_by_township
from bureau.rules.todo import as_of, completeness

MONTHS = [f"{month}月" for month in range(1, 13)]


@dataclass
class Series:
    name: str
    values: list  # one per category; Decimal for money, int for counts
    unit: str = ""


@dataclass
class Chart:
    key: str  # "payments_by_month": the URL of its xlsx download and its element id
    title: str
    kind: str  # "bar", "line" or "pie"
    categories: list[str]
    series: list[Series] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)

    def rows(self) -> list[list]:
        """The table view: one row per category, one column per series."""
        return [[category, *(series.values[i] for series in self.series)] for i, category in enumerate(self.categories)]

    @property
    def headers(self) -> list[str]:
        return ["", *(f"{s.name}（{s.unit}）" if s.unit else s.name for s in self.series)]


def payments_by_month(*, year: int, township=None) -> Chart:
    """The year's payments (by period, as the report counts them) in the month they were paid."""
    totals, counts = [Decimal("0")] * 12, [0] * 12
    for row in ledger_summary.by_paid_month(year=year, township=township):
        # A payment of the year paid early in the next (December's pension paid in January) is December's.
        paid_year = row["paid_year"]
        month = row["paid_month"] if paid_year == year else (12 if paid_year > year else 1)
        totals[month - 1] += row["total"]
        counts[month - 1] += row["payments"]
    return Chart(
        "payments_by_month",
        f"{year}年逐月资金发放",
        "line",
        MONTHS,
        [Series("发放金额", totals, "元"), Series("发放笔数", counts, "笔")],
    )


def activities_by_month(*, year: int, township=None) -> Chart:
    """Each area's approved activities per month, from the dates the areas declare (`AreaConfig.activity_dates`)."""
    series = []
    for area in area_configs():
        counts = [0] * 12
        for declared in area.activity_dates:
            app_label, model_name, date_field = declared.split(".")
            model = apps.get_model(app_label, model_name)
            queryset = model._default_manager.all()
            if hasattr(queryset, "approved"):
                queryset = queryset.approved()
            if township is not None:
                if not hasattr(queryset, "in_township"):
                    continue  # the district's own activity (a placement session): not the township's
                queryset = queryset.in_township(township)
            months = (
                queryset.filter(**{f"{date_field}__year": year})
                .values(f"{date_field}__month")
                .annotate(count=Count("pk"))
            )
            for row in months:
                counts[row[f"{date_field}__month"] - 1] += row["count"]
        if area.activity_dates:
            series.append(Series(str(area.verbose_name), counts, "次"))
    return Chart("activities_by_month", f"{year}年逐月业务活动", "bar", MONTHS, series)


def payments_by_programme(*, year: int, township=None) -> Chart:
    figures = ledger_summary.by_programme(year=year, township=township)
    names = dict(PaymentProgramme.objects.filter(pk__in=figures).values_list("pk", "name"))
    rows = sorted(
        (
            {"programme__name": names[pk], "total": row["total"], "payees": row["persons"]}
            for pk, row in figures.items()
        ),
        key=lambda row: (-row["total"], row["programme__name"]),
    )
    return Chart(
        "payments_by_programme",
        f"{year}年各资金项目发放",
        "bar",
        [row["programme__name"] for row in rows],
        [
            Series("发放金额", [row["total"] for row in rows], "元"),
            Series("发放人数", [row["payees"] for row in rows], "人"),
        ],
    )


def townships_compared(*, year: int) -> Chart:
    """The registry's key figures per township: the report's own figures, all townships in one reading."""
    townships = list(Township.objects.all())
    by_township = registry_figures_by_township(year=year, townships=townships)
    per_township = [{f.key: f for f in by_township[t.pk]} for t in townships]
    keys = [("veterans", "人"), ("beneficiaries", "人"), ("payees", "人"), ("paid_total", "元")]
    series = []
    for key, unit in keys:
        label = next((figures[key].label for figures in per_township if key in figures), key)
        series.append(Series(label, [figures[key].value if key in figures else 0 for figures in per_township], unit))
    return Chart("townships_compared", f"{year}年各乡镇（街道）对比", "bar", [t.name for t in townships], series)


def completeness_chart(*, year: int, township=None, result=None) -> Chart:
    """
    Per township, the year's expectations of every area added up (bureau.rules.todo.completeness): done,
    open and late rows, a stacked bar each. `result` is a completeness already computed (the dashboard's table).
    """
    if result is None:
        townships = [township] if township is not None else list(Township.objects.all())
        result = completeness(year=year, today=as_of(year), townships=townships)
    lines = result.lines
    return Chart(
        "completeness",
        f"{year}年各服务站完成情况",
        "bar",
        [line.township.name for line in lines],
        [
            Series("已办", [line.total.done for line in lines], "项"),
            Series("未办", [line.total.open for line in lines], "项"),
            Series("逾期", [line.total.late for line in lines], "项"),
        ],
    )
