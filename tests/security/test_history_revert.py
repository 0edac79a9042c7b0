"""
The old-version page of django-simple-history (`/admin/<app>/<model>/<id>/history/<version>/`)
saves its posted form: a revert. Only a role that may change the record may post it; a ledger
row is changed by nobody alone (two people write it: bureau.rules.payments.proposals).
"""

from decimal import Decimal

import pytest

from bureau.models import BankAccount
from tests.factories import BankAccountFactory, PaymentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(township_a):
    return PaymentFactory(person=PersonFactory(township=township_a), amount="1200.00")


@pytest.fixture
def account(township_a):
    return BankAccountFactory(person=PersonFactory(township=township_a), bank="示范区农村商业银行")


def revert_url(record) -> str:
    version = record.history.earliest()
    return f"/admin/bureau/{record._meta.model_name}/{record.pk}/history/{version.history_id}/"


def payment_form(payment, **changes) -> dict:
    data = {
        "person": payment.person_id,
        "programme": payment.programme_id,
        "amount": "1200.00",
        "period": payment.period,
        "paid_on": payment.paid_on.isoformat(),
        "batch": "",
    }
    return {**data, **changes}


def account_form(account, **changes) -> dict:
    data = {
        "person": account.person_id,
        "bank": "示范区农村商业银行",
        "account_number": account.account_number,
        "account_name": account.account_name,
        "active": "on",
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ["leader", "bureau_user"])
def test_nobody_alone_saves_a_ledger_row_through_its_old_version_page(role, request, client_for, payment):
    client = client_for(request.getfixturevalue(role))
    assert client.get(revert_url(payment)).status_code == 200

    response = client.post(revert_url(payment), payment_form(payment, amount="99999.00"))

    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("1200.00")


def test_a_ledger_row_is_read_only_and_not_deleted_by_one_clerk(client_for, bureau_user, payment):
    client = client_for(bureau_user)

    change = client.post(f"/admin/bureau/payment/{payment.pk}/change/", payment_form(payment, amount="1.00"))
    delete = client.post(f"/admin/bureau/payment/{payment.pk}/delete/", {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("1200.00")


def test_leadership_cannot_save_a_record_through_its_old_version_page(client_for, leader, account):
    response = client_for(leader).post(revert_url(account), account_form(account, bank="另一银行"))

    assert response.status_code == 403
    assert BankAccount.objects.get(pk=account.pk).bank == "示范区农村商业银行"


def test_bureau_staff_revert_a_record_from_its_old_version_page(client_for, bureau_user, account):
    BankAccount.objects.filter(pk=account.pk).update(bank="另一银行")

    response = client_for(bureau_user).post(revert_url(account), account_form(account))

    assert response.status_code == 302
    assert BankAccount.objects.get(pk=account.pk).bank == "示范区农村商业银行"
