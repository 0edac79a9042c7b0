"""
`manage.py ledger_summary --check | --rebuild`: the ledger summary (`bureau.models.ledger_summary`)
against the ledger itself.

The triggers of migration 0034 keep the summary on every write, but not through what bypasses them:
a TRUNCATE of the ledger by hand, a restore or a bulk load with triggers disabled. `--check` takes
every counter's aggregate directly from the ledger and lists the counters that differ (exit code 1;
0 when none); `--rebuild` empties the summary tables and fills them again from the ledger in one
transaction (the migration's own fill, `bureau.models.ledger_summary_sql`), with the ledger locked
against writers on PostgreSQL as the migration does (readers keep reading the old figures until
the commit).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from bureau.models import (
    LedgerPaidMonth,
    LedgerPayeeYear,
    LedgerPersonProgramme,
    LedgerPersonYear,
    LedgerProgrammeYear,
    Payment,
    PaymentProgramme,
    Township,
)
from bureau.models.ledger_summary_sql import PG_FILL, PG_LOCK, SQLITE_BACKFILL

USAGE = "请指定 --check（核对资金发放汇总与台账）或 --rebuild（按台账重建资金发放汇总）。"
CONSISTENT = "资金发放汇总与台账一致"
SUMMARY_MODELS = (LedgerProgrammeYear, LedgerPayeeYear, LedgerPaidMonth, LedgerPersonProgramme, LedgerPersonYear)

# PostgreSQL only: the per-person row counts the triggers count distinct persons by. The keys whose
# count differs between the summary and the ledger (a count of 0 is no row), counted once each.
PG_PERSON_DIFFERENCE = """
    WITH kept AS (SELECT {keys}, payments FROM {table} WHERE payments <> 0),
    ledger AS (SELECT period_year AS year, {ledger_keys}, COUNT(*) AS payments FROM bureau_payment WHERE period_year IS NOT NULL
               GROUP BY period_year, {ledger_keys})
    SELECT COUNT(*) FROM (
        SELECT {keys} FROM (SELECT * FROM kept EXCEPT SELECT * FROM ledger) AS stale
        UNION SELECT {keys} FROM (SELECT * FROM ledger EXCEPT SELECT * FROM kept) AS missing
    ) AS differing
"""
PG_PERSON_DIFFERENCES = {
    "人员项目": PG_PERSON_DIFFERENCE.format(
        table="bureau_ledger_person_programme",
        keys="year, programme_id, person_id",
        ledger_keys="programme_id, person_id",
    ),
    "人员年度": PG_PERSON_DIFFERENCE.format(
        table="bureau_ledger_person_year", keys="year, person_id", ledger_keys="person_id"
    ),
}


def fen(amount) -> int:
    return int(round((amount or 0) * 100))


def ledger_counters() -> dict[str, dict[tuple, dict]]:
    """Every counter of the summary as the ledger gives it: {table: {key: {counter: value}}}."""
    rows = Payment.objects.filter(period_year__isnull=False).order_by()
    return {
        "programme": {
            (r["period_year"], r["programme_id"], r["person__township_id"]): {
                "persons": r["persons"],
                "payments": r["payments"],
                "total_fen": fen(r["total"]),
            }
            for r in rows.values("period_year", "programme_id", "person__township_id").annotate(
                persons=Count("person", distinct=True), payments=Count("pk"), total=Sum("amount")
            )
        },
        "payees": {
            (r["period_year"], r["person__township_id"]): {"persons": r["persons"]}
            for r in rows.values("period_year", "person__township_id").annotate(persons=Count("person", distinct=True))
        },
        "month": {
            (r["period_year"], r["person__township_id"], r["y"], r["m"]): {
                "payments": r["payments"],
                "total_fen": fen(r["total"]),
            }
            for r in rows.annotate(y=ExtractYear("paid_on"), m=ExtractMonth("paid_on"))
            .values("period_year", "person__township_id", "y", "m")
            .annotate(payments=Count("pk"), total=Sum("amount"))
        },
    }


def summary_counters() -> dict[str, dict[tuple, dict]]:
    """The same counters as the summary holds them (a row whose counters are all 0 counts as no row)."""

    def kept(model, keys, counters):
        return {
            tuple(row[k] for k in keys): {c: row[c] for c in counters}
            for row in model.objects.values(*keys, *counters)
            if any(row[c] for c in counters)
        }

    return {
        "programme": kept(
            LedgerProgrammeYear, ("year", "programme_id", "township_id"), ("persons", "payments", "total_fen")
        ),
        "payees": kept(LedgerPayeeYear, ("year", "township_id"), ("persons",)),
        "month": kept(LedgerPaidMonth, ("year", "township_id", "paid_year", "paid_month"), ("payments", "total_fen")),
    }


COUNTER_LABELS = {"persons": "人数", "payments": "笔数", "total_fen": "金额"}


def counter_text(name: str, value: int) -> str:
    return f"{value / 100:.2f} 元" if name == "total_fen" else str(value)


def differences() -> list[str]:
    """The counters that differ from the ledger, one Chinese line each."""
    programmes = dict(PaymentProgramme.objects.values_list("pk", "name"))
    townships = dict(Township.objects.values_list("pk", "name"))

    def where(table: str, key: tuple) -> str:
        town = f"乡镇（街道）「{townships.get(key[2] if table == 'programme' else key[1])}」"
        if table == "programme":
            return f"{key[0]}年度 资金项目「{programmes.get(key[1], key[1])}」 {town}"
        if table == "payees":
            return f"{key[0]}年度 {town} 领取人数"
        return f"{key[0]}年度 {town} {key[2]}年{key[3]}月发放"

    ledger, summary = ledger_counters(), summary_counters()
    lines = []
    for table in ("programme", "payees", "month"):
        for key in sorted(ledger[table].keys() | summary[table].keys()):
            want, have = ledger[table].get(key, {}), summary[table].get(key, {})
            wrong = [
                f"{COUNTER_LABELS[name]} 汇总 {counter_text(name, have.get(name, 0))}，"
                f"台账 {counter_text(name, want.get(name, 0))}"
                for name in sorted(want.keys() | have.keys(), key=list(COUNTER_LABELS).index)
                if have.get(name, 0) != want.get(name, 0)
            ]
            if wrong:
                lines.append(f"{where(table, key)}：{'；'.join(wrong)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for label, sql in PG_PERSON_DIFFERENCES.items():
                cursor.execute(sql)
                (count,) = cursor.fetchone()
                if count:
                    lines.append(f"{label}计数：{count} 行与台账不一致（不列出人员）")
    return lines


def rebuild() -> dict[str, int]:
    """Empty the summary and fill it from the ledger, in one transaction; the rows written per table."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_LOCK)  # before emptying: no trigger writes between the delete and the fill
        for model in SUMMARY_MODELS:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for statement in PG_FILL if connection.vendor == "postgresql" else SQLITE_BACKFILL:
            cursor.execute(statement)
        return {model._meta.verbose_name: model.objects.count() for model in SUMMARY_MODELS}


class Command(BaseCommand):
    help = (
        "资金发放汇总（报表读取的计数表）与台账核对或重建：--check 列出与台账不一致的计数（有则退出码 1），"
        "--rebuild 清空汇总并按台账重新统计（一个事务内，期间暂停台账写入）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="核对：逐项比较汇总计数与台账直接统计的结果。")
        parser.add_argument("--rebuild", action="store_true", help="重建：清空汇总表并按台账重新统计。")

    def handle(self, *args, **options):
        if options["check"] == options["rebuild"]:
            raise CommandError(USAGE, returncode=2)
        if options["rebuild"]:
            written = rebuild()
            self.stdout.write("已按台账重建资金发放汇总：")
            for label, count in written.items():
                self.stdout.write(f"    {label}：{count} 行")
            return
        lines = differences()
        if not lines:
            self.stdout.write(CONSISTENT)
            return
        for line in lines:
            self.stdout.write(line)
        raise CommandError(
            f"资金发放汇总有 {len(lines)} 处与台账不一致，请运行 manage.py ledger_summary --rebuild 重建。",
            returncode=1,
        )
