"""
After an unlock, regenerating a finalised year's report lists exactly the figures changed since the
final version (label, final value, value now): on the run and its dashboard row, in the Excel file's
「定稿后变更」 sheet, and in `manage.py annual_report`'s output. Unchanged figures are not listed.

The year is closed, reopened with a reason, then one approved record is changed (张三's discharge moved
to 2020) and one is added (a 500-yuan payment to 李二); the records are changed after the unlock only.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from openpyxl import load_workbook

from bureau import roles
from bureau.rules.closing import is_closed
from reports.finals import report_close, report_reopen
from reports.models import AnnualReportRun
from reports.services import report_run_execute, report_run_request
from tests.conftest import make_persona
from tests.factories import PaymentFactory, PaymentProgrammeFactory, TownshipFactory, UserFactory
from tests.reports.sample_section import SAMPLE, build_records

pytestmark = pytest.mark.django_db

# (item, figure, final value, value now, unit), in the report's order; 登记在册退役军人 and 优抚对象 did not change.
EXPECTED = [
    ("摸清退役军人底数", "当年退役", 3, 2, "人"),
    ("各类资金发放到位", "资金发放对象", 3, 4, "人"),
    ("各类资金发放到位", "发放资金", "13300.00", "13800.00", "元"),
    ("选树宣传退役军人典型", "退役军人典型", ["张二", "张三", "李二"], ["张二", "李二"], ""),
    ("主要数据", "2021年退役", 3, 2, "人"),
    ("主要数据", "资金发放对象", 3, 4, "人"),
    ("主要数据", "资金发放总额", "13300.00", "13800.00", "元"),
]


def run_once(*, year, township, by) -> AnnualReportRun:
    """Request a run and execute it here (its on-commit task never fires inside the module's transaction)."""
    run = report_run_request(year=year, township=township, formats=["docx", "xlsx"], by=by)
    return report_run_execute(run_id=run.pk)


def annual_report(*args) -> str:
    out = io.StringIO()
    call_command("annual_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("final-changes")
    with (
        override_settings(REPORT_SECTIONS=[SAMPLE], MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        township_a = TownshipFactory(code="A01", name="甲镇", order=1)
        township_b = TownshipFactory(code="B01", name="乙镇", order=2)
        people = build_records(township_a, township_b)
        clerk, leader = make_persona("bureau_user"), make_persona("leader")
        station = UserFactory(username="station_a", township=township_a, groups=[roles.STATION_STAFF])

        # Before the year is closed: a district run compares with nothing.
        before = run_once(year=2021, township=None, by=clerk)
        final = report_close(year=2021, by=clerk)
        unchanged = run_once(year=2021, township=None, by=clerk)
        unchanged_output = annual_report("--year", "2021", "--output", str(media / "same.xlsx"))
        report_reopen(year=2021, by=leader, reason="李二的慰问金漏录，张三退役日期录错")

        people["张三"].discharged_on = datetime.date(2020, 10, 1)
        people["张三"].save()
        programme = PaymentProgrammeFactory(code="spring-festival")
        PaymentFactory(person=people["李二"], programme=programme, amount="500.00", period="2021-01")

        changed = run_once(year=2021, township=None, by=clerk)
        township_run = run_once(year=2021, township=township_a, by=clerk)
        output = annual_report("--year", "2021", "--output", str(media / "now.xlsx"))
        yield {
            "final": final,
            "before": before,
            "unchanged": unchanged,
            "unchanged_output": unchanged_output,
            "changed": changed,
            "township_run": township_run,
            "output": output,
            "command_file": media / "now.xlsx",
            "users": {"clerk": clerk, "leader": leader, "station": station},
        }
        transaction.set_rollback(True)


def as_rows(changes: list[dict]) -> list[tuple]:
    return [(c["item_title"], c["label"], c["final"], c["now"], c["unit"]) for c in changes]


def test_the_changed_figures_are_stored_on_the_run_exactly(world):
    changed = world["changed"]
    assert changed.status == AnnualReportRun.Status.DONE
    assert not is_closed(2021)
    assert changed.final_changes["version"] == world["final"].version == 1
    assert as_rows(changed.final_changes["changes"]) == EXPECTED


def test_a_run_without_changes_says_so_and_runs_without_a_final_version_compare_with_nothing(world):
    assert world["unchanged"].final_changes == {"version": 1, "changes": []}
    # Before the closing, and for a township: no comparison at all.
    assert world["before"].final_changes is None
    assert world["township_run"].final_changes is None


def test_the_dashboard_row_lists_the_changes(world):
    client = Client()
    client.force_login(world["users"]["clerk"])
    page = client.get("/dashboard/?year=2021").content.decode()

    changed_row = page.split(f'id="run-{world["changed"].pk}"')[1].split("</tr>")[0]
    assert "与定稿版本相比，以下数字已变化：" in changed_row
    assert "各类资金发放到位·发放资金：定稿 13300.00 元，现 13800.00 元" in changed_row
    assert "选树宣传退役军人典型·退役军人典型：定稿 张二、张三、李二，现 张二、李二" in changed_row
    assert "主要数据·2021年退役：定稿 3 人，现 2 人" in changed_row
    assert changed_row.count("<li>") == len(EXPECTED)
    assert "登记在册退役军人" not in changed_row  # unchanged

    unchanged_row = page.split(f'id="run-{world["unchanged"].pk}"')[1].split("</tr>")[0]
    assert "与定稿版本一致。" in unchanged_row
    before_row = page.split(f'id="run-{world["before"].pk}"')[1].split("</tr>")[0]
    assert "定稿" not in before_row

    # The year is reopened: the dashboard says so, with the reason and the final files.
    assert "2021年报告已解锁（局领导" in page
    assert "原因：李二的慰问金漏录，张三退役日期录错" in page
    assert "/dashboard/final/2021/docx/?version=1" in page


def sheet_rows(path_or_file) -> list[tuple]:
    sheet = load_workbook(path_or_file)["定稿后变更"]
    return list(sheet.iter_rows(values_only=True))


def expected_sheet() -> list[tuple]:
    def cell(value):
        if isinstance(value, list):
            return "、".join(value)
        return Decimal(value) if isinstance(value, str) else value

    rows = [(item, label, cell(final), cell(now), unit or None) for item, label, final, now, unit in EXPECTED]
    return [("条目", "指标", "定稿数值", "现数值", "单位"), *rows]


def test_the_excel_file_has_a_sheet_of_the_changes(world):
    with world["changed"].xlsx_file.open("rb") as opened:
        rows = sheet_rows(opened)
    assert rows == expected_sheet()
    assert rows[3][2:4] == (13300, 13800)  # money as numbers, not text

    with world["unchanged"].xlsx_file.open("rb") as opened:
        assert sheet_rows(opened) == [
            ("条目", "指标", "定稿数值", "现数值", "单位"),
            ("与定稿版本一致。", None, None, None, None),
        ]
    with world["before"].xlsx_file.open("rb") as opened:
        assert "定稿后变更" not in load_workbook(opened).sheetnames


def test_the_command_prints_the_changes(world):
    assert sheet_rows(world["command_file"]) == expected_sheet()
    lines = world["output"].splitlines()
    start = lines.index("与定稿版本（第1版）相比，以下数字已变化：")
    assert lines[start + 1 :] == [
        "  摸清退役军人底数·当年退役：定稿 3 人，现 2 人",
        "  各类资金发放到位·资金发放对象：定稿 3 人，现 4 人",
        "  各类资金发放到位·发放资金：定稿 13300.00 元，现 13800.00 元",
        "  选树宣传退役军人典型·退役军人典型：定稿 张二、张三、李二，现 张二、李二",
        "  主要数据·2021年退役：定稿 3 人，现 2 人",
        "  主要数据·资金发放对象：定稿 3 人，现 4 人",
        "  主要数据·资金发放总额：定稿 13300.00 元，现 13800.00 元",
    ]
    assert "与定稿版本（第1版）一致。" in world["unchanged_output"]


def test_the_final_version_is_unchanged_by_the_regeneration(world):
    final = world["final"]
    final.refresh_from_db()
    assert final.figures["sample.payments"]["paid"]["value"] == "13300.00"
    assert final.docx_file.storage.exists(final.docx_file.name)
    assert final.xlsx_file.storage.exists(final.xlsx_file.name)
