"""
发放花名册 (bureau.printouts, pensions.printouts): the demo's paid month, per township with a signature
column, read back from the .docx: the total is the run's ledger total to the cent, the rows are its
Payment rows, ID numbers whole for the clerk and masked for the leader, every download audited.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Sum

from bureau.demo.writers import CLERK_USERNAME
from bureau.models import AuditEvent, ExportLog, Payment, User
from pensions.models import PayrollRun
from pensions.printouts import NOT_PAID
from tests.printout_reading import download, paragraphs, read, tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(demo_district):
    return PayrollRun.objects.filter(batch__isnull=False).select_related("batch").order_by("-period").first()


def url(run, fmt="docx") -> str:
    return f"/printouts/payroll-roster/{run.pk}/?format={fmt}"


def roster_rows(document) -> tuple[list[list[str]], list[list[str]]]:
    """(person rows, subtotal rows) of every township's table."""
    people, subtotals = [], []
    for table in tables(document):
        assert table[0] == ["序号", "姓名", "身份证号", "类别/项目", "金额（元）", "签名"]
        for row in table[1:]:
            (subtotals if row[1] == "小计" else people).append(row)
    return people, subtotals


def test_the_rosters_total_is_the_runs_ledger_total(run, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    payments = Payment.objects.filter(batch=run.batch)
    ledger_total = payments.aggregate(total=Sum("amount"))["total"]

    response = download(client, clerk, url(run))

    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = read(response.content)
    people, subtotals = roster_rows(document)
    assert len(people) == payments.count() > 0
    assert sum(Decimal(row[4]) for row in people) == ledger_total
    assert sum(Decimal(row[4]) for row in subtotals) == ledger_total
    assert all(row[5] == "" for row in people)  # the signature column is left for the pen
    total_line = next(text for text in paragraphs(document) if text.startswith("合计："))
    assert total_line == (
        f"合计：{payments.values('person').distinct().count()}人，{payments.count()}笔，金额{ledger_total:.2f}元。"
    )
    assert any(text.startswith("制表人：") and "审核人：" in text for text in paragraphs(document))
    # Each township's table is its own people; the captions name them and their number.
    captions = [text for text in paragraphs(document) if re.fullmatch(r".+（\d+人）", text)]
    assert len(captions) == len(subtotals) == payments.values("person__township").distinct().count()


def test_the_clerk_sees_whole_id_numbers_the_leader_masked_ones(run, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    leader = User.objects.get(username="leader")
    whole = {
        p.person.name: p.person.id_number for p in Payment.objects.filter(batch=run.batch).select_related("person")
    }

    people, _ = roster_rows(read(download(client, clerk, url(run)).content))
    assert {row[1]: row[2] for row in people} == whole
    assert ExportLog.objects.filter(user=clerk, kind="发放花名册").latest("pk").unmasked is True

    people, _ = roster_rows(read(download(client, leader, url(run)).content))
    assert all(re.fullmatch(r"\d{4}\*{10}[\dX]{4}", row[2]) for row in people)
    assert {row[1] for row in people} == set(whole)
    log = ExportLog.objects.filter(user=leader, kind="发放花名册").latest("pk")
    assert (log.unmasked, log.row_count, log.file_format) == (False, len(people), "docx")


def test_every_download_is_an_audit_event(run, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=clerk).count()

    download(client, clerk, url(run))
    download(client, clerk, url(run))

    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DOWNLOAD, user=clerk).order_by("-pk")
    assert events.count() == before + 2
    assert (events[0].object_id, events[0].detail) == (str(run.pk), "发放花名册（docx）")


def test_the_run_page_offers_the_roster(run, client):
    clerk = User.objects.get(username=CLERK_USERNAME)

    page = download(client, clerk, f"/admin/pensions/payrollrun/{run.pk}/change/").content.decode()

    assert f'href="{url(run)}"' in page and "打印发放花名册（Word）" in page


def test_refusals_are_in_chinese(run, client):
    clerk = User.objects.get(username=CLERK_USERNAME)
    station = User.objects.filter(username__startswith="station_", township__isnull=False).first()
    unpaid = PayrollRun.objects.create(
        period="2099-01", paid_on=datetime.date(2099, 1, 10), generated_by=clerk, status=PayrollRun.Status.GENERATED
    )

    assert download(client, station, url(run)).status_code == 403
    client.force_login(clerk)
    not_paid = client.get(url(unpaid))
    assert (not_paid.status_code, not_paid.content.decode()) == (400, NOT_PAID)
    assert client.get("/printouts/payroll-roster/999999/").status_code == 404
    assert client.get("/printouts/no-such-printout/1/").status_code == 404
    assert client.get(url(run, "xls")).status_code == 400
    assert "格式" in client.get(url(run, "xls")).content.decode()
    assert client.get(url(run) + "&township=1").status_code == 400
