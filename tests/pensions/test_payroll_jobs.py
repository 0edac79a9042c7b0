"""
The monthly payroll as a background job (`pensions.payroll` on `bureau.rules.background`): a run whose
worker died continues by itself, a payment queued while Redis is down is paid once when it is
back, 继续发放 is offered on every approved run that is not being paid and refused while one is,
and a run paid never reads 失败.

The tests marked `worker` run the steps in a real Celery worker process against Redis and kill it.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from bureau import roles
from bureau.celery import app as celery_app
from bureau.models import OutboxMessage, Payment
from bureau.rules import background
from pensions import payroll
from pensions.models import PayrollRun
from tests.factories import PayeeFactory, PersonCategoryFactory, UserFactory
from tests.pensions.factories import BenefitStandardFactory, PayrollRunFactory
from tests.worker_process import RedisServer, free_port, reset_broker_pool, wait_for

Status = PayrollRun.Status
JAN_1 = datetime.date(2021, 1, 1)
MONTHLY = Decimal("2150.00")


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def people(township_a):
    """Five holders of a pensioned category, each with a bank account in use."""
    BenefitStandardFactory(category="disabled_soldier", monthly_amount=MONTHLY, valid_from=JAN_1)
    payees = PayeeFactory.create_batch(5, township=township_a)
    for person in payees:
        PersonCategoryFactory(person=person, category="disabled_soldier", started_on=JAN_1)
    return payees


def went_silent(run, seconds=3600) -> PayrollRun:
    """The run's worker stopped beating `seconds` ago (killed)."""
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))
    run.refresh_from_db()
    return run


def status_of(run) -> str:
    return PayrollRun.objects.values_list("status", flat=True).get(pk=run.pk)


def assert_paid_once(run, people) -> None:
    """PAID, nothing failed, and the ledger holds exactly one payment per line."""
    run.refresh_from_db()
    assert (run.status, run.error) == (Status.PAID, "")
    per_person = dict(
        Payment.objects.filter(period=run.period)
        .values_list("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    assert per_person == {person.pk: 1 for person in people}
    ledger = Payment.objects.filter(period=run.period).aggregate(total=Sum("amount"))["total"]
    lines = sum(run.lines.exclude(amount=None).values_list("amount", flat=True))
    assert ledger == lines == MONTHLY * len(people)
    assert (run.persons, run.total) == (len(people), ledger)


def approved_run(people, generator, approver, django_capture_on_commit_callbacks, **fields) -> PayrollRun:
    """A run generated (eagerly) and marked approved without its payment having run."""
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=generator)
    PayrollRun.objects.filter(pk=run.pk).update(
        status=fields.pop("status", Status.APPROVED), approved_by=approver, approved_at=timezone.now(), **fields
    )
    run.refresh_from_db()
    return run


class WorkerKilled(BaseException):
    """What the worker's death looks like from inside: nothing after it runs."""


# --- 继续发放 and the approval page of an approved run ---------------------------------------------


def test_an_approved_run_whose_payment_never_started_offers_to_resume(
    client_for, bureau_user, approver, people, django_capture_on_commit_callbacks
):
    run = approved_run(people, bureau_user, approver, django_capture_on_commit_callbacks)
    client = client_for(approver)
    page_url = reverse("admin:pensions_payrollrun_change", args=[run.pk])
    resume_url = reverse("admin:pensions_payrollrun_resume", args=[run.pk])

    # Queued a moment ago and sent: the payment is about to start, no button yet.
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    page = client.get(page_url).content.decode()
    assert resume_url not in page
    assert "已审批，等待后台发放。页面每 3 秒自动刷新。" in page
    queued = "发放任务已排队，即将开始，请稍候刷新页面；如 1 分钟后仍未开始，可点“继续发放”。"
    assert queued in client.get(resume_url).content.decode()

    # Nobody took it for over a minute (the issue: 已审批，待发放 with no button): offered.
    went_silent(run, seconds=61)
    page = client.get(page_url).content.decode()
    assert resume_url in page
    assert "发放尚未开始，可点击“继续发放”；已领取的人员不会重复发放。" in page
    approve_page = client.get(reverse("admin:pensions_payrollrun_approve", args=[run.pk])).content.decode()
    assert "，尚未发放完毕：无需再审批，请点击“继续发放”。" in approve_page
    assert f'<a href="{resume_url}">继续发放</a>' in approve_page
    assert "确认审批并发放" not in approve_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resume_url)
    assert response.status_code == 302
    assert_paid_once(run, people)


def test_an_approved_run_whose_task_waits_for_the_broker_says_so_and_offers_to_resume(
    client_for, bureau_user, approver, people, django_capture_on_commit_callbacks
):
    run = approved_run(people, bureau_user, approver, django_capture_on_commit_callbacks)
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    OutboxMessage.objects.create(
        task=payroll.PAY_TASK, args=[run.pk], key=background.message_key(payroll.PAY_TASK, [run.pk])
    )

    page = client_for(approver).get(reverse("admin:pensions_payrollrun_change", args=[run.pk])).content.decode()

    assert "已保存，后台任务将在服务恢复后自动执行。" in page
    assert reverse("admin:pensions_payrollrun_resume", args=[run.pk]) in page


def test_resume_is_refused_while_a_payment_of_the_run_is_alive(
    client_for, bureau_user, approver, people, django_capture_on_commit_callbacks
):
    run = approved_run(
        people, bureau_user, approver, django_capture_on_commit_callbacks, status=Status.PAYING, done=2, steps=5
    )
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    client = client_for(approver)
    resume_url = reverse("admin:pensions_payrollrun_resume", args=[run.pk])
    refusal = (
        "发放正在进行（已处理 2 / 5），请勿重复操作；如进度长时间不动，系统将自动继续发放，也可稍后再点“继续发放”。"
    )

    assert resume_url not in client.get(reverse("admin:pensions_payrollrun_change", args=[run.pk])).content.decode()
    assert refusal in client.get(resume_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(resume_url, follow=True)

    assert refusal in answer.content.decode()
    run.refresh_from_db()
    assert (run.status, run.done, run.error) == (Status.PAYING, 2, "")
    assert not Payment.objects.exists()
    assert not OutboxMessage.objects.filter(task=payroll.PAY_TASK).exists()


# --- a finished run never reads 失败 ---------------------------------------------------------------


def test_a_double_resume_ends_paid_not_failed(
    client_for, bureau_user, approver, people, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """The issue: a worker died after the last part; 继续发放 twice; the run said 失败 「…请重新生成」."""
    settings.PAYROLL_PAY_CHUNK = 2

    def killed_after_the_last_part(run, part):
        if part == 3:
            raise WorkerKilled

    monkeypatch.setattr(payroll, "after_part", killed_after_the_last_part)
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_approve(run=run, by=approver)
    monkeypatch.setattr(payroll, "after_part", lambda run, part: None)
    went_silent(run)
    assert (status_of(run), Payment.objects.count()) == (Status.PAYING, 5)

    client = client_for(approver)
    resume_url = reverse("admin:pensions_payrollrun_resume", args=[run.pk])
    # Both clicks land before either task runs (the tasks run at the end of the block).
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(resume_url)
        second = client.post(resume_url)

    assert (first.status_code, second.status_code) == (302, 302)
    assert OutboxMessage.objects.filter(task=payroll.PAY_TASK, args=[run.pk]).count() == 3
    assert_paid_once(run, people)
    # A third click is told the run is paid, and changes nothing.
    answer = client.post(resume_url, follow=True).content.decode()
    assert "该发放表已发放完毕（5 人，10750.00 元），无需继续发放。" in answer
    assert_paid_once(run, people)


def test_a_second_delivery_while_the_first_pays_does_nothing(
    bureau_user, approver, people, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PAYROLL_PAY_CHUNK = 2
    seen = []

    def duplicate_arrives(run, part):
        if part == 1:
            again = payroll.payroll_pay(run.pk)  # the same message delivered twice, the first still beating
            seen.append((again.status, Payment.objects.count()))

    monkeypatch.setattr(payroll, "after_part", duplicate_arrives)
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    with django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_approve(run=run, by=approver)

    assert seen == [(Status.PAYING, 2)]  # the duplicate paid nobody
    assert_paid_once(run, people)
    assert run.attempts == 1


def test_a_duplicate_that_trips_on_the_ledger_after_all_is_paid_finishes_the_run_paid(
    bureau_user, approver, people, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    with django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_approve(run=run, by=approver)
    assert_paid_once(run, people)
    # An old failure message left by a late duplicate (before this fix): resumed, it finds nothing to pay.
    PayrollRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error="发放中断：请重新生成")

    def concurrent_insert(**kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "payment_once_per_period"')

    monkeypatch.setattr(payroll, "payment_batch_create", concurrent_insert)
    with pytest.raises(IntegrityError), django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_resume(run=run, by=approver)

    assert_paid_once(run, people)


def test_a_failure_is_not_written_over_a_run_another_delivery_paid(
    bureau_user, approver, people, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    real_create = payroll.payment_batch_create

    def the_other_delivery_finishes_first(**kwargs):
        real_create(**kwargs)
        PayrollRun.objects.filter(pk=run.pk).update(status=Status.PAID, persons=5, total=MONTHLY * 5)
        raise IntegrityError("the other delivery's rows")

    monkeypatch.setattr(payroll, "payment_batch_create", the_other_delivery_finishes_first)
    with pytest.raises(IntegrityError), django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_approve(run=run, by=approver)

    assert_paid_once(run, people)


# --- generation -------------------------------------------------------------------------------------


def test_a_generation_whose_worker_stopped_beating_can_be_started_again(
    bureau_user, people, django_capture_on_commit_callbacks
):
    run = PayrollRunFactory(period="2021-03", generated_by=bureau_user, status=Status.GENERATING, attempts=2)
    PayrollRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    with pytest.raises(ValidationError) as alive:
        payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    assert alive.value.messages == ["2021-03 的发放表正在生成，请稍候。"]

    went_silent(run, seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)

    run.refresh_from_db()
    assert (run.status, run.persons, run.total, run.attempts) == (Status.GENERATED, 5, MONTHLY * 5, 1)


# --- through a real worker and Redis ----------------------------------------------------------------


def wait_status(run, status, worker, seconds=60) -> None:
    wait_for(
        lambda: status_of(run) == status,
        seconds,
        lambda: f"the run stayed {status_of(run)}, not {status}:\n{worker.report()}",
    )


@pytest.mark.slow  # two Celery worker processes, one killed mid-payment (~15 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_the_payment_is_replaced_and_the_run_finishes_by_itself(
    broker, worker_processes, bureau_user, approver, people
):
    first = worker_processes(name="first", pause_at="pensions.payroll:after_part", env={"PAYROLL_PAY_CHUNK": "2"})
    run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    wait_status(run, Status.GENERATED, first)
    payroll.payroll_approve(run=run, by=approver)
    first.wait_paused()
    assert Payment.objects.count() == 2  # the first part is paid, then the worker dies
    first.kill()

    second = worker_processes(name="second", env={"PAYROLL_PAY_CHUNK": "2"})
    wait_status(run, Status.PAID, second)

    assert_paid_once(run, people)
    assert run.attempts == 2  # the killed run, then the one the watchdog sent again


@pytest.mark.slow  # a Celery worker whose pool process is killed three times, then a second worker (~20 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_pool_child_killed_while_generating_leaves_the_month_generable(
    broker, worker_processes, bureau_user, approver, people
):
    """
    Each kill puts the message back (acks_late, reject on worker lost) or the watchdog sends it
    again; every new run stops at the same point here, so after JOB_MAX_ATTEMPTS (3) the run fails
    with 重新生成 offered — where the issue's month stayed 正在生成 forever.
    """
    worker = worker_processes(name="oom", pause_at="pensions.payroll:generation_computed")
    run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    kills = 0
    while status_of(run) != Status.FAILED:
        wait_for(
            lambda: worker.paused_marker.exists() or status_of(run) == Status.FAILED,
            60,
            lambda: f"neither paused again nor failed:\n{worker.report()}",
        )
        if worker.paused_marker.exists():
            worker.paused_marker.unlink()
            worker.kill_pool_child()
            kills += 1
    assert worker.alive

    run.refresh_from_db()
    assert kills == 3
    assert (run.status, run.attempts, run.lines.count()) == (Status.FAILED, 3, 0)
    assert run.error == "生成中断：后台任务已尝试 3 次仍未完成（处理进程中断），已停止。"
    assert not payroll.start_refusal(run)

    worker.kill()
    healthy = worker_processes(name="healthy")
    payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
    wait_status(run, Status.GENERATED, healthy)
    run.refresh_from_db()
    assert (run.persons, run.total, run.attempts, run.error) == (5, MONTHLY * 5, 1, "")


@pytest.mark.slow  # a Redis of its own, stopped then started, and a Celery worker process (~10 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_while_clerk2_approves_saves_the_approval_and_pays_once_when_it_is_back(
    tmp_path, broker, worker_processes, client, bureau_user, approver, people
):
    down = RedisServer(port=free_port(), directory=tmp_path)
    celery_app.conf.broker_url = down.url
    reset_broker_pool()
    try:
        run = payroll.payroll_start(period="2021-03", paid_on=None, by=bureau_user)
        payroll.payroll_generate(run.pk)  # the generation as a worker would run it
        run.refresh_from_db()
        assert run.status == Status.GENERATED

        client.force_login(approver)
        response = client.post(
            reverse("admin:pensions_payrollrun_approve", args=[run.pk]),
            {"generated_at": payroll.generation_token(run)},
        )
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        text = page.content.decode()
        # Once as this request's message, once as the run's own notice while the task waits.
        assert text.count("已保存，后台任务将在服务恢复后自动执行。") == 2
        run.refresh_from_db()
        assert (run.status, run.approved_by) == (Status.APPROVED, approver)
        assert background.waiting_for_broker(payroll.PAY_TASK, run.pk)
        assert not Payment.objects.exists()

        down.start()
        worker = worker_processes(env={"REDIS_URL": down.url})
        wait_status(run, Status.PAID, worker)
        assert_paid_once(run, people)
        assert not background.waiting_for_broker(payroll.PAY_TASK, run.pk)
    finally:
        down.stop()
