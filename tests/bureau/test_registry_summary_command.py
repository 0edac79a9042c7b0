"""
`manage.py registry_summary`: `--check` finds a registry summary that no longer equals the registry (a
counter changed by raw SQL, categories and persons written with the triggers disabled) and names the
figures that differ in Chinese; `--rebuild` fills it from the registry again, after which the check
passes and the figures equal the direct counts; no option is a usage error.
"""

import datetime
import importlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bureau.models import Person, PreferentialCategory, registry_summary
from tests.bureau import test_registry_summary
from tests.bureau.test_registry_summary import assert_summary_is_the_registry
from tests.factories import PersonCategoryFactory

pytestmark = pytest.mark.django_db

sql = importlib.import_module("bureau.models.registry_summary_sql")
registry = test_registry_summary.registry  # the fixture: five persons, their ranges of categories


def run(*options) -> tuple[int, str]:
    """(exit code, what the command printed)."""
    out = io.StringIO()
    try:
        call_command("registry_summary", *options, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_a_consistent_summary_passes_the_check(registry):
    assert run("--check") == (0, "登记汇总与人员登记一致\n")
    assert run("--check", "--year", "2013", "--year", "2021") == (0, "登记汇总与人员登记一致\n")


def test_no_option_is_a_usage_error_in_chinese(registry):
    code, printed = run()
    assert code == 2
    assert "请指定 --check" in printed and "--rebuild" in printed


def test_a_counter_changed_by_raw_sql_is_named_then_rebuilt(registry, township_a, township_b):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bureau_registry_year SET delta = delta + 2 WHERE township_id = %s AND scope = %s AND year = 2015",
            [township_a.pk, sql.VETERAN_SCOPE],
        )
    code, printed = run("--check", "--year", "2021")
    assert code == 1
    assert printed.splitlines() == [
        "2021年度 乡镇（街道）「甲镇」：登记在册退役军人 汇总 4，登记 2",
        "登记汇总（乡镇年度）：1 个计数与人员事件之和不一致",
        "登记汇总有 2 处与人员登记不一致，请运行 manage.py registry_summary --rebuild 重建。",
    ]
    code, printed = run("--rebuild")
    assert code == 0 and printed.startswith("已按人员登记重建登记汇总：")
    assert run("--check", "--year", "2021") == (0, "登记汇总与人员登记一致\n")
    assert_summary_is_the_registry([township_a, township_b])


def test_writes_with_the_triggers_off_are_found_and_rebuilt(registry, township_a, township_b):
    """As a restore or a bulk load with the triggers disabled leaves it: the registry moved, the summary did not."""
    sql.triggers_drop(connection)
    try:
        PersonCategoryFactory(
            person=registry["bo"], category=PreferentialCategory.MARTYR_CHILD, started_on=datetime.date(2021, 1, 1)
        )
        Person.objects.filter(pk=registry["cai"].pk).update(township=township_a)
    finally:
        sql.triggers_create(connection)
    code, printed = run("--check", "--year", "2021")
    assert code == 1
    assert (
        "2021年度 乡镇（街道）「甲镇」：优抚对象 汇总 2，登记 3；因公牺牲军人遗属 汇总 0，登记 1；烈士子女 汇总 0，登记 1"
        in printed
    )
    assert "2021年度 乡镇（街道）「乙镇」：优抚对象 汇总 1，登记 0；因公牺牲军人遗属 汇总 1，登记 0" in printed
    assert "登记汇总（人员）：2 人的汇总事件与登记不一致（不列出人员）" in printed
    assert run("--rebuild")[0] == 0
    assert run("--check", "--year", "2021") == (0, "登记汇总与人员登记一致\n")
    assert registry_summary.counts(year=2021, township=township_a)["beneficiaries"] == 3
    assert_summary_is_the_registry([township_a, township_b])
    # The triggers keep the rebuilt summary.
    Person.objects.filter(pk=registry["bo"].pk).update(review_status="returned")
    assert run("--check", "--year", "2021") == (0, "登记汇总与人员登记一致\n")


def test_a_living_holders_counter_changed_by_raw_sql_is_named(registry, township_a):
    """The present scopes (the living Korean War veterans the report reads) are compared with the registry too."""
    PersonCategoryFactory(
        person=registry["ann"],
        category=PreferentialCategory.KOREAN_WAR_VETERAN,
        started_on=datetime.date(2010, 1, 1),
    )
    assert run("--check", "--year", "2021") == (0, "登记汇总与人员登记一致\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bureau_registry_year SET delta = delta + 1 WHERE township_id = %s AND scope = %s AND year = 2010",
            [township_a.pk, sql.present_scope(PreferentialCategory.KOREAN_WAR_VETERAN.value)],
        )
    code, printed = run("--check", "--year", "2021")
    assert code == 1
    assert printed.splitlines()[0] == "2021年度 乡镇（街道）「甲镇」：健在且在本区的抗美援朝老兵 汇总 2，登记 1"
