"""
Closing a year's report (定稿) and reopening it (解锁): by command and in the report year's admin page.
The final version keeps the district report's Word and Excel files and exactly its figures; reopening
needs the permission and a reason; the final files are downloaded through a logged view.
"""

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from docx import Document
from openpyxl import load_workbook

from bureau import roles
from bureau.models import AuditEvent, ClosedYear
from bureau.rules.closing import is_closed
from reports.finals import report_close
from reports.models import FinalReport, ReportDownload, ReportYear
from tests.conftest import make_persona
from tests.factories import TownshipFactory, UserFactory
from tests.reports.sample_section import SAMPLE, build_records

pytestmark = pytest.mark.django_db


def figure(item_title, label, value, unit):
    return {"item_title": item_title, "label": label, "value": value, "unit": unit}


# The 2021 district report of tests.reports.sample_section, figure by figure (money as its decimal text).
FIGURES_2021 = {
    "sample.registered": {
        "veterans": figure("摸清退役军人底数", "登记在册退役军人", 5, "人"),
        "discharged": figure("摸清退役军人底数", "当年退役", 3, "人"),
    },
    "sample.subsidy": {"subsidy_times": figure("发放创业补贴", "创业补贴发放人次", None, "人次")},
    "sample.payments": {
        "payees": figure("各类资金发放到位", "资金发放对象", 3, "人"),
        "paid": figure("各类资金发放到位", "发放资金", "13300.00", "元"),
    },
    "sample.role_models": {"names": figure("选树宣传退役军人典型", "退役军人典型", ["张二", "张三", "李二"], "")},
    "key_figures": {
        "veterans": figure("主要数据", "登记在册退役军人", 5, "人"),
        "discharged": figure("主要数据", "2021年退役", 3, "人"),
        "beneficiaries": figure("主要数据", "优抚对象", 0, "人"),
        "payees": figure("主要数据", "资金发放对象", 3, "人"),
        "paid_total": figure("主要数据", "资金发放总额", "13300.00", "元"),
    },
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        override_settings(REPORT_SECTIONS=[SAMPLE], MEDIA_ROOT=tmp_path_factory.mktemp("final-close")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        township_a = TownshipFactory(code="A01", name="甲镇", order=1)
        township_b = TownshipFactory(code="B01", name="乙镇", order=2)
        build_records(township_a, township_b)
        users = {
            "clerk": make_persona("bureau_user"),
            "leader": make_persona("leader"),
            "station": UserFactory(username="station_a", township=township_a, groups=[roles.STATION_STAFF]),
        }
        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        yield {"users": users, "clients": clients, "year": ReportYear.objects.create(year=2021)}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's files on their own: a closing rolled back with its test leaves its files behind."""
    settings.MEDIA_ROOT = tmp_path / "media"


def command(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def sha256_of(file_field) -> str:
    with file_field.open("rb") as opened:
        return hashlib.sha256(opened.read()).hexdigest()


def test_close_year_command_keeps_the_files_and_exactly_the_figures(world):
    output = command("close_year", "2021", "--by", "clerk")

    final = FinalReport.objects.get(year=2021)
    assert is_closed(2021)
    assert (final.version, final.closed_by.username) == (1, "clerk")
    assert final.closed_at == ClosedYear.objects.get(year=2021).closed_at
    assert final.figures == FIGURES_2021
    assert final.figure_count == 11
    assert final.docx_file.name == "reports/final/final-report-2021-v1.docx"
    assert final.xlsx_file.name == "reports/final/final-report-2021-v1.xlsx"
    assert sha256_of(final.docx_file) == final.docx_sha256
    assert sha256_of(final.xlsx_file) == final.xlsx_sha256
    with final.docx_file.open("rb") as opened:
        paragraphs = [p.text for p in Document(opened).paragraphs]
    assert "二是各类资金发放到位。全年共为3名对象发放资金1.33万元。" in paragraphs
    with final.xlsx_file.open("rb") as opened:
        summary = load_workbook(opened)["汇总"]
        assert ("样例工作扎实推进", "各类资金发放到位", "资金发放对象", 3, "人", "全区") in [
            row[:6] for row in summary.iter_rows(values_only=True)
        ]
    assert "2021年报告已定稿（第1版，定稿人 clerk），2021年的记录已锁定。" in output
    assert "reports/final/final-report-2021-v1.docx、reports/final/final-report-2021-v1.xlsx" in output
    assert "已保存数字 11 个。" in output

    # Closed again: refused, nothing more kept.
    with pytest.raises(CommandError, match=r"2021年已于\d{4}年\d{2}月\d{2}日定稿，不能重复定稿"):
        command("close_year", "2021", "--by", "clerk")
    assert FinalReport.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["close_year", "2021", "--by", "nobody"], "没有用户名为“nobody”的用户。"),
        (["close_year", "2021", "--by", "leader"], "用户“leader”没有年度定稿的权限。"),
        (["close_year", "2005", "--by", "clerk"], "2005年没有可写入报告的数据，不能定稿。"),
        (["close_year", "1999", "--by", "clerk"], "年度 1999 超出范围"),
        (["reopen_year", "2021", "--by", "leader"], "解锁已定稿的年度必须填写原因（--reason）。"),
        (["reopen_year", "2021", "--by", "leader", "--reason", "  "], "解锁已定稿的年度必须填写原因（--reason）。"),
        (["reopen_year", "2021", "--by", "clerk", "--reason", "更正"], "用户“clerk”没有解锁已定稿的年度的权限。"),
        (["reopen_year", "2021", "--by", "leader", "--reason", "更正"], "2021年未定稿，无需解锁。"),
    ],
)
def test_commands_refuse_in_chinese(world, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        command(*args)
    assert not FinalReport.objects.exists()
    assert not is_closed(2021) and not is_closed(2005)


def test_reopen_year_command_needs_a_reason_and_keeps_the_files(world):
    final = report_close(year=2021, by=world["users"]["clerk"])

    output = command("reopen_year", "2021", "--by", "leader", "--reason", "李二的慰问金漏录")

    closing = ClosedYear.objects.get(year=2021)
    assert (closing.closed, closing.reopened_by.username, closing.reopen_reason) == (
        False,
        "leader",
        "李二的慰问金漏录",
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.YEAR_REOPEN, detail="2021年解锁：李二的慰问金漏录").exists()
    assert "2021年已解锁（解锁人 leader，原因：李二的慰问金漏录）" in output
    assert (
        "定稿文件仍保留：第1版 reports/final/final-report-2021-v1.docx、reports/final/final-report-2021-v1.xlsx。"
        in output
    )
    assert final.docx_file.storage.exists(final.docx_file.name)

    # Closed once more: the next version, the first one kept.
    again = command("close_year", "2021", "--by", "clerk")
    assert "第2版" in again
    assert list(FinalReport.objects.values_list("version", flat=True)) == [2, 1]
    assert final.xlsx_file.storage.exists(final.xlsx_file.name)


def test_close_and_reopen_in_the_report_year_admin(world):
    clerk, leader = world["clients"]["clerk"], world["clients"]["leader"]
    page = f"/admin/reports/reportyear/{world['year'].pk}/change/"
    close_url = f"/admin/reports/reportyear/{world['year'].pk}/close/"
    reopen_url = f"/admin/reports/reportyear/{world['year'].pk}/reopen/"

    body = clerk.get(page).content.decode()
    assert "2021年报告尚未定稿。" in body and close_url in body and 'id="reopen-form"' not in body
    assert close_url not in leader.get(page).content.decode()  # leadership does not close
    confirm = clerk.get(close_url)
    assert confirm.status_code == 200
    assert (
        "2021年的各项记录随即锁定，在管理后台、服务站、接口和导入中都不能再新增、修改或删除" in confirm.content.decode()
    )
    assert leader.get(close_url).status_code == 403
    assert leader.post(close_url, {"confirm": "on"}).status_code == 403
    unconfirmed = clerk.post(close_url, {})
    assert unconfirmed.status_code == 400 and "请勾选" in unconfirmed.content.decode()
    assert not is_closed(2021)

    assert clerk.post(close_url, {"confirm": "on"}).status_code == 302
    final = FinalReport.objects.get(year=2021)
    assert is_closed(2021) and final.figures == FIGURES_2021
    body = clerk.get(page).content.decode()
    assert "2021年报告已定稿（局机关，" in body and "第1版）" in body
    assert "/dashboard/final/2021/docx/?version=1" in body and "/dashboard/final/2021/xlsx/?version=1" in body
    assert 'id="reopen-form"' not in body  # bureau staff cannot reopen
    assert 'id="reopen-form"' in leader.get(page).content.decode()

    # Reopening: the permission (403), then the reason (400, still closed), then done.
    assert clerk.post(reopen_url, {"reason": "更正"}).status_code == 403
    empty = leader.post(reopen_url, {"reason": " "})
    assert empty.status_code == 400 and "解锁已定稿的年度必须填写原因。" in empty.content.decode()
    assert is_closed(2021)
    assert leader.post(reopen_url, {"reason": "张三退役日期录错"}).status_code == 302
    assert not is_closed(2021)
    body = leader.get(page).content.decode()
    assert "2021年报告已解锁（局领导，" in body and "原因：张三退役日期录错" in body


def test_final_files_are_downloaded_through_a_logged_view(world):
    final = report_close(year=2021, by=world["users"]["clerk"])
    leader = world["clients"]["leader"]

    response = leader.get("/dashboard/final/2021/xlsx/")
    assert response.status_code == 200
    with final.xlsx_file.open("rb") as opened:
        assert b"".join(response.streaming_content) == opened.read()
    assert "%E5%AE%9A%E7%A8%BF" in response["Content-Disposition"]  # 定稿 in the file name
    [logged] = ReportDownload.objects.all()
    assert (logged.final, logged.run, logged.user.username, logged.file_format) == (final, None, "leader", "xlsx")

    assert leader.get("/dashboard/final/2021/docx/?version=2").status_code == 404
    assert leader.get("/dashboard/final/2021/pdf/").status_code == 404
    # The district's report: not a township's station, nor through /files/.
    assert world["clients"]["station"].get("/dashboard/final/2021/docx/").status_code == 404
    assert leader.get(final.docx_file.url).status_code == 404
    assert ReportDownload.objects.count() == 1

    dashboard = leader.get("/dashboard/?year=2021").content.decode()
    assert "2021年报告已定稿（局机关，" in dashboard
    assert "/dashboard/final/2021/docx/?version=1" in dashboard
    station_dashboard = world["clients"]["station"].get("/dashboard/?year=2021").content.decode()
    assert "2021年报告已定稿（" in station_dashboard and "/dashboard/final/" not in station_dashboard
