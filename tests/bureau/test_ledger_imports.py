"""
The import engine pays through the ledger for any model declaring `ledger_payment`: a resource
written with no ledger code of its own (no mixin to remember), uploaded and confirmed in the admin
like any import job, writes the record's ledger row, and refuses a file paying twice.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from django.test import TestCase
from import_export import fields

from bureau.importexport import ChoiceLabelWidget, DateWidget, MoneyWidget, NameForeignKeyWidget, PersonRowResource
from bureau.importexport import care as resources_care
from bureau.importexport.resources import PortalResource
from bureau.models import ImportJob, Payment, PaymentProgramme, Visit
from bureau.models.care import Occasion
from tests.bureau.test_care_admin import xlsx
from tests.factories import BankAccountFactory, PaymentProgrammeFactory

IMPORT_URL = "/admin/bureau/visit/import/"
CONFIRM_URL = "/admin/bureau/visit/process_import/"
HEADERS = ["身份证号", "姓名", "业务领域", "走访事由", "走访日期", "走访人", "慰问金（元）", "资金项目"]


class PlainVisitResource(PersonRowResource):
    """A resource as an area would write it for a paying model: columns only, nothing about the ledger."""

    area = fields.Field("area", "业务领域", widget=ChoiceLabelWidget(Visit._meta.get_field("area").choices))
    occasion = fields.Field("occasion", "走访事由", widget=ChoiceLabelWidget(Occasion.choices))
    visited_on = fields.Field("visited_on", "走访日期", widget=DateWidget())
    visitor = fields.Field("visitor", "走访人")
    amount = fields.Field("amount", "慰问金（元）", widget=MoneyWidget())
    programme = fields.Field("programme", "资金项目", widget=NameForeignKeyWidget(PaymentProgramme, "name"))

    class Meta:
        model = Visit
        fields = ["person", "person_name", "area", "occasion", "visited_on", "visitor", "amount", "programme"]
        import_id_fields = ["person", "occasion", "visited_on"]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def plain_resource(monkeypatch):
    """The visits' admin imports through the plain resource (the real upload, job and confirm)."""
    monkeypatch.setattr(admin.site._registry[Visit], "resource_classes", [PlainVisitResource])


@pytest.fixture
def spring(db):
    return PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")


def import_through_admin(client, content: bytes) -> ImportJob:
    file = BytesIO(content)
    file.name = "visits.xlsx"
    # The job's tasks run on commit; the test's transaction never commits, so run them at the end of each request.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": file})
    job = ImportJob.objects.get()
    if job.status == ImportJob.Status.VALIDATED:
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(CONFIRM_URL, {"job": job.pk})
        job.refresh_from_db()
    return job


def row(person, *, occasion="春节", visited_on="2021-01-28", amount=800):
    return [person.id_number, person.name, "优待抚恤", occasion, visited_on, "走访组", amount, "春节慰问金"]


def test_the_resource_has_no_ledger_code_and_there_is_no_mixin_left():
    assert not hasattr(resources_care, "LinkedPaymentResourceMixin")
    own = {
        name
        for klass in PlainVisitResource.__mro__[: PlainVisitResource.__mro__.index(PortalResource)]
        for name in vars(klass)
    }
    assert not {name for name in own if "ledger" in name}


def test_an_import_by_a_resource_without_a_mixin_pays_through_the_ledger(
    plain_resource, client_for, bureau_user, person_a, spring
):
    BankAccountFactory(person=person_a)

    job = import_through_admin(client_for(bureau_user), xlsx(HEADERS, [row(person_a)]))

    assert job.status == ImportJob.Status.DONE, job.errors
    visit = Visit.objects.get()
    payment = Payment.objects.get()
    assert visit.payment == payment
    assert (payment.person, payment.programme, payment.amount, payment.period, payment.paid_on) == (
        person_a,
        spring,
        Decimal("800.00"),
        "2021",
        datetime.date(2021, 1, 28),
    )


def test_a_file_paying_a_person_twice_is_refused_at_the_preview(
    plain_resource, client_for, bureau_user, person_a, spring
):
    BankAccountFactory(person=person_a)
    rows = [row(person_a), row(person_a, occasion="困难帮扶", visited_on="2021-01-30", amount=500)]

    job = import_through_admin(client_for(bureau_user), xlsx(HEADERS, rows))

    assert job.status == ImportJob.Status.INVALID
    assert any(message.startswith("第 3 行：") and "文件中另有一行同一人员" in message for message in job.errors)
    assert (Visit.objects.count(), Payment.objects.count()) == (0, 0)


def test_a_row_repeated_word_for_word_is_one_payment(plain_resource, client_for, bureau_user, person_a, spring):
    BankAccountFactory(person=person_a)

    job = import_through_admin(client_for(bureau_user), xlsx(HEADERS, [row(person_a), row(person_a)]))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (Visit.objects.count(), Payment.objects.count()) == (1, 1)
