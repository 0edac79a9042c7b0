"""
The payment ledger's import: the person by ID number (and name), the programme by its code, the
amount to the fen. A ledger row is added by an import, never changed by one.
"""

import datetime
from decimal import Decimal

import pytest
from django.test import TestCase

from bureau.importexport import PortalXLSX
from bureau.models import AuditEvent, ImportJob, Payment
from bureau.resources import PaymentResource
from tests.bureau.test_import_export import _named, xlsx_file
from tests.factories import PaymentProgrammeFactory, PersonFactory

IMPORT_URL = "/admin/bureau/payment/import/"
CONFIRM_URL = "/admin/bureau/payment/process_import/"
HEADERS = ["身份证号", "姓名", "资金项目代码", "期间", "金额（元）", "发放日期", "备注"]


@pytest.fixture
def programme(db):
    return PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")


@pytest.fixture
def people(township_a):
    return [PersonFactory(township=township_a, name=name) for name in ("王一", "王二")]


def row(person, **overrides):
    values = {
        "身份证号": person.id_number,
        "姓名": person.name,
        "资金项目代码": "spring-festival",
        "期间": "2021",
        "金额（元）": 800,
        "发放日期": datetime.date(2021, 2, 5),
        "备注": "",
    }
    return {**values, **overrides}


def import_payments(user, rows, **kwargs):
    dataset = PortalXLSX().create_dataset(xlsx_file(rows, HEADERS))
    return PaymentResource(user=user).import_data(dataset, **kwargs)


def ledger():
    return sorted(Payment.objects.values_list("person__name", "programme__code", "period", "amount", "paid_on"))


def test_a_list_of_payments_is_added_to_the_ledger_to_the_fen(bureau_user, programme, people):
    first, second = people

    result = import_payments(bureau_user, [row(first, **{"金额（元）": 1234.5}), row(second, **{"金额（元）": 0.1})])

    assert result.row_messages == []
    assert ledger() == [
        ("王一", "spring-festival", "2021", Decimal("1234.50"), datetime.date(2021, 2, 5)),
        ("王二", "spring-festival", "2021", Decimal("0.10"), datetime.date(2021, 2, 5)),
    ]
    assert Payment.history.filter(history_type="+").count() == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CREATE, content_type__model="payment").count() == 2


def test_the_same_list_again_adds_nothing_and_a_changed_amount_is_refused(bureau_user, programme, people):
    rows = [row(person) for person in people]
    import_payments(bureau_user, rows)

    again = import_payments(bureau_user, rows)
    changed = import_payments(bureau_user, [rows[0], {**rows[1], "金额（元）": "900"}])

    assert again.row_messages == []
    assert {kind: count for kind, count in again.totals.items() if count} == {"skip": 2}
    assert changed.row_messages == [
        "第 3 行：该人员在此期间已领取过该项目资金，导入不能修改已发放的记录；如需更正，请在台账中办理。"
    ]
    assert [amount for *_, amount, _ in ledger()] == [Decimal("800.00"), Decimal("800.00")]
    assert Payment.history.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"资金项目代码": "no-such"}, "第 2 行：资金项目代码，资金项目“no-such”不存在。"),
        ({"金额（元）": "八百"}, "第 2 行：金额（元），金额“八百”不是有效的数字。"),
        ({"金额（元）": "800.123"}, "第 2 行：金额（元），金额“800.123”最多保留两位小数（到分）。"),
        ({"金额（元）": "0"}, "第 2 行：金额（元），确保该值大于或等于0.01。"),
        ({"姓名": "李四"}, "第 2 行：姓名“李四”与人员库中该身份证号登记的姓名“王一”不一致。"),
        ({"期间": "2021-13"}, "第 2 行：期间格式应为年度（如 2021）或年月（如 2021-03）。"),
    ],
    ids=["unknown-programme", "not-a-number", "three-decimals", "zero", "name-mismatch", "bad-period"],
)
def test_a_bad_cell_names_its_row_and_nothing_is_written(bureau_user, programme, people, overrides, message):
    result = import_payments(bureau_user, [row(people[1]), row(people[0], **overrides)])

    assert Payment.objects.count() == 0
    # The second data row is Excel's row 3.
    assert result.row_messages == [message.replace("第 2 行", "第 3 行")]


def test_the_admin_imports_payments_as_a_job(client_for, bureau_user, programme, people):
    client = client_for(bureau_user)
    content = xlsx_file([row(person) for person in people], HEADERS)

    # Tasks are queued on commit, which the test's transaction never does: run them at the end of each request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        uploaded = client.post(
            IMPORT_URL, {"format": "0", "resource": "0", "import_file": _named(content, "春节.xlsx")}
        )
    job = ImportJob.objects.get()
    preview = client.get(uploaded["Location"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed = client.post(CONFIRM_URL, {"job": job.pk})

    job.refresh_from_db()
    assert uploaded["Location"] == f"/admin/bureau/payment/import/{job.pk}/"
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    assert confirmed.status_code == 302
    assert (job.model, job.status, job.result["new"]) == ("bureau.payment", ImportJob.Status.DONE, 2)
    assert len(ledger()) == 2
