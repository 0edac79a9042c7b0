"""
The old-version page of django-simple-history (`/admin/<app>/<model>/<id>/history/<version>/`)
saves its posted form: a revert. Only a role that may change the record may post it.
"""

from decimal import Decimal

import pytest

from bureau.models import Payment
from tests.factories import PaymentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(township_a):
    return PaymentFactory(person=PersonFactory(township=township_a), amount="1200.00")


def revert_url(payment) -> str:
    version = payment.history.earliest()
    return f"/admin/bureau/payment/{payment.pk}/history/{version.history_id}/"


def form_of(payment, **changes) -> dict:
    data = {
        "person": payment.person_id,
        "programme": payment.programme_id,
        "amount": "1200.00",
        "period": payment.period,
        "paid_on": payment.paid_on.isoformat(),
        "batch": "",
    }
    return {**data, **changes}


def test_leadership_cannot_save_a_record_through_its_old_version_page(client_for, leader, payment):
    client = client_for(leader)
    assert client.get(revert_url(payment)).status_code == 200

    response = client.post(revert_url(payment), form_of(payment, amount="99999.00"))

    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("1200.00")


def test_bureau_staff_revert_a_record_from_its_old_version_page(client_for, bureau_user, payment):
    Payment.objects.filter(pk=payment.pk).update(amount="1500.00")

    response = client_for(bureau_user).post(revert_url(payment), form_of(payment))

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.amount == Decimal("1200.00")
