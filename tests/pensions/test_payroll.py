"""
The monthly payroll (`pensions.payroll`): who is due, the changes against last month with their
reasons, the second person's approval, the ledger written once per person, the bank file.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from bureau import roles
from bureau.models import AuditEvent, ExportLog, Payment
from pensions import payroll
from pensions.bankfile import bank_file
from pensions.models import PayrollLine, PayrollRun
from pensions.programmes import PERIODIC_PENSION
from tests.factories import PayeeFactory, PaymentFactory, PersonCategoryFactory, PersonFactory, UserFactory
from tests.pensions.factories import BenefitStandardFactory

Change = PayrollLine.Change
COMMITTED = None
JAN_1 = datetime.date(2021, 1, 1)


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def standards(db):
    return {
        "disabled": BenefitStandardFactory(category="disabled_soldier", monthly_amount="2150.00", valid_from=JAN_1),
        "martyr": BenefitStandardFactory(category="martyr_family", monthly_amount="2380.00", valid_from=JAN_1),
    }


def beneficiary(township, category="disabled_soldier", started_on=JAN_1, factory=PayeeFactory, **person):
    """A holder of the category, with a bank account in use (`factory=PersonFactory`: without one)."""
    holder = factory(township=township, **person)
    PersonCategoryFactory(person=holder, category=category, started_on=started_on)
    return holder


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks):
    """The steps queue their task on commit; the test's transaction never commits, so run them here."""
    global COMMITTED
    COMMITTED = django_capture_on_commit_callbacks
    yield
    COMMITTED = None


def start(period, by) -> PayrollRun:
    with COMMITTED(execute=True):
        run = payroll.payroll_start(period=period, paid_on=None, by=by)
    run.refresh_from_db()
    return run


def approve(run, by, **kwargs) -> PayrollRun:
    with COMMITTED(execute=True):
        payroll.payroll_approve(run=run, by=by, **kwargs)
    run.refresh_from_db()
    return run


def run_month(period, generator, approver) -> PayrollRun:
    """Generate, approve and pay a month (tasks run eagerly in the tests)."""
    run = start(period, generator)
    assert run.status == PayrollRun.Status.GENERATED, run.error
    approve(run, approver)
    assert run.status == PayrollRun.Status.PAID, run.error
    return run


def line_of(run, person) -> PayrollLine:
    return run.lines.get(person=person)


def went_silent(run, seconds=3600) -> None:
    """The run's worker stopped beating (killed) `seconds` ago."""
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))
    run.refresh_from_db()


def paid(person, period) -> list[Decimal]:
    return list(Payment.objects.filter(person=person, period=period).values_list("amount", flat=True))


def test_a_category_starting_mid_year_starts_payment_that_month(standards, bureau_user, approver, township_a):
    steady = beneficiary(township_a)
    newcomer = beneficiary(township_a, category="martyr_family", started_on=datetime.date(2021, 6, 15))

    may = run_month("2021-05", bureau_user, approver)
    june = run_month("2021-06", bureau_user, approver)

    assert not may.lines.filter(person=newcomer).exists()
    line = line_of(june, newcomer)
    assert (line.change, line.amount, line.reason) == (
        Change.NEW,
        Decimal("2380.00"),
        "“烈士遗属”自2021年06月15日起享受",
    )
    assert line_of(june, steady).change == Change.UNCHANGED
    assert paid(newcomer, "2021-06") == [Decimal("2380.00")]
    assert paid(newcomer, "2021-05") == []
    assert (june.persons, june.total) == (2, Decimal("4530.00"))


def test_a_death_on_the_10th_is_paid_that_month_and_stops_the_next(standards, bureau_user, approver, township_a):
    holder = beneficiary(township_a, name="王故")
    holder.died_on = datetime.date(2021, 3, 10)
    holder.save()
    holder.refresh_from_db()
    assert holder.status == holder.Status.DECEASED

    march = run_month("2021-03", bureau_user, approver)
    april = run_month("2021-04", bureau_user, approver)

    assert line_of(march, holder).amount == Decimal("2150.00")
    stopped = line_of(april, holder)
    assert (stopped.change, stopped.amount, stopped.previous_amount) == (Change.STOPPED, None, Decimal("2150.00"))
    assert stopped.reason == "死亡（2021年03月10日），次月起停发"
    assert paid(holder, "2021-03") == [Decimal("2150.00")]
    assert paid(holder, "2021-04") == []
    assert (april.persons, april.total) == (0, Decimal("0"))


def test_a_move_away_and_an_ended_category_stop_the_next_month_with_their_reasons(
    standards, bureau_user, approver, township_a
):
    mover = beneficiary(township_a, moved_out_on=datetime.date(2021, 2, 20))
    ended = PayeeFactory(township=township_a)
    PersonCategoryFactory(
        person=ended, category="disabled_soldier", started_on=JAN_1, ended_on=datetime.date(2021, 2, 5)
    )

    run_month("2021-02", bureau_user, approver)
    march = run_month("2021-03", bureau_user, approver)

    assert line_of(march, mover).reason == "迁出本区（2021年02月20日），次月起停发"
    assert line_of(march, ended).reason == "“残疾军人”于2021年02月05日终止"
    assert set(march.lines.values_list("change", flat=True)) == {Change.STOPPED}


def test_a_standard_change_applies_from_its_date(standards, bureau_user, approver, township_a):
    holder = beneficiary(township_a)
    BenefitStandardFactory(
        category="disabled_soldier", monthly_amount="2300.00", valid_from=datetime.date(2021, 7, 1), document="调标文件"
    )

    june = run_month("2021-06", bureau_user, approver)
    july = run_month("2021-07", bureau_user, approver)

    assert line_of(june, holder).amount == Decimal("2150.00")
    line = line_of(july, holder)
    assert (line.change, line.previous_amount, line.amount) == (
        Change.AMOUNT_CHANGED,
        Decimal("2150.00"),
        Decimal("2300.00"),
    )
    assert line.reason == "标准调整：残疾军人2150.00元→2300.00元（2021年07月01日起执行）"
    assert paid(holder, "2021-07") == [Decimal("2300.00")]


def test_the_disability_grade_chooses_its_standard(standards, bureau_user, approver, township_a):
    BenefitStandardFactory(category="disabled_soldier", disability_grade=1, monthly_amount="7000.00", valid_from=JAN_1)
    graded = PayeeFactory(township=township_a)
    PersonCategoryFactory(person=graded, category="disabled_soldier", disability_grade=1, started_on=JAN_1)
    ungraded = beneficiary(township_a)

    run = run_month("2021-01", bureau_user, approver)

    assert line_of(run, graded).amount == Decimal("7000.00")
    assert line_of(run, ungraded).amount == Decimal("2150.00")


def test_the_highest_standard_of_the_categories_held_is_paid_once(standards, bureau_user, approver, township_a):
    holder = beneficiary(township_a)
    PersonCategoryFactory(person=holder, category="martyr_family", started_on=JAN_1)

    run = run_month("2021-01", bureau_user, approver)

    assert paid(holder, "2021-01") == [Decimal("2380.00")]
    assert line_of(run, holder).category == "martyr_family"


def test_people_not_due_are_left_out(standards, bureau_user, approver, township_a):
    beneficiary(township_a, review_status="submitted")  # registered by a station, not approved yet
    beneficiary(township_a, died_on=datetime.date(2020, 12, 31))
    beneficiary(township_a, category="conscript_family")  # no monthly standard
    beneficiary(township_a, started_on=datetime.date(2021, 2, 1))  # from next month

    run = run_month("2021-01", bureau_user, approver)

    assert (run.persons, run.total, run.lines.count()) == (0, Decimal("0"), 0)


def test_running_the_same_month_twice_pays_no_one_twice(standards, bureau_user, approver, township_a):
    people = [beneficiary(township_a) for _ in range(3)]
    run = run_month("2021-03", bureau_user, approver)

    with pytest.raises(ValidationError) as refused:
        start("2021-03", approver)
    assert refused.value.messages == ["2021-03 的按月发放当前为“已发放”，不能重新生成：同一月份只发放一次。"]
    payroll.payroll_pay(run.pk)  # the payment step again, as a duplicated task would

    assert Payment.objects.filter(period="2021-03").count() == 3
    assert all(paid(person, "2021-03") == [Decimal("2150.00")] for person in people)
    assert PayrollRun.objects.count() == 1


def test_someone_paid_by_hand_before_the_run_is_not_paid_again(standards, bureau_user, approver, township_a):
    by_hand = beneficiary(township_a)
    other = beneficiary(township_a)
    PaymentFactory(person=by_hand, programme=payroll.programme(PERIODIC_PENSION), amount="2150.00", period="2021-03")

    run = run_month("2021-03", bureau_user, approver)

    assert paid(by_hand, "2021-03") == [Decimal("2150.00")]
    assert paid(other, "2021-03") == [Decimal("2150.00")]
    assert (run.persons, run.total) == (1, Decimal("2150.00"))  # the run's own batch


def test_the_approver_must_differ_from_the_generator(standards, bureau_user, approver, township_a):
    beneficiary(township_a)
    run = start("2021-03", bureau_user)

    with pytest.raises(ValidationError) as refused:
        payroll.payroll_approve(run=run, by=bureau_user)

    assert refused.value.messages == ["发放表须由生成人以外的另一名工作人员审批，您不能审批本人生成的发放表。"]
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.GENERATED
    assert not Payment.objects.exists()


def test_approval_needs_the_permission_and_the_generation_seen(standards, bureau_user, approver, leader, township_a):
    beneficiary(township_a)
    run = start("2021-03", bureau_user)

    with pytest.raises(PermissionDenied):
        payroll.payroll_approve(run=run, by=leader)
    with pytest.raises(ValidationError) as stale:
        payroll.payroll_approve(run=run, by=approver, generated_at="2020-01-01T00:00:00+00:00")
    assert stale.value.messages == ["发放表在您查看后已重新生成，请刷新页面核对后再审批。"]
    approve(run, approver, generated_at=payroll.generation_token(run))
    assert (run.status, run.approved_by) == (PayrollRun.Status.PAID, approver)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPROVE, object_id=str(run.pk), user=approver).count() == 1


def test_a_run_awaiting_approval_is_regenerated_with_what_changed_since(standards, bureau_user, approver, township_a):
    beneficiary(township_a)
    run = start("2021-03", bureau_user)
    late = beneficiary(township_a)

    start("2021-03", bureau_user)

    run.refresh_from_db()
    assert (run.status, run.persons, run.total) == (PayrollRun.Status.GENERATED, 2, Decimal("4300.00"))
    assert run.lines.filter(person=late).exists()
    assert run.lines.count() == 2


def test_a_run_killed_halfway_and_run_again_pays_each_person_once(
    standards, bureau_user, approver, township_a, monkeypatch, settings
):
    people = [beneficiary(township_a) for _ in range(5)]
    settings.PAYROLL_PAY_CHUNK = 2

    class WorkerKilled(BaseException):
        """What the worker's death looks like from inside: nothing after it runs."""

    def kill_after_first_part(run, part):
        if part == 1:
            raise WorkerKilled

    monkeypatch.setattr(payroll, "after_part", kill_after_first_part)
    run = start("2021-03", bureau_user)
    with pytest.raises(WorkerKilled):
        approve(run, approver)
    run.refresh_from_db()
    assert (run.status, run.done, Payment.objects.filter(period="2021-03").count()) == (PayrollRun.Status.PAYING, 2, 2)
    # While the killed run's heartbeat is fresh it may still be alive: 继续发放 waits for it.
    with pytest.raises(ValidationError) as alive:
        payroll.payroll_resume(run=run, by=approver)
    assert alive.value.messages == [
        "发放正在进行（已处理 2 / 5），请勿重复操作；如进度长时间不动，系统将自动继续发放，也可稍后再点“继续发放”。"
    ]
    went_silent(run)

    monkeypatch.setattr(payroll, "after_part", lambda run, part: None)
    with COMMITTED(execute=True):
        payroll.payroll_resume(run=run, by=approver)

    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID
    assert [paid(person, "2021-03") for person in people] == [[Decimal("2150.00")]] * 5
    assert (run.persons, run.total) == (5, Decimal("10750.00"))
    assert Payment.objects.filter(batch=run.batch).count() == 5


def test_the_bank_file_total_equals_the_ledger_total_of_the_run(standards, bureau_user, approver, township_a):
    with_account = beneficiary(township_a, name="甲一")
    with_account.bank_accounts.update(bank="区农商银行", account_number="6228480000000000123", account_name="甲一")
    beneficiary(township_a, category="martyr_family", name="甲二", factory=PersonFactory)  # no account: held
    run = run_month("2021-03", bureau_user, approver)

    content, name, missing = bank_file(run=run, by=approver)

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "身份证号", "开户银行", "户名", "银行账号", "金额（元）")
    body, total_row = rows[1:-1], rows[-1]
    ledger_total = sum(Payment.objects.filter(batch=run.batch).values_list("amount", flat=True))
    assert ledger_total == Decimal("2150.00")
    assert Decimal(str(sum(row[6] for row in body))) == ledger_total
    assert Decimal(str(total_row[6])) == ledger_total
    assert (total_row[0], total_row[1]) == ("合计", "1 人")
    assert {row[1]: row[5] for row in body} == {"甲一": "6228480000000000123"}
    assert {row[2] for row in body} == {with_account.id_number}
    assert (name, missing) == ("银行代发文件-2021-03.xlsx", 0)
    log = ExportLog.objects.get(kind="银行代发文件")
    assert (log.user, log.row_count, log.unmasked) == (approver, 1, True)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, user=approver).exists()


def test_the_bank_file_needs_its_permission(standards, bureau_user, approver, leader, station_user_a, township_a):
    beneficiary(township_a)
    run = run_month("2021-03", bureau_user, approver)

    for user in (leader, station_user_a):
        with pytest.raises(PermissionDenied):
            bank_file(run=run, by=user)
    assert not ExportLog.objects.exists()


def test_a_month_is_given_as_year_and_month(bureau_user):
    assert payroll.parse_period("2021年3月") == "2021-03"
    with pytest.raises(ValidationError) as refused:
        payroll.parse_period("2021-13")
    assert refused.value.messages == ["发放月份“2021-13”格式不正确，应为年-月，如 2021-03。"]
