"""
A real account or no payment (bureau.rules.payments.held): a batch pays only persons with a bank account
in use and holds the others (待补发), counted with the ledger so that nobody is held or paid twice;
an account added by any path (admin, API, import) pays what was held, once; a visit's 慰问金 waits
the same way; a single payment without an account is refused; a catch-up batch has its bank file.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from bureau.importexport import PortalXLSX
from bureau.importexport.bankfile import batch_bank_file
from bureau.importexport.records import BankAccountResource
from bureau.models import BankAccount, ExportLog, HeldPayment, Payment, PaymentBatch, Visit
from bureau.rules.payments.batches import PaymentLine, held_payments_release, payment_batch_create, payment_create
from bureau.rules.services import record_save
from tests.bureau.test_import_export import xlsx_file
from tests.factories import (
    BankAccountFactory,
    PayeeFactory,
    PaymentBatchFactory,
    PaymentFactory,
    PaymentProgrammeFactory,
    PersonFactory,
)

PAID_ON = datetime.date(2021, 1, 20)
TITLE = "2021年春节慰问金"


@pytest.fixture
def spring(db):
    return PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", frequency="annual")


@pytest.fixture
def people(township_a):
    """有户甲 has an account in use; 无户乙 and 无户丙 have none (丙's old account is closed)."""
    with_account = PayeeFactory(township=township_a, name="有户甲")
    second, third = PersonFactory(township=township_a, name="无户乙"), PersonFactory(township=township_a, name="无户丙")
    BankAccountFactory(person=third, active=False)
    return with_account, second, third


def pay(programme, people, by, amounts=("800.00", "600.00", "500.00"), **kwargs):
    lines = [
        PaymentLine(person_id=person.pk, amount=Decimal(amount), period="2021")
        for person, amount in zip(people, amounts, strict=True)
    ]
    return payment_batch_create(programme=programme, title=TITLE, paid_on=PAID_ON, lines=lines, by=by, **kwargs)


def test_a_batch_pays_the_persons_with_an_account_and_holds_the_others(bureau_user, spring, people):
    with_account, second, third = people

    result = pay(spring, people, bureau_user)

    assert (result.created, [line.person_id for line in result.held], result.held_total) == (
        1,
        [second.pk, third.pk],
        Decimal("1100.00"),
    )
    [payment] = Payment.objects.all()
    assert (payment.person, payment.bank_account, payment.batch) == (
        with_account,
        with_account.bank_accounts.get(),
        result.batch,
    )
    assert sorted(
        HeldPayment.objects.waiting().values_list("person__name", "amount", "period", "batch", "held_by")
    ) == [
        ("无户丙", Decimal("500.00"), "2021", result.batch.pk, bureau_user.pk),
        ("无户乙", Decimal("600.00"), "2021", result.batch.pk, bureau_user.pk),
    ]


def test_a_held_line_counts_as_paid_so_a_rerun_neither_holds_nor_pays_twice(bureau_user, spring, people):
    pay(spring, people, bureau_user)

    again = pay(spring, people, bureau_user, already_paid="skip")
    with pytest.raises(ValidationError) as refused:
        pay(spring, people[1:], bureau_user, amounts=("600.00", "500.00"))

    assert (again.batch, again.created, len(again.skipped), again.held) == (None, 0, 3, [])
    assert refused.value.messages == [
        "无户乙 的“春节慰问金”2021 已审批，因没有在用银行账户暂缓待补发，不能重复发放。",
        "无户丙 的“春节慰问金”2021 已审批，因没有在用银行账户暂缓待补发，不能重复发放。",
    ]
    assert (Payment.objects.count(), HeldPayment.objects.count(), PaymentBatch.objects.count()) == (1, 2, 1)


def test_an_account_added_through_the_admin_pays_the_held_line_once(client_for, bureau_user, spring, people):
    _, second, _ = people
    result = pay(spring, people, bureau_user)
    form = {
        "person": second.pk,
        "bank": "区农商银行",
        "account_number": "6228480000000000555",
        "account_name": "无户乙",
    }

    response = client_for(bureau_user).post(reverse("admin:bureau_bankaccount_add"), {**form, "active": "on"})

    assert response.status_code == 302
    account = BankAccount.objects.get(account_number="6228480000000000555")
    catch_up = PaymentBatch.objects.get(title=f"补发：{TITLE}")
    assert (catch_up.created_by, catch_up.paid_on) == (result.batch.created_by, timezone.localdate())
    [payment] = catch_up.payments.all()
    assert (payment.person, payment.amount, payment.period, payment.bank_account) == (
        second,
        Decimal("600.00"),
        "2021",
        account,
    )
    [history] = payment.history.all()
    assert history.history_user == bureau_user  # who added the account
    assert held_payments_release(person_ids=[second.pk]) == []  # called again, pays nothing
    assert Payment.objects.filter(person=second).count() == 1


def test_an_account_added_through_the_api_pays_the_held_line(bureau_user, spring, people):
    _, _, third = people
    pay(spring, people, bureau_user)
    client = APIClient()
    client.force_authenticate(bureau_user)

    response = client.post(
        "/api/v1/bank-accounts/",
        {"person": third.pk, "bank": "区农商银行", "account_number": "6228480000000000666", "account_name": "无户丙"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert list(Payment.objects.filter(person=third).values_list("amount", "batch__title")) == [
        (Decimal("500.00"), f"补发：{TITLE}")
    ]


def test_accounts_imported_from_a_banks_list_pay_the_held_lines_once(bureau_user, spring, people):
    _, second, third = people
    pay(spring, people, bureau_user)
    headers = ["身份证号", "姓名", "开户银行", "银行账号", "户名", "在用"]
    rows = [
        {"身份证号": person.id_number, "姓名": person.name, "开户银行": "区农商银行", "银行账号": number,
         "户名": person.name, "在用": "是"}
        for person, number in ((second, "6228480000000000701"), (third, "6228480000000000702"))
    ]  # fmt: skip
    content = xlsx_file(rows, headers)

    first = BankAccountResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))
    again = BankAccountResource(user=bureau_user).import_data(PortalXLSX().create_dataset(content))

    assert first.row_messages == again.row_messages == []
    assert sorted(
        Payment.objects.filter(batch__title=f"补发：{TITLE}").values_list(
            "person__name", "amount", "bank_account__account_number"
        )
    ) == [("无户丙", Decimal("500.00"), "6228480000000000702"), ("无户乙", Decimal("600.00"), "6228480000000000701")]
    assert not HeldPayment.objects.waiting().exists()


def test_the_bank_file_of_a_catch_up_batch_is_downloaded_with_its_permission(
    client_for, bureau_user, leader, spring, people
):
    _, second, _ = people
    result = pay(spring, people, bureau_user)
    BankAccountFactory(person=second, bank="区农商银行", account_number="6228480000000000555")
    catch_up = PaymentBatch.objects.get(title=f"补发：{TITLE}")
    url = reverse("admin:bureau_paymentbatch_bank_file", args=[catch_up.pk])

    assert client_for(leader).post(url).status_code == 403
    response = client_for(bureau_user).post(url)

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[1:6] for row in rows[1:-1]] == [
        ("无户乙", second.id_number, "区农商银行", second.name, "6228480000000000555")
    ]
    assert Decimal(str(rows[-1][6])) == sum(catch_up.payments.values_list("amount", flat=True)) == Decimal("600.00")
    log = ExportLog.objects.get()
    assert (log.user, log.row_count, log.unmasked, log.detail) == (
        bureau_user,
        1,
        True,
        f"补发：{TITLE}，合计 600.00 元",
    )
    original = client_for(bureau_user).post(reverse("admin:bureau_paymentbatch_bank_file", args=[result.batch.pk]))
    original_rows = list(load_workbook(io.BytesIO(original.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in original_rows[1:-1]] == ["有户甲"]  # the held lines were never in it


def test_a_single_payment_without_an_account_is_refused(bureau_user, spring, people):
    with_account, second, _ = people

    with pytest.raises(ValidationError) as refused:
        payment_create(person=second, programme=spring, amount=Decimal("600.00"), period="2021", paid_on=PAID_ON)
    payment = payment_create(
        person=with_account, programme=spring, amount=Decimal("800.00"), period="2021", paid_on=PAID_ON
    )

    assert refused.value.messages == ["该人员没有在用的银行账户，不能发放“春节慰问金”，请先登记银行账户。"]
    assert payment.bank_account == with_account.bank_accounts.get()


def test_a_visits_money_waits_for_an_account_and_is_then_its_ledger_row(bureau_user, spring, people):
    _, second, _ = people
    visit = Visit(
        area="pensions",
        occasion="spring_festival",
        person=second,
        visited_on=PAID_ON,
        visitor="局机关走访组",
        amount=Decimal("800.00"),
        programme=spring,
    )

    visit = record_save(record=visit, by=bureau_user)

    assert not Payment.objects.exists()
    held = HeldPayment.objects.waiting().get()
    # 春节慰问金 is yearly: the visit's month is keyed to the programme's period (period_keyed).
    assert (held.person, held.amount, held.period, held.record) == (second, Decimal("800.00"), "2021", visit)

    account = BankAccountFactory(person=second)

    visit = Visit.objects.get(pk=visit.pk)
    payment = Payment.objects.get()
    assert (visit.payment, payment.amount, payment.paid_on, payment.bank_account, payment.batch) == (
        payment,
        Decimal("800.00"),
        PAID_ON,
        account,
        None,
    )
    visit.visitor = "局机关走访二组"
    record_save(record=visit, by=bureau_user)  # saved again: the same row, nothing held
    assert (Payment.objects.count(), HeldPayment.objects.waiting().count()) == (1, 0)


def test_a_held_visit_deleted_takes_its_held_money_along(bureau_user, spring, people):
    _, second, _ = people
    visit = record_save(
        record=Visit(area="pensions", occasion="spring_festival", person=second, visited_on=PAID_ON,
                     visitor="局机关走访组", amount=Decimal("800.00"), programme=spring),
        by=bureau_user,
    )  # fmt: skip

    visit.delete()
    BankAccountFactory(person=second)

    assert (Payment.objects.count(), HeldPayment.objects.count()) == (0, 0)


def test_rows_written_before_the_rule_take_the_account_in_use_or_are_left_out(bureau_user, spring, people):
    with_account, second, _ = people
    batch = PaymentBatchFactory(programme=spring, title="旧批次")
    PaymentFactory(person=with_account, programme=spring, period="2020", amount="800.00", batch=batch)
    PaymentFactory(person=second, programme=spring, period="2020", amount="600.00", batch=batch)

    content, missing = batch_bank_file(
        batch=batch, sheet_title="旧批次", detail="旧批次", permission="bureau.export_batch_bank_file", by=bureau_user
    )

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    account = with_account.bank_accounts.get()
    assert [row[1:6] for row in rows[1:-1]] == [
        ("有户甲", with_account.id_number, account.bank, account.account_name, account.account_number)
    ]
    assert (rows[-1][1], missing) == ("1 人", 1)
    assert ExportLog.objects.get().detail == "旧批次，合计 800.00 元，1 笔无收款账户未列入"
