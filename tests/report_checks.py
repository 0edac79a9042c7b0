"""
Checks of the annual report's wording shared by the areas' report tests (issue 26): the repetition rule,
and the recount of a figure's drill-down records.
"""

from decimal import Decimal

from django.db.models import Sum

# The rule: in an item's body, no run of PHRASE characters without a digit occurs twice (figures and
# dates repeat by chance and are left out).
PHRASE = 6


def repeats(body: str) -> set[str]:
    """The runs of PHRASE characters (no digit among them) that occur twice without overlapping."""
    seen, out = {}, set()
    for i in range(len(body) - PHRASE + 1):
        run = body[i : i + PHRASE]
        if any(c.isdigit() for c in run):
            continue
        if run in seen and seen[run] + PHRASE <= i:
            out.add(run)
        seen.setdefault(run, i)
    return out


def recount(figure):
    """What the figure's records add up to: their number, or the sum of `sum_of` for a 元 figure."""
    if figure.unit == "元":
        return figure.records.aggregate(total=Sum(figure.sum_of))["total"] or Decimal("0")
    return figure.records.count()
