"""
A real account or no payment, in the self-employment grant: the run's page and its approval page
show the lines without a bank account in use (count and sum), approval pays only those with one and
holds the others, and adding an account pays a held grant once.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.models import BankAccount, HeldPayment, Payment, PaymentBatch
from resettlement import subsidies
from tests.factories import BankAccountFactory

PAY_DAY = datetime.date(2021, 12, 15)
SUMMARY = "没有在用银行账户：2 人，共 29560.00 元（钱两年、孙三月）"


@pytest.fixture
def without_accounts(cohort):
    """钱两年 (17,040) and 孙三月 (12,520) have no account in use any more (closed, kept)."""
    BankAccount.objects.filter(person__in=[cohort["two"], cohort["short"]]).update(active=False)
    return cohort


def test_the_grant_approval_pays_only_the_persons_with_an_account_and_holds_the_others(
    standard_2021, without_accounts, bureau_user, approver
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    run = subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)

    assert dict(Payment.objects.filter(batch=run.batch).values_list("person__name", "amount")) == {
        "赵五年": Decimal("30600.00")
    }
    assert sorted(HeldPayment.objects.waiting().values_list("person__name", "amount", "period", "batch")) == [
        ("孙三月", Decimal("12520.00"), "2021", run.batch_id),
        ("钱两年", Decimal("17040.00"), "2021", run.batch_id),
    ]
    missing = subsidies.no_account(run)
    assert (missing.count, missing.total) == (2, Decimal("29560.00"))
    _, _, left_out = subsidies.bank_file(run=run, by=approver)
    assert left_out == 0


def test_adding_an_account_pays_a_held_grant_once(standard_2021, without_accounts, bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    run = subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)

    account = BankAccountFactory(person=without_accounts["two"])
    account.save()

    catch_up = PaymentBatch.objects.get(title="补发：2021年退役士兵自主就业金")
    assert catch_up.created_by == approver
    assert list(Payment.objects.filter(batch=catch_up).values_list("person__name", "amount", "bank_account")) == [
        ("钱两年", Decimal("17040.00"), account.pk)
    ]
    assert Payment.objects.filter(period="2021", programme=run.batch.programme).count() == 2
    assert list(HeldPayment.objects.waiting().values_list("person__name", flat=True)) == ["孙三月"]


def test_the_run_and_approval_pages_show_the_lines_without_an_account(
    client_for, standard_2021, without_accounts, bureau_user, approver
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    run_page = client_for(bureau_user).get(reverse("admin:resettlement_subsidyrun_change", args=[run.pk]))
    approve_page = client_for(approver).get(reverse("admin:resettlement_subsidyrun_approve", args=[run.pk]))

    assert SUMMARY in run_page.content.decode()
    assert SUMMARY in approve_page.content.decode()
    assert "审批后将向有在用银行账户的 1 人发放自主就业金共 30600.00 元" in approve_page.content.decode()
