"""
The registry's summary: what the report counts of the registry as of 31 December of a year (the
approved veterans discharged by then, those discharged in the year, the beneficiaries and the holders
of each preferential category), per township, kept by the database as persons and their categories
change, so the report reads them from a few rows at any size of the registry.

Each approved person has events per scope (`bureau.models.registry_summary_sql`): "@veteran" (+1 in
the year of discharge of a veteran), "*" (any category: +1 in the first year whose 31 December their
categories cover, -1 in the first year they no longer do, again at each gap), each category value, and
"~" + a category of `PRESENT_CATEGORIES` (its holders living in the district on 31 December: each range
clipped to the years the person was alive and had moved in and not out, `PersonQuerySet.present_on`).
`RegistryPersonEvent` holds them; `RegistryYear` holds their sums per township, scope and year. A
count as of year Y is the sum of the deltas of years <= Y; those discharged in Y are the "@veteran"
delta of Y. A person is in one township at a time, so the district is the sum of its townships.

The triggers of migration `0035_registry_summary` write both tables on every write path (a save, a
bulk insert, a queryset update or delete, raw SQL, a person moving township or leaving "approved"),
never Python; `manage.py registry_summary --check/--rebuild` compares and refills them.
"""

from django.db import models
from django.db.models import Q, Sum

from .registry_summary_sql import ANY_SCOPE, PRESENT_PREFIX, VETERAN_SCOPE


class RegistryPersonEvent(models.Model):
    """A person's event: in a scope, from a year on, +1 (counts) or -1 (no longer counts)."""

    person_id = models.IntegerField("人员")
    township_id = models.IntegerField("乡镇（街道）")
    scope = models.CharField("范围", max_length=40)
    year = models.IntegerField("年度")
    delta = models.SmallIntegerField("增减")

    class Meta:
        db_table = "bureau_registry_person_event"
        verbose_name = verbose_name_plural = "登记汇总（人员）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["person_id", "scope", "year"],
                name="registry_person_event_key",
                violation_error_message="登记汇总的人员、范围和年度重复。",
            )
        ]

    def __str__(self):
        return f"{self.person_id} {self.scope} {self.year} {self.delta:+d}"


class RegistryYear(models.Model):
    """Per township, scope and year: the sum of the persons' events (the change of the count that year)."""

    township_id = models.IntegerField("乡镇（街道）")
    scope = models.CharField("范围", max_length=40)
    year = models.IntegerField("年度")
    delta = models.IntegerField("增减", default=0)

    class Meta:
        db_table = "bureau_registry_year"
        verbose_name = verbose_name_plural = "登记汇总（乡镇年度）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["township_id", "scope", "year"],
                name="registry_year_key",
                violation_error_message="登记汇总的乡镇（街道）、范围和年度重复。",
            )
        ]

    def __str__(self):
        return f"{self.township_id} {self.scope} {self.year} {self.delta:+d}"


def empty_counts() -> dict:
    return {"veterans": 0, "discharged": 0, "beneficiaries": 0, "holders": {}, "present": {}}


def _add(counts: dict, scope: str, upto: int, at: int) -> None:
    if scope == VETERAN_SCOPE:
        counts["veterans"] += upto
        counts["discharged"] += at
    elif scope == ANY_SCOPE:
        counts["beneficiaries"] += upto
    elif scope.startswith(PRESENT_PREFIX):
        category = scope.removeprefix(PRESENT_PREFIX)
        counts["present"][category] = counts["present"].get(category, 0) + upto
    else:
        counts["holders"][scope] = counts["holders"].get(scope, 0) + upto


def counts_by_township(*, year: int, township=None) -> dict[int, dict]:
    """
    {township id: {"veterans", "discharged", "beneficiaries", "holders": {category: persons},
    "present": {category: persons living in the district that day}}} as of
    31 December of the year, in one query; only townships with rows (`township` narrows to one).
    """
    rows = RegistryYear.objects.filter(year__lte=year)
    if township is not None:
        rows = rows.filter(township_id=getattr(township, "pk", township))
    summed = (
        rows.values("township_id", "scope").annotate(upto=Sum("delta"), at=Sum("delta", filter=Q(year=year))).order_by()
    )
    result: dict[int, dict] = {}
    for row in summed:
        _add(result.setdefault(row["township_id"], empty_counts()), row["scope"], row["upto"], row["at"] or 0)
    return result


def counts(*, year: int, township=None) -> dict:
    """The same counts for one township, or for the district (its townships added up)."""
    total = empty_counts()
    for per_township in counts_by_township(year=year, township=township).values():
        for key in ("veterans", "discharged", "beneficiaries"):
            total[key] += per_township[key]
        for kind in ("holders", "present"):
            for category, persons in per_township[kind].items():
                total[kind][category] = total[kind].get(category, 0) + persons
    return total
