"""
Registry-level figures of the annual report: who is on the books and what the ledger paid. Both are
read from the summaries the database keeps (`bureau.models.registry_summary`, `ledger_summary`): a few
rows at any size of the registry and the ledger, never the persons or the payments themselves.
"""

from bureau.models import PreferentialCategory, ledger_summary, registry_summary
from bureau.models.ledger_summary import yuan
from bureau.reporting.sections import Figure


def _figures(year: int, counts: dict, totals: dict) -> list[Figure]:
    figures = [
        Figure("veterans", "登记在册退役军人", counts["veterans"], "人"),
        Figure("discharged", f"{year}年退役", counts["discharged"], "人"),
        Figure("beneficiaries", "优抚对象", counts["beneficiaries"], "人"),
        Figure("payees", "资金发放对象", totals["payees"], "人"),
        Figure("paid_total", "资金发放总额", totals["total"], "元"),
    ]
    holders = counts["holders"]
    for category in PreferentialCategory:
        if holders.get(category.value):
            figures.append(Figure(f"category.{category.value}", category.label, holders[category.value], "人"))
    return figures


def registry_figures(*, year: int, township=None) -> list[Figure]:
    """Key figures of the registry as of 31 December of the year, for the district or one township."""
    counts = registry_summary.counts(year=year, township=township)
    return _figures(year, counts, ledger_summary.totals(year=year, township=township))


def registry_figures_by_township(*, year: int, townships) -> dict[int, list[Figure]]:
    """
    {township id: `registry_figures(year=year, township=t)`} for each of `townships`, in three queries
    whatever their number (the registry's counts, the ledger's payees, the ledger's totals).
    """
    counts = registry_summary.counts_by_township(year=year)
    ledger = ledger_summary.totals_by_township(year=year)
    no_payments = {"payees": 0, "payments": 0, "total": yuan(0)}
    return {
        t.pk: _figures(
            year,
            counts.get(t.pk, registry_summary.empty_counts()),
            ledger.get(t.pk, no_payments),
        )
        for t in townships
    }
