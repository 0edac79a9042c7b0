"""
The payment ledger's import is closed: a file of ledger rows would be one account's payment, and
every payment by hand is prepared by one clerk and approved by another (bureau.rules.payments.proposals).
A file offered anyway writes nothing and says where to go instead; the ledger's export stays.
"""

import datetime

import pytest

from bureau.importexport import PortalXLSX
from bureau.importexport.records import PAYMENT_IMPORT_REFUSED, PaymentResource
from bureau.models import Payment, PaymentProposal
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


def test_a_file_of_payments_is_refused_whole_and_says_where_to_go(bureau_user, programme, people):
    result = import_payments(bureau_user, [row(person) for person in people])

    assert result.row_messages == [PAYMENT_IMPORT_REFUSED]
    assert "批量发放" in PAYMENT_IMPORT_REFUSED and "另一名工作人员审批" in PAYMENT_IMPORT_REFUSED
    assert Payment.objects.count() == 0 and PaymentProposal.objects.count() == 0


def test_the_admin_offers_no_import_of_the_ledger(client_for, bureau_user, programme, people):
    client = client_for(bureau_user)
    content = xlsx_file([row(person) for person in people], HEADERS)

    page = client.get("/admin/bureau/payment/")
    uploaded = client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": _named(content, "春节.xlsx")})
    confirmed = client.post(CONFIRM_URL, {"job": 1})

    assert IMPORT_URL not in page.content.decode()
    assert (uploaded.status_code, confirmed.status_code) == (403, 403)
    assert Payment.objects.count() == 0


def test_the_ledger_is_still_exported(client_for, bureau_user):
    assert client_for(bureau_user).get("/admin/bureau/payment/export/").status_code == 200
