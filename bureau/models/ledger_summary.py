"""
The ledger's summary: counters of the payments of each year that the database keeps as the ledger
changes, so that the report's ledger figures are read from a few rows at any size of the ledger.

A payment counts in the year of its period (`Payment.period_year`; an empty period is in no year)
and in its person's township (a person is in one township at a time, so the district is the sum of
its townships, distinct persons included). The counters are written by database triggers created
in migration `0034_ledger_summary` (`bureau.models.ledger_triggers`), never by Python: every write
path keeps them (a saved payment, the payroll's bulk rows, an import, raw SQL, an update of the
amount, period, programme, person or date paid, a delete, a person moving township).

- PostgreSQL: statement-level triggers read the statement's rows (transition tables); the distinct
  persons are kept exactly through a count of rows per person (`LedgerPersonProgramme`,
  `LedgerPersonYear`, upserted, so concurrent writers of one person queue on its row): a person
  counts when the count goes from 0 to more, and stops counting when it comes back to 0.
- SQLite: row-level triggers; the distinct persons by whether the ledger holds another row of the
  person (an index serves it; SQLite has one writer at a time). The per-person tables stay empty.

Totals are kept in fen (an integer: exact on SQLite too, whose decimal sums are floating point).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Sum


class LedgerCounter(models.Model):
    """A row of counters of one year (written by the triggers only)."""

    year = models.IntegerField("年度")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} {self.year}"


class LedgerProgrammeYear(LedgerCounter):
    """Per year, programme and township: the distinct persons paid, the payments and their total."""

    programme_id = models.IntegerField("资金项目")
    township_id = models.IntegerField("乡镇（街道）")
    persons = models.IntegerField("人数", default=0)
    payments = models.IntegerField("笔数", default=0)
    total_fen = models.BigIntegerField("金额（分）", default=0)

    class Meta:
        db_table = "bureau_ledger_programme_year"
        verbose_name = verbose_name_plural = "资金发放汇总（项目）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["year", "programme_id", "township_id"],
                name="ledger_programme_year_key",
                violation_error_message="资金发放汇总的年度、项目和乡镇（街道）重复。",
            )
        ]


class LedgerPayeeYear(LedgerCounter):
    """Per year and township: the distinct persons paid by any programme."""

    township_id = models.IntegerField("乡镇（街道）")
    persons = models.IntegerField("人数", default=0)

    class Meta:
        db_table = "bureau_ledger_payee_year"
        verbose_name = verbose_name_plural = "资金发放汇总（人数）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["year", "township_id"],
                name="ledger_payee_year_key",
                violation_error_message="资金发放汇总的年度和乡镇（街道）重复。",
            )
        ]


class LedgerPaidMonth(LedgerCounter):
    """Per year (of the period) and township, by the month paid: the payments and their total."""

    township_id = models.IntegerField("乡镇（街道）")
    paid_year = models.IntegerField("发放年份")
    paid_month = models.IntegerField("发放月份")
    payments = models.IntegerField("笔数", default=0)
    total_fen = models.BigIntegerField("金额（分）", default=0)

    class Meta:
        db_table = "bureau_ledger_paid_month"
        verbose_name = verbose_name_plural = "资金发放汇总（月份）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["year", "township_id", "paid_year", "paid_month"],
                name="ledger_paid_month_key",
                violation_error_message="资金发放汇总的年度、乡镇（街道）和发放月份重复。",
            )
        ]


class LedgerPersonProgramme(LedgerCounter):
    """PostgreSQL only: a person's rows of a programme in a year (the distinct persons' exact count)."""

    programme_id = models.IntegerField("资金项目")
    person_id = models.IntegerField("人员")
    payments = models.IntegerField("笔数", default=0)

    class Meta:
        db_table = "bureau_ledger_person_programme"
        verbose_name = verbose_name_plural = "资金发放汇总（人员项目）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["year", "programme_id", "person_id"],
                name="ledger_person_programme_key",
                violation_error_message="资金发放汇总的年度、项目和人员重复。",
            )
        ]


class LedgerPersonYear(LedgerCounter):
    """PostgreSQL only: a person's rows of any programme in a year."""

    person_id = models.IntegerField("人员")
    payments = models.IntegerField("笔数", default=0)

    class Meta:
        db_table = "bureau_ledger_person_year"
        verbose_name = verbose_name_plural = "资金发放汇总（人员年度）"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["year", "person_id"],
                name="ledger_person_year_key",
                violation_error_message="资金发放汇总的年度和人员重复。",
            )
        ]


def yuan(fen) -> Decimal:
    """Fen as yuan with two decimals, as the ledger's SUM(amount) reads."""
    return Decimal(int(fen or 0)).scaleb(-2)


def _of_township(queryset, township):
    return queryset if township is None else queryset.filter(township_id=getattr(township, "pk", township))


def by_programme(*, year: int, township=None, programme_ids=None) -> dict[int, dict]:
    """
    {programme id: {"persons", "payments", "total"}} of the year's payments (a township's, or the
    district's: townships added up), only programmes with payments; `programme_ids` narrows them.
    """
    rows = _of_township(LedgerProgrammeYear.objects.filter(year=year), township)
    if programme_ids is not None:
        rows = rows.filter(programme_id__in=list(programme_ids))
    summed = (
        rows.values("programme_id")
        .annotate(persons=Sum("persons"), count=Sum("payments"), fen=Sum("total_fen"))
        .filter(count__gt=0)
        .order_by()
    )
    return {
        row["programme_id"]: {"persons": row["persons"], "payments": row["count"], "total": yuan(row["fen"])}
        for row in summed
    }


def payees(*, year: int, township=None) -> int:
    """The distinct persons paid by any programme in the year."""
    rows = _of_township(LedgerPayeeYear.objects.filter(year=year), township)
    return rows.aggregate(persons=Sum("persons"))["persons"] or 0


def totals(*, year: int, township=None) -> dict:
    """{"payees", "payments", "total"} of the year: what `registry_figures` reports of the ledger."""
    rows = _of_township(LedgerPaidMonth.objects.filter(year=year), township)
    summed = rows.aggregate(count=Sum("payments"), fen=Sum("total_fen"))
    return {
        "payees": payees(year=year, township=township),
        "payments": summed["count"] or 0,
        "total": yuan(summed["fen"]),
    }


def totals_by_township(*, year: int) -> dict[int, dict]:
    """{township id: {"payees", "payments", "total"}} of the year, every township with payments: `totals` per township."""
    payees_of = dict(
        LedgerPayeeYear.objects.filter(year=year)
        .values("township_id")
        .annotate(persons=Sum("persons"))
        .values_list("township_id", "persons")
        .order_by()
    )
    paid = (
        LedgerPaidMonth.objects.filter(year=year)
        .values("township_id")
        .annotate(count=Sum("payments"), fen=Sum("total_fen"))
        .order_by()
    )
    return {
        row["township_id"]: {
            "payees": payees_of.get(row["township_id"]) or 0,
            "payments": row["count"] or 0,
            "total": yuan(row["fen"]),
        }
        for row in paid
    }


def by_paid_month(*, year: int, township=None) -> list[dict]:
    """[{"paid_year", "paid_month", "payments", "total"}] of the year's payments, by the month they were paid."""
    rows = (
        _of_township(LedgerPaidMonth.objects.filter(year=year), township)
        .values("paid_year", "paid_month")
        .annotate(count=Sum("payments"), fen=Sum("total_fen"))
        .filter(count__gt=0)
        .order_by("paid_year", "paid_month")
    )
    return [
        {"paid_year": r["paid_year"], "paid_month": r["paid_month"], "payments": r["count"], "total": yuan(r["fen"])}
        for r in rows
    ]
