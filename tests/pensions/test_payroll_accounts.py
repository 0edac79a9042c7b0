"""
A real account or no payment, in the monthly payroll: the run's pages show the lines without a bank
account in use (count and sum), the payment pays only those with one and holds the others, the bank
file pays exactly the ledger rows, and adding an account pays what was held, once.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bureau import roles
from bureau.models import BankAccount, HeldPayment, Payment, PaymentBatch
from pensions import payroll
from pensions.bankfile import bank_file
from pensions.models import PayrollLine, PayrollRun
from tests.factories import BankAccountFactory, PayeeFactory, PersonCategoryFactory, PersonFactory, UserFactory
from tests.pensions.factories import BenefitStandardFactory

JAN_1 = datetime.date(2021, 1, 1)
TITLE = "2021年3月优抚对象定期抚恤补助"


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def people(township_a):
    """Two with an account (2150 + 2380), two without (2150 + 2380)."""
    BenefitStandardFactory(category="disabled_soldier", monthly_amount="2150.00", valid_from=JAN_1)
    BenefitStandardFactory(category="martyr_family", monthly_amount="2380.00", valid_from=JAN_1)
    made = {}
    for name, factory, category in [
        ("有户甲", PayeeFactory, "disabled_soldier"),
        ("有户乙", PayeeFactory, "martyr_family"),
        ("无户丙", PersonFactory, "disabled_soldier"),
        ("无户丁", PersonFactory, "martyr_family"),
    ]:
        made[name] = factory(township=township_a, name=name)
        PersonCategoryFactory(person=made[name], category=category, started_on=JAN_1)
    return made


def generated(period, by, capture) -> PayrollRun:
    with capture(execute=True):
        run = payroll.payroll_start(period=period, paid_on=None, by=by)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.GENERATED, run.error
    return run


def paid(run, by, capture) -> PayrollRun:
    with capture(execute=True):
        payroll.payroll_approve(run=run, by=by)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID, run.error
    return run


def ledger(**filters) -> dict[str, Decimal]:
    return dict(Payment.objects.filter(**filters).values_list("person__name", "amount"))


def test_a_payroll_pays_only_the_persons_with_an_account_and_holds_the_others(
    people, bureau_user, approver, django_capture_on_commit_callbacks
):
    run = paid(generated("2021-03", bureau_user, django_capture_on_commit_callbacks), approver,
               django_capture_on_commit_callbacks)  # fmt: skip

    assert ledger(batch=run.batch) == {"有户甲": Decimal("2150.00"), "有户乙": Decimal("2380.00")}
    assert {payment.person.name: payment.bank_account for payment in Payment.objects.filter(batch=run.batch)} == {
        name: BankAccount.objects.get(person=people[name]) for name in ("有户甲", "有户乙")
    }
    assert (run.persons, run.total) == (2, Decimal("4530.00"))
    held = HeldPayment.objects.waiting()
    assert sorted(held.values_list("person__name", "amount", "period", "batch")) == [
        ("无户丁", Decimal("2380.00"), "2021-03", run.batch_id),
        ("无户丙", Decimal("2150.00"), "2021-03", run.batch_id),
    ]
    assert (payroll.no_account(run).count, payroll.no_account(run).total) == (2, Decimal("4530.00"))


def test_the_bank_file_pays_exactly_the_ledger_rows_of_the_run(
    people, bureau_user, approver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    run = paid(generated("2021-03", bureau_user, capture), approver, capture)

    content, _, missing = bank_file(run=run, by=approver)

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    body, total_row = rows[1:-1], rows[-1]
    ledger_total = sum(Payment.objects.filter(batch=run.batch).values_list("amount", flat=True))
    assert ledger_total == Decimal("4530.00")
    assert Decimal(str(sum(row[6] for row in body))) == ledger_total == Decimal(str(total_row[6]))
    assert (total_row[1], missing) == ("2 人", 0)
    assert {row[1]: row[5] for row in body} == {
        name: BankAccount.objects.get(person=people[name]).account_number for name in ("有户甲", "有户乙")
    }


def test_adding_an_account_pays_the_held_month_once(people, bureau_user, approver, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    run = paid(generated("2021-03", bureau_user, capture), approver, capture)

    account = BankAccountFactory(person=people["无户丙"], account_number="6228480000000000777")

    catch_up = PaymentBatch.objects.get(title=f"补发：{TITLE}")
    assert (catch_up.programme_id, catch_up.created_by) == (run.batch.programme_id, approver)
    [payment] = Payment.objects.filter(batch=catch_up)
    assert (payment.person, payment.amount, payment.period, payment.bank_account) == (
        people["无户丙"],
        Decimal("2150.00"),
        "2021-03",
        account,
    )
    assert sorted(HeldPayment.objects.waiting().values_list("person__name", flat=True)) == ["无户丁"]
    assert HeldPayment.objects.get(person=people["无户丙"]).payment == payment

    account.bank = "区农商银行营业部"
    account.save()  # saving it again pays nothing more
    BankAccountFactory(person=people["无户丁"])  # another person's account pays only theirs
    assert Payment.objects.filter(person=people["无户丙"], period="2021-03").count() == 1
    assert ledger(period="2021-03") == {
        "有户甲": Decimal("2150.00"),
        "有户乙": Decimal("2380.00"),
        "无户丙": Decimal("2150.00"),
        "无户丁": Decimal("2380.00"),
    }
    assert not HeldPayment.objects.waiting().exists()
    assert payroll.no_account(run).count == 0

    # The next month pays them as everyone else; nobody is held any more.
    april = paid(generated("2021-04", bureau_user, capture), approver, capture)
    assert (april.persons, april.total) == (4, Decimal("9060.00"))


def test_the_run_and_approval_pages_show_the_lines_without_an_account(
    client_for, people, bureau_user, approver, django_capture_on_commit_callbacks
):
    run = generated("2021-03", bureau_user, django_capture_on_commit_callbacks)
    summary = "没有在用银行账户：2 人，共 4530.00 元（无户丙、无户丁）"

    run_page = client_for(bureau_user).get(reverse("admin:pensions_payrollrun_change", args=[run.pk]))
    approve_page = client_for(approver).get(reverse("admin:pensions_payrollrun_approve", args=[run.pk]))

    assert summary in run_page.content.decode()
    assert summary in approve_page.content.decode()
    assert "审批后将向有在用银行账户的 2 人发放共 4530.00 元" in approve_page.content.decode()


def test_a_person_held_last_month_is_due_unchanged_and_each_month_is_paid_once_later(
    people, bureau_user, approver, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    paid(generated("2021-03", bureau_user, capture), approver, capture)
    april = paid(generated("2021-04", bureau_user, capture), approver, capture)

    assert april.lines.get(person=people["无户丙"]).change == PayrollLine.Change.UNCHANGED
    assert HeldPayment.objects.waiting().filter(person=people["无户丙"]).count() == 2

    BankAccountFactory(person=people["无户丙"])

    assert list(
        Payment.objects.filter(person=people["无户丙"])
        .order_by("period")
        .values_list("period", "amount", "batch__title")
    ) == [
        ("2021-03", Decimal("2150.00"), f"补发：{TITLE}"),
        ("2021-04", Decimal("2150.00"), "补发：2021年4月优抚对象定期抚恤补助"),
    ]
