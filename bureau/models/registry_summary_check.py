"""
The registry summary (`bureau.models.registry_summary`) against the registry itself, for
`manage.py registry_summary --check | --rebuild`.

The check, in Chinese lines (none when consistent):
- the report's figures of the years asked (by default this year and the last two) per township, and
  the living holders of the present scopes (`PRESENT_CATEGORIES`),
  against the same counts taken over the persons and their categories directly (the queries the
  report ran before the summary, grouped by township);
- every person's stored events against the events computed again from the registry (the fill's own
  SELECT; a count of the persons that differ, not their names);
- every township counter against the sum of the persons' events.
The rebuild empties both tables and fills them again in one transaction (the migration's fill), with
persons and categories locked against writers on PostgreSQL.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from .categories import PreferentialCategory, held_on
from .people import Person
from .registry_summary import RegistryPersonEvent, RegistryYear, counts_by_township, empty_counts
from .registry_summary_sql import PERSON_EVENTS, PG_LOCK, PRESENT_CATEGORIES, TOWNSHIP_YEARS, events, summary_fill
from .townships import Township

LABELS = {"veterans": "登记在册退役军人", "discharged": "退役人数", "beneficiaries": "优抚对象"}

# Persons whose stored events differ from the events computed again from the registry.
PERSONS_DIFFERING = """
    SELECT COUNT(DISTINCT person_id) FROM (
        SELECT * FROM (SELECT person_id, township_id, scope, year, delta FROM {stored}
                       EXCEPT SELECT * FROM ({computed}) AS c) AS stale
        UNION ALL
        SELECT * FROM (SELECT * FROM ({computed}) AS c
                       EXCEPT SELECT person_id, township_id, scope, year, delta FROM {stored}) AS missing
    ) AS differing
"""
# Township counters (not 0) that are not the sum of the persons' events, each key once.
COUNTERS_DIFFERING = """
    SELECT COUNT(*) FROM (
        SELECT township_id, scope, year FROM (
            SELECT township_id, scope, year, delta FROM {counters} WHERE delta <> 0
            EXCEPT SELECT township_id, scope, year, SUM(delta) FROM {stored}
            GROUP BY township_id, scope, year HAVING SUM(delta) <> 0) AS stale
        UNION
        SELECT township_id, scope, year FROM (
            SELECT township_id, scope, year, SUM(delta) FROM {stored}
            GROUP BY township_id, scope, year HAVING SUM(delta) <> 0
            EXCEPT SELECT township_id, scope, year, delta FROM {counters} WHERE delta <> 0) AS missing
    ) AS differing
"""


def direct_counts(year: int) -> dict[int, dict]:
    """{township id: counts} as of 31 December of the year, taken over the registry itself."""
    year_end = datetime.date(year, 12, 31)
    people = Person.objects.approved().order_by()
    result: dict[int, dict] = {}

    def add(rows, key):
        for row in rows:
            counts = result.setdefault(row["township_id"], empty_counts())
            if key == "holders":
                counts["holders"][row["categories__category"]] = row["n"]
            else:
                counts[key] += row["n"]

    veterans = people.veterans().filter(discharged_on__lte=year_end).annotate(y=ExtractYear("discharged_on"))
    add(veterans.values("township_id").annotate(n=Count("pk")), "veterans")
    add(veterans.filter(y=year).values("township_id").annotate(n=Count("pk")), "discharged")
    holding = people.filter(held_on(year_end, prefix="categories__"))
    add(holding.values("township_id").annotate(n=Count("pk", distinct=True)), "beneficiaries")
    add(holding.values("township_id", "categories__category").annotate(n=Count("pk", distinct=True)), "holders")
    for category in PRESENT_CATEGORIES:
        present = people.filter(held_on(year_end, category=category, prefix="categories__")).present_on(year_end)
        for row in present.values("township_id").annotate(n=Count("pk", distinct=True)):
            result.setdefault(row["township_id"], empty_counts())["present"][category] = row["n"]
    return result


def _figure_lines(year: int, townships: dict) -> list[str]:
    labels = {
        **LABELS,
        **{f"holders.{c.value}": c.label for c in PreferentialCategory},
        **{f"present.{c}": f"健在且在本区的{PreferentialCategory(c).label}" for c in PRESENT_CATEGORIES},
    }
    order = {key: index for index, key in enumerate(labels)}  # the report's order
    want, have = direct_counts(year), counts_by_township(year=year)
    lines = []
    for township_id in sorted(want.keys() | have.keys()):
        w, h = want.get(township_id, empty_counts()), have.get(township_id, empty_counts())
        pairs = {key: (h[key], w[key]) for key in LABELS}
        for kind in ("holders", "present"):
            for category in w[kind].keys() | h[kind].keys():
                pairs[f"{kind}.{category}"] = (h[kind].get(category, 0), w[kind].get(category, 0))
        wrong = [
            f"{labels.get(key, key)} 汇总 {kept}，登记 {direct}"
            for key, (kept, direct) in sorted(pairs.items(), key=lambda pair: order.get(pair[0], len(order)))
            if kept != direct
        ]
        if wrong:
            lines.append(f"{year}年度 乡镇（街道）「{townships.get(township_id, township_id)}」：{'；'.join(wrong)}")
    return lines


def differences(years=None) -> list[str]:
    """The registry summary's differences from the registry, one Chinese line each."""
    if years is None:
        this_year = timezone.localdate().year
        years = (this_year - 2, this_year - 1, this_year)
    townships = dict(Township.objects.values_list("pk", "name"))
    lines = [line for year in years for line in _figure_lines(year, townships)]
    with connection.cursor() as cursor:
        cursor.execute(PERSONS_DIFFERING.format(stored=PERSON_EVENTS, computed=events(connection.vendor, "true")))
        (persons,) = cursor.fetchone()
        if persons:
            lines.append(f"登记汇总（人员）：{persons} 人的汇总事件与登记不一致（不列出人员）")
        cursor.execute(COUNTERS_DIFFERING.format(stored=PERSON_EVENTS, counters=TOWNSHIP_YEARS))
        (counters,) = cursor.fetchone()
        if counters:
            lines.append(f"登记汇总（乡镇年度）：{counters} 个计数与人员事件之和不一致")
    return lines


def rebuild() -> dict[str, int]:
    """Empty the registry summary and fill it from the registry, in one transaction; the rows written per table."""
    models = (RegistryPersonEvent, RegistryYear)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Before emptying: no trigger writes between the delete and the fill.
                cursor.execute(PG_LOCK)
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        summary_fill(connection)
        return {model._meta.verbose_name: model.objects.count() for model in models}
