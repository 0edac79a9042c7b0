"""
The self-employment grant of a discharge cohort: amounts from the year's standard, who is in the
cohort, one run per cohort, the second clerk's approval writing the ledger once, the bank file.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from bureau.models import AuditEvent, ExportLog, Payment
from resettlement import subsidies
from resettlement.models import SubsidyRun
from resettlement.programmes import SELF_EMPLOYMENT_GRANT, programme
from resettlement.standards import years_served
from tests.factories import PaymentFactory
from tests.resettlement.factories import SubsidyStandardFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PAY_DAY = D(2021, 12, 15)


def paid_run(bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    return subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)


def test_years_served_are_rounded_and_at_least_one():
    assert years_served(enlisted_on=D(2016, 9, 1), discharged_on=D(2021, 9, 1)) == 5
    assert years_served(enlisted_on=D(2019, 3, 1), discharged_on=D(2021, 9, 1)) == 3  # 2.5 years, 915 days
    assert years_served(enlisted_on=D(2021, 3, 1), discharged_on=D(2021, 6, 1)) == 1


def test_a_cohort_is_calculated_from_its_years_standard(standard_2021, cohort, bureau_user):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    lines = {line.person.name: (line.years_served, line.amount) for line in run.lines.select_related("person")}
    assert lines == {
        "赵五年": (5, Decimal("30600.00")),
        "钱两年": (2, Decimal("17040.00")),
        "孙三月": (1, Decimal("12520.00")),
    }
    assert (run.status, run.persons, run.total) == (SubsidyRun.Status.CALCULATED, 3, Decimal("60160.00"))
    assert (run.base_amount, run.per_year_amount, run.calculated_by) == (
        Decimal("8000.00"),
        Decimal("4520.00"),
        bureau_user,
    )
    # Not silently dropped: the one without an enlistment date is told back.
    assert [person.name for person in run.missing_enlistment] == ["李未填"]
    assert [person.name for person in subsidies.missing_enlistment(2021)] == ["李未填"]
    assert not Payment.objects.exists()


def test_the_latest_earlier_standard_applies(cohort, bureau_user):
    SubsidyStandardFactory(year=2018, base_amount=Decimal("5000.00"), per_year_amount=Decimal("1000.00"))
    SubsidyStandardFactory(year=2020, base_amount=Decimal("6000.00"), per_year_amount=Decimal("2000.00"))
    SubsidyStandardFactory(year=2022, base_amount=Decimal("9000.00"), per_year_amount=Decimal("5000.00"))

    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    assert (run.base_amount, run.per_year_amount) == (Decimal("6000.00"), Decimal("2000.00"))
    assert run.total == Decimal("6000") * 3 + Decimal("2000") * (5 + 2 + 1)


def test_a_cohort_without_a_standard_is_refused(cohort, bureau_user):
    SubsidyStandardFactory(year=2022)
    with pytest.raises(ValidationError) as refused:
        subsidies.calculate(cohort_year=2021, by=bureau_user)
    assert "尚未设置 2021 年（或之前年度）的自主就业金标准" in refused.value.messages[0]
    assert not SubsidyRun.objects.exists()


def test_a_second_run_for_the_same_cohort_is_refused(standard_2021, cohort, bureau_user, approver):
    subsidies.calculate(cohort_year=2021, by=bureau_user)
    with pytest.raises(ValidationError) as refused:
        subsidies.calculate(cohort_year=2021, by=approver)
    assert refused.value.messages == [
        "2021 年退役士兵的自主就业金已核算，不能重复核算；尚未发放的可在核算页面重新核算。"
    ]
    assert SubsidyRun.objects.count() == 1


@pytest.mark.parametrize("year", ["二〇二一", "1999", "", None])
def test_a_cohort_year_that_is_no_year_is_refused(year, standard_2021, bureau_user):
    with pytest.raises(ValidationError):
        subsidies.calculate(cohort_year=year, by=bureau_user)
    assert not SubsidyRun.objects.exists()


def test_calculating_needs_the_permission(standard_2021, cohort, leader, station_user_a):
    for user in (leader, station_user_a):
        with pytest.raises(PermissionDenied):
            subsidies.calculate(cohort_year=2021, by=user)
    assert not SubsidyRun.objects.exists()


def test_the_second_clerks_approval_writes_the_ledger_once(standard_2021, cohort, bureau_user, approver):
    run = paid_run(bureau_user, approver)

    payments = Payment.objects.filter(programme__code=SELF_EMPLOYMENT_GRANT).order_by("amount")
    assert [(p.person.name, p.amount, p.period, p.paid_on) for p in payments] == [
        ("孙三月", Decimal("12520.00"), "2021", PAY_DAY),
        ("钱两年", Decimal("17040.00"), "2021", PAY_DAY),
        ("赵五年", Decimal("30600.00"), "2021", PAY_DAY),
    ]
    run.refresh_from_db()
    assert (run.status, run.approved_by, run.paid_on) == (SubsidyRun.Status.PAID, approver, PAY_DAY)
    assert set(payments.values_list("batch", flat=True)) == {run.batch_id}
    assert run.batch.programme.code == SELF_EMPLOYMENT_GRANT
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPROVE, user=approver).exists()

    # Paying twice is refused, and a second run for the cohort too: the ledger stays as it was.
    with pytest.raises(ValidationError) as refused:
        subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)
    assert "不能再次审批发放" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        subsidies.calculate(cohort_year=2021, by=bureau_user)
    assert payments.count() == 3


def test_the_calculator_cannot_approve(standard_2021, cohort, bureau_user):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    assert subsidies.approval_refusal(run, bureau_user).startswith("自主就业金须由核算人以外的另一名工作人员审批")
    with pytest.raises(ValidationError):
        subsidies.approve_and_pay(run=run, by=bureau_user, paid_on=PAY_DAY)
    run.refresh_from_db()
    assert run.status == SubsidyRun.Status.CALCULATED
    assert not Payment.objects.exists()


def test_approval_needs_the_permission(standard_2021, cohort, bureau_user, leader, station_user_a):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    for user in (leader, station_user_a):
        with pytest.raises(PermissionDenied):
            subsidies.approve_and_pay(run=run, by=user, paid_on=PAY_DAY)
    assert not Payment.objects.exists()


def test_a_pay_day_before_the_cohort_year_is_refused(standard_2021, cohort, bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    with pytest.raises(ValidationError) as refused:
        subsidies.approve_and_pay(run=run, by=approver, paid_on=D(2020, 12, 31))
    assert refused.value.messages == ["发放日期不能早于退役年度 2021 年。"]
    assert not Payment.objects.exists()


def test_a_run_recalculated_after_it_was_seen_is_not_approved_unseen(standard_2021, cohort, bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    seen = subsidies.calculation_token(run)
    subsidies.recalculate(run=run, by=bureau_user)
    with pytest.raises(ValidationError) as refused:
        subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY, calculated_at=seen)
    assert refused.value.messages == ["该批次在您查看后已重新核算，请刷新页面核对后再审批。"]
    assert not Payment.objects.exists()


def test_a_completed_record_is_picked_up_by_a_recalculation(standard_2021, cohort, bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    late = cohort["no_enlistment"]
    late.enlisted_on = D(2017, 9, 1)
    late.save()

    run = subsidies.recalculate(run=run, by=bureau_user)

    assert (run.persons, run.total, run.missing_enlistment) == (4, Decimal("60160.00") + Decimal("26080.00"), [])
    assert run.lines.count() == 4
    subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)
    with pytest.raises(ValidationError):
        subsidies.recalculate(run=run, by=bureau_user)
    assert Payment.objects.count() == 4


def test_someone_already_paid_the_grant_refuses_the_whole_payment(standard_2021, cohort, bureau_user, approver):
    PaymentFactory(person=cohort["two"], programme=programme(), period="2021", amount="17040.00")
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)

    with pytest.raises(ValidationError) as refused:
        subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)

    assert "钱两年 已于 2021-01-15 领取“自主就业金”2021 年 17040.00 元，不能重复发放。" in refused.value.messages
    run.refresh_from_db()
    assert (run.status, run.batch) == (SubsidyRun.Status.CALCULATED, None)
    assert Payment.objects.count() == 1


def test_the_bank_file_total_equals_the_ledger_total_of_the_run(standard_2021, cohort, bureau_user, approver):
    account = cohort["five"].bank_accounts.get()
    account.bank, account.account_number = "区农商银行", "6228480000000000123"
    account.save()
    run = paid_run(bureau_user, approver)

    content, name, missing = subsidies.bank_file(run=run, by=approver)

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "身份证号", "开户银行", "户名", "银行账号", "金额（元）")
    assert (rows[-1][0], rows[-1][1], Decimal(str(rows[-1][6]))) == ("合计", "3 人", Decimal("60160.00"))
    assert sum(Payment.objects.filter(batch=run.batch).values_list("amount", flat=True)) == Decimal("60160.00")
    assert {row[1]: row[5] for row in rows[1:-1]} == {
        "赵五年": "6228480000000000123",
        "钱两年": cohort["two"].bank_accounts.get().account_number,
        "孙三月": cohort["short"].bank_accounts.get().account_number,
    }
    assert {row[2] for row in rows[1:-1]} == {cohort[key].id_number for key in ("five", "two", "short")}
    assert (name, missing) == ("银行代发文件-自主就业金-2021.xlsx", 0)
    log = ExportLog.objects.get(kind="银行代发文件")
    assert (log.user, log.row_count, log.unmasked) == (approver, 3, True)
    assert log.detail == "2021 年退役士兵自主就业金，合计 60160.00 元"


def test_the_bank_file_needs_the_permission_and_a_paid_run(
    standard_2021, cohort, bureau_user, approver, leader, station_user_a
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    with pytest.raises(ValidationError):
        subsidies.bank_file(run=run, by=approver)
    run = subsidies.approve_and_pay(run=run, by=approver, paid_on=PAY_DAY)
    for user in (leader, station_user_a):
        with pytest.raises(PermissionDenied):
            subsidies.bank_file(run=run, by=user)
    assert not ExportLog.objects.exists()
