"""
`manage.py ledger_summary`: `--check` finds a summary counter that no longer equals the ledger's own
aggregate (a counter changed by raw SQL, payments loaded with the triggers disabled) and names it;
`--rebuild` fills the summary from the ledger again, after which the check passes and the figures
equal the direct aggregates; no option is a usage error.
"""

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bureau.models import LedgerProgrammeYear, PaymentProgramme, ledger_summary
from tests.bureau.test_ledger_summary import assert_summary_is_the_ledger
from tests.factories import PaymentFactory, PaymentProgrammeFactory, PersonFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("bureau.migrations.0034_ledger_summary")


def run(*options) -> tuple[int, str]:
    """(exit code, what the command printed)."""
    out = io.StringIO()
    try:
        call_command("ledger_summary", *options, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def ledger(township_a, township_b):
    monthly = PaymentProgrammeFactory(
        code="rebuild-monthly", name="定期补助（核对）", frequency=PaymentProgramme.Frequency.MONTHLY
    )
    annual = PaymentProgrammeFactory(
        code="rebuild-annual", name="年度补助（核对）", frequency=PaymentProgramme.Frequency.ANNUAL
    )
    ann, bo = PersonFactory(township=township_a), PersonFactory(township=township_a)
    cai = PersonFactory(township=township_b)
    for month in (1, 2, 3):
        PaymentFactory(person=ann, programme=monthly, amount="1500.10", period=f"2021-{month:02d}")
    PaymentFactory(person=bo, programme=annual, amount="800.00", period="2021", paid_on=datetime.date(2021, 6, 1))
    PaymentFactory(person=cai, programme=annual, amount="700.05", period="2020", paid_on=datetime.date(2021, 3, 1))
    return {"monthly": monthly, "annual": annual, "people": (ann, bo, cai)}


def test_a_consistent_summary_passes_the_check(ledger):
    assert run("--check") == (0, "资金发放汇总与台账一致\n")


def test_no_option_is_a_usage_error_in_chinese(ledger):
    code, printed = run()
    assert code == 2
    assert "请指定 --check" in printed and "--rebuild" in printed


def test_a_counter_changed_by_raw_sql_is_named_then_rebuilt(ledger, township_a, township_b):
    monthly = ledger["monthly"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bureau_ledger_programme_year SET persons = persons + 4, total_fen = total_fen - 10"
            " WHERE year = 2021 AND programme_id = %s AND township_id = %s",
            [monthly.pk, township_a.pk],
        )
    code, printed = run("--check")
    assert code == 1
    assert printed.splitlines()[0] == (
        "2021年度 资金项目「定期补助（核对）」 乡镇（街道）「甲镇」：人数 汇总 5，台账 1；金额 汇总 4500.20 元，台账 4500.30 元"
    )
    assert "资金发放汇总有 1 处与台账不一致" in printed

    code, printed = run("--rebuild")
    assert code == 0 and printed.startswith("已按台账重建资金发放汇总：")
    assert "资金发放汇总（项目）：3 行" in printed
    assert run("--check") == (0, "资金发放汇总与台账一致\n")
    assert ledger_summary.by_programme(year=2021, township=township_a)[monthly.pk] == {
        "persons": 1,
        "payments": 3,
        "total": Decimal("4500.30"),
    }
    assert_summary_is_the_ledger([township_a, township_b])


def test_payments_loaded_with_the_triggers_off_are_found_and_rebuilt(ledger, township_a, township_b):
    """As a restore or a bulk load with the triggers disabled leaves it: the ledger moved, the summary did not."""
    ann, _, cai = ledger["people"]
    migration.triggers_drop(connection)
    try:
        PaymentFactory(person=cai, programme=ledger["monthly"], amount="20.00", period="2022-01")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bureau_payment WHERE person_id = %s", [ann.pk])
    finally:
        migration.triggers_create(connection)
    code, printed = run("--check")
    assert code == 1
    assert "2022年度 资金项目「定期补助（核对）」 乡镇（街道）「乙镇」：人数 汇总 0，台账 1" in printed
    assert "2022年度 乡镇（街道）「乙镇」 领取人数：人数 汇总 0，台账 1" in printed
    assert "2021年度 乡镇（街道）「甲镇」 2021年1月发放" in printed
    # A row of the summary whose payments are all gone: its counters go to 0, as the triggers keep it.
    assert "2021年度 资金项目「定期补助（核对）」 乡镇（街道）「甲镇」：人数 汇总 1，台账 0" in printed

    assert run("--rebuild")[0] == 0
    assert run("--check") == (0, "资金发放汇总与台账一致\n")
    assert not LedgerProgrammeYear.objects.filter(programme_id=ledger["monthly"].pk, year=2021).exists()
    assert ledger_summary.totals(year=2022, township=None) == {"payees": 1, "payments": 1, "total": Decimal("20.00")}
    assert_summary_is_the_ledger([township_a, township_b])
    # The triggers keep the rebuilt summary.
    PaymentFactory(person=cai, programme=ledger["monthly"], amount="30.00", period="2022-02")
    assert run("--check") == (0, "资金发放汇总与台账一致\n")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the per-person counts are PostgreSQL's")
def test_a_stale_per_person_count_is_found_on_postgresql(ledger):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bureau_ledger_person_year SET payments = payments + 1 WHERE year = 2021")
    code, printed = run("--check")
    assert code == 1
    assert "人员年度计数：2 行与台账不一致（不列出人员）" in printed
    assert run("--rebuild")[0] == 0
    assert run("--check")[0] == 0
