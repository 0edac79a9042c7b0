"""Registry-level figures of the annual report: who is on the books and what the ledger paid."""

from django.db.models import Count, Q

from bureau.models import Person, PreferentialCategory, ledger_summary
from bureau.reporting.dates import period_end
from bureau.reporting.sections import Figure


def registry_figures(*, year: int, township=None) -> list[Figure]:
    """Key figures of the registry as of 31 December of the year, for the district or one township."""
    year_end = period_end(year)
    people = Person.objects.approved().in_township(township)
    veterans = people.veterans().filter(discharged_on__lte=year_end).count()
    # One filter() call, so both conditions apply to the same category row.
    holding = people.filter(
        Q(categories__ended_on__isnull=True) | Q(categories__ended_on__gte=year_end),
        categories__started_on__lte=year_end,
    )
    beneficiaries = holding.values("pk").distinct().count()
    discharged = people.veterans().discharged_in(year).count()
    # The ledger's counters (kept by the database as the ledger changes): a few rows at any size.
    totals = ledger_summary.totals(year=year, township=township)
    figures = [
        Figure("veterans", "登记在册退役军人", veterans, "人"),
        Figure("discharged", f"{year}年退役", discharged, "人"),
        Figure("beneficiaries", "优抚对象", beneficiaries, "人"),
        Figure("payees", "资金发放对象", totals["payees"], "人"),
        Figure("paid_total", "资金发放总额", totals["total"], "元"),
    ]
    holders = holding.values("categories__category").annotate(count=Count("pk", distinct=True))
    by_category = {row["categories__category"]: row["count"] for row in holders}
    for category in PreferentialCategory:
        if by_category.get(category.value):
            figures.append(Figure(f"category.{category.value}", category.label, by_category[category.value], "人"))
    return figures
