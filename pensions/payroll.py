"""
The monthly payroll (按月发放) of the periodic pension: generate, approve, pay, bank file.

Who is due for a month: every approved person holding a pensioned category on some day of the
month (started on or before its last day, not ended before its first), in the district on some day
of it as the registry says (`bureau.models.people.presence`) — a death or a move out on the 10th is
still paid that month and stops the next; a move in on the 20th is paid from that month.
The amount is the highest of the standards in force on the month's last day for the categories
held (`BenefitStandard`, by disability grade where one applies): a new standard applies from the
month of its date.

The run compares each person with what the ledger paid them the previous month (new, stopped,
amount changed, each with its reason), is approved by a second staff member, and is then paid
in parts of `PAYROLL_PAY_CHUNK` lines (a setting), each part one transaction adding to the run's
batch. Both steps run on the worker as background jobs (`bureau.rules.background`): the task claims the
run, beats while it works, and a run whose worker died is sent again by the watchdog. Both go part
by part (PERSON_CHUNK persons read, compared and written; PAYROLL_PAY_CHUNK lines read and paid),
so the memory does not grow with the headcount. Generation is one transaction and starts over; a
payment killed halfway pays whoever is left: the ledger skips whoever it paid already (`payment_batch_create(already_paid="skip")`) and its unique
constraint refuses a second payment in any case, so nobody is paid twice. A run paid is never
marked failed afterwards (a late duplicate's failure is not written over it).

Only persons with a bank account in use are paid: the run's page and its approval page show the
lines without one (count and sum, `no_account`), and the payment holds them (待补发) until an
account is added (`bureau.rules.payments.held`).
"""

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from bureau.base.bulk import chunks, insert_tuples, rows_of
from bureau.models import (
    HeldPayment,
    Payment,
    PaymentBatch,
    Person,
    PersonCategory,
    PreferentialCategory,
    ReviewStatus,
)
from bureau.models.people import presence
from bureau.rules import audit, background
from bureau.rules.payments.batches import payment_batch_create
from bureau.rules.payments.held import NoAccountSummary, held_summary, no_account_summary
from pensions.models import BenefitStandard, PayrollLine, PayrollRun
from pensions.programmes import PERIODIC_PENSION, programme

Change = PayrollLine.Change
Status = PayrollRun.Status
LABELS = dict(PreferentialCategory.choices)
# Persons per part of the generation: their dues, last month's payments and lines are read,
# compared and written, then dropped (the memory does not grow with the headcount).
PERSON_CHUNK = 5000
LINE_COLUMNS = ["person_id", "category", "amount", "previous_amount", "change", "reason"]
MONTHLY_PAY_DAY = 10


def month_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    year, month = int(period[:4]), int(period[5:7])
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def previous_period(period: str) -> str:
    first, _ = month_bounds(period)
    last_of_previous = first - datetime.timedelta(days=1)
    return f"{last_of_previous:%Y-%m}"


def parse_period(text: str) -> str:
    """ "2021-03" (or "2021-3", "2021年3月") → "2021-03"; a clear message otherwise."""
    cleaned = (text or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        year, month = (int(part) for part in cleaned.split("-"))
        datetime.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValidationError(f"发放月份“{text}”格式不正确，应为年-月，如 2021-03。") from None
    if not 2000 <= year <= 2100:
        raise ValidationError(f"发放月份“{text}”的年份不合理。")
    return f"{year}-{month:02d}"


@dataclass(frozen=True)
class Due:
    """What a person is due for the month, and by which category."""

    amount: Decimal
    category: str
    started_on: datetime.date


def dues(period: str, persons: Q | None = None, standards: dict | None = None) -> dict[int, Due]:
    """
    {person id: Due} of everyone due the periodic pension for `period` (one query per table), or of
    those `persons` selects (a range of person ids: `_person_ranges`); `standards` in force, when read.
    """
    first, last = month_bounds(period)
    if standards is None:
        standards = BenefitStandard.objects.in_force(last)
    pensioned = {category for category, _ in standards}
    held = (
        PersonCategory.objects.filter(category__in=pensioned, started_on__lte=last)
        .filter(persons if persons is not None else Q())
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .filter(person__review_status=ReviewStatus.APPROVED)
        # The registry's one rule: in the district on some day of the month (moved in by its end,
        # neither dead nor moved out before its start).
        .filter(presence(first, last, prefix="person__"))
        .values_list("person_id", "category", "disability_grade", "started_on")
    )
    due: dict[int, Due] = {}
    for person_id, category, grade, started_on in rows_of(held):
        amount = standards.get((category, grade)) or standards.get((category, None))
        if amount is None:
            continue
        current = due.get(person_id)
        if current is None or amount > current.amount:
            due[person_id] = Due(amount, category, started_on)
    return due


def paid_in(period: str, persons: Q | None = None) -> dict[int, Decimal]:
    """
    {person id: amount} the ledger paid as the periodic pension for `period`, and what it holds for
    want of a bank account (due all the same: not “new” the next month); of those `persons` selects.
    """
    persons = persons if persons is not None else Q()
    paid = dict(
        rows_of(
            Payment.objects.filter(persons, programme__code=PERIODIC_PENSION, period=period)
            .order_by()
            .values_list("person_id", "amount")
        )
    )
    held = HeldPayment.objects.waiting().filter(persons, programme__code=PERIODIC_PENSION, period=period)
    for person_id, amount in held.values_list("person_id", "amount"):
        paid.setdefault(person_id, amount)
    return paid


def _standard_changes(period: str) -> dict[tuple[str, int | None], tuple[Decimal, BenefitStandard]]:
    """{(category, grade): (previous amount, new standard)} of the standards that change in this month."""
    first, last = month_bounds(period)
    before = BenefitStandard.objects.in_force(first - datetime.timedelta(days=1))
    changes = {}
    for standard in BenefitStandard.objects.filter(valid_from__gte=first, valid_from__lte=last):
        key = (standard.category, standard.disability_grade)
        if key in before and before[key] != standard.monthly_amount:
            changes[key] = (before[key], standard)
    return changes


def _stop_reasons(period: str, person_ids: list[int]) -> dict[int, str]:
    """Why each of these people, paid last month, is not due this month."""
    first, last = month_bounds(period)
    reasons = {}
    ended = defaultdict(list)
    for chunk in chunks(person_ids):
        for person_id, category, ended_on in PersonCategory.objects.filter(
            person_id__in=chunk, ended_on__lt=first
        ).values_list("person_id", "category", "ended_on"):
            ended[person_id].append((ended_on, category))
        for person_id, died_on, moved_out_on, moved_in_on, status, review_status in Person.objects.filter(
            pk__in=chunk
        ).values_list("pk", "died_on", "moved_out_on", "moved_in_on", "status", "review_status"):
            if died_on and died_on < first:
                reasons[person_id] = f"死亡（{died_on:%Y年%m月%d日}），次月起停发"
            elif status == Person.Status.DECEASED:
                reasons[person_id] = "人员已故"
            elif moved_out_on and moved_out_on < first:
                reasons[person_id] = f"迁出本区（{moved_out_on:%Y年%m月%d日}），次月起停发"
            elif moved_in_on and moved_in_on > last:
                reasons[person_id] = f"迁入本区日期为{moved_in_on:%Y年%m月%d日}，此前不发放"
            elif review_status != ReviewStatus.APPROVED:
                reasons[person_id] = "人员信息修改待审核"
            elif ended[person_id]:
                ended_on, category = max(ended[person_id])
                reasons[person_id] = f"“{LABELS.get(category, category)}”于{ended_on:%Y年%m月%d日}终止"
            else:
                reasons[person_id] = "不再符合发放条件"
    return reasons


def compare(
    period: str,
    due: dict[int, Due],
    previous: dict[int, Decimal],
    *,
    first_run: bool | None = None,
    standard_changes: dict | None = None,
) -> list[tuple]:
    """
    The run's lines: everyone due, and everyone paid last month who no longer is, with the change,
    as tuples of LINE_COLUMNS. `first_run` (nobody paid last month) and the month's
    `standard_changes` are the whole run's, given when these are a part of it.
    """
    first, last = month_bounds(period)
    if standard_changes is None:
        standard_changes = _standard_changes(period)
    if first_run is None:
        first_run = not previous
    lines = []
    for person_id, item in due.items():
        before = previous.get(person_id)
        label = LABELS.get(item.category, item.category)
        if before is None:
            change = Change.NEW.value
            if first_run:
                reason = f"首次生成（{label}）"
            elif item.started_on >= first:
                reason = f"“{label}”自{item.started_on:%Y年%m月%d日}起享受"
            else:
                reason = f"新增发放（{label}）"
        elif before == item.amount:
            change, reason = Change.UNCHANGED.value, ""
        else:
            change = Change.AMOUNT_CHANGED.value
            adjusted = [
                standard
                for (category, _), (old, standard) in standard_changes.items()
                if category == item.category and old == before and standard.monthly_amount == item.amount
            ]
            if adjusted:
                standard = adjusted[0]
                reason = f"标准调整：{label}{before}元→{item.amount}元（{standard.valid_from:%Y年%m月%d日}起执行）"
            else:
                reason = f"享受类别或等级变化：{before}元→{item.amount}元（{label}）"
        lines.append((person_id, item.category, item.amount, before, change, reason[:200]))
    stopped = sorted(set(previous) - set(due))
    reasons = _stop_reasons(period, stopped)
    for person_id in stopped:
        reason = reasons.get(person_id, "不再符合发放条件")[:200]
        lines.append((person_id, "", None, previous[person_id], Change.STOPPED.value, reason))
    return lines


# --- the run's steps ----------------------------------------------------------------------------
#
# Both steps are background jobs (bureau.rules.background): the task claims the run (a second delivery
# while the first still beats does nothing), beats while it works, and the watchdog sends the task
# again when the heartbeat stops (a killed worker). Generation writes its lines in one transaction
# (run again, it starts over); the payment pays part by part and, run again, pays whoever is left.

GENERATE_TASK = "pensions.tasks.generate_payroll"
PAY_TASK = "pensions.tasks.pay_payroll"


def pay_chunk() -> int:
    return settings.PAYROLL_PAY_CHUNK


def _beating(run: PayrollRun):
    """
    The job's heartbeat while a step runs on the worker. A step called inside a caller's own
    transaction (the demo seed pays its months synchronously) holds the run's row locked until that
    commits: a heartbeat thread would only wait for the lock, so there is none.
    """
    if connection.in_atomic_block:
        return contextlib.nullcontext()
    return background.job_heartbeat(run)


def waiting_task(run: PayrollRun) -> str:
    """The run's task while it waits in the outbox for the broker ("" when none waits)."""
    return PayrollRun.job_steps[run.status].task if background.job_waiting_for_broker(run) else ""


def start_refusal(run: PayrollRun) -> str:
    """Why the month's run cannot be generated again ("" when it can): the admin hides the link too."""
    if run.approved_by_id is not None:
        return f"{run.period} 的按月发放当前为“{run.get_status_display()}”，不能重新生成：同一月份只发放一次。"
    if run.status == Status.GENERATING and not background.job_stalled(run) and not waiting_task(run):
        return f"{run.period} 的发放表正在生成，请稍候。"
    if run.status not in (Status.GENERATED, Status.FAILED, Status.GENERATING):
        return f"{run.period} 的按月发放当前为“{run.get_status_display()}”，不能重新生成：同一月份只发放一次。"
    return ""


def payroll_start(*, period: str, paid_on: datetime.date | None, by) -> PayrollRun:
    """
    Create (or, while it awaits approval, regenerate) the run of `period` and queue its generation.
    A run approved or paid is never regenerated: a month is paid once. A generation whose worker
    stopped (its heartbeat stale) may be started again; a live one is left to finish.
    """
    if not by.has_perm("pensions.add_payrollrun"):
        raise PermissionDenied("您没有生成按月发放的权限。")
    period = parse_period(period)
    first, _ = month_bounds(period)
    paid_on = paid_on or first.replace(day=MONTHLY_PAY_DAY)
    if paid_on < first:
        raise ValidationError("发放日期不能早于发放月份。")

    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().filter(period=period).first()
        if run is None:
            run = PayrollRun.objects.create(period=period, paid_on=paid_on, generated_by=by)
        elif refusal := start_refusal(run):
            raise ValidationError(refusal)
        else:
            run.status, run.paid_on, run.generated_by, run.error = Status.GENERATING, paid_on, by, ""
            # A user's new start: the attempts are counted afresh.
            run.done = run.steps = run.attempts = 0
            run.save()
        audit.record(audit.Kind.CREATE, user=by, obj=run, detail=f"生成 {period} 按月发放表")
        background.job_queue(run, GENERATE_TASK)
    return run


def generation_computed(run: PayrollRun, lines: list[tuple]) -> None:
    """Called once each part's lines are computed, before they are written (a test stops the worker here)."""


def _person_ranges(size: int):
    """
    Q of consecutive ranges of person ids, `size` persons each (keyset over the primary key): the
    parts in which the generation reads, compares and writes.
    """
    after = 0
    while True:
        bound = list(
            Person._base_manager.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[size - 1 : size]
        )
        if not bound:
            yield Q(person_id__gt=after)
            return
        yield Q(person_id__gt=after, person_id__lte=bound[0])
        after = bound[0]


def _generate_lines(run: PayrollRun) -> tuple[int, int, Decimal]:
    """Write the run's lines part by part; answer (lines, persons paid, total)."""
    period, previous_month = run.period, previous_period(run.period)
    _, last = month_bounds(period)
    standards = BenefitStandard.objects.in_force(last)
    standard_changes = _standard_changes(period)
    # The first run: nobody paid (or held) last month.
    first_run = not (
        Payment.objects.filter(programme__code=PERIODIC_PENSION, period=previous_month).exists()
        or HeldPayment.objects.waiting().filter(programme__code=PERIODIC_PENSION, period=previous_month).exists()
    )
    count, persons, total = 0, 0, Decimal("0")
    for part in _person_ranges(PERSON_CHUNK):
        lines = compare(
            period,
            dues(period, part, standards),
            paid_in(previous_month, part),
            first_run=first_run,
            standard_changes=standard_changes,
        )
        generation_computed(run, lines)
        insert_tuples(PayrollLine, LINE_COLUMNS, lines, {"run_id": run.pk})
        count += len(lines)
        for line in lines:
            if line[2] is not None:
                persons, total = persons + 1, total + line[2]
        del lines  # before the next part is read: one part's lines in memory at a time, never two
    return count, persons, total


def payroll_generate(run_id: int) -> PayrollRun | None:
    """
    Compute the run's lines (on the worker): who is due, and the changes against last month, part
    by part of PERSON_CHUNK persons, all in one transaction (run again, it starts over). The run's
    row is locked only at the end: its heartbeat is written meanwhile.
    """
    run = background.job_claim(PayrollRun, run_id, from_states=[Status.GENERATING], to_state=Status.GENERATING)
    if run is None:  # a duplicate delivery, or the run is no longer generating
        return PayrollRun.objects.filter(pk=run_id).first()
    claimed = run.attempts
    with _beating(run):
        try:
            with transaction.atomic():
                PayrollLine.objects.filter(run_id=run_id).delete()
                count, persons, total = _generate_lines(run)
                run = PayrollRun.objects.select_for_update().get(pk=run_id)
                if run.status != Status.GENERATING:  # finished by another run meanwhile: its lines stay
                    transaction.set_rollback(True)
                    return run
                run.steps = run.done = count
                run.persons, run.total = persons, total
                run.status, run.error = Status.GENERATED, ""
                run.generated_at = timezone.now()
                run.save()
        except Exception as error:
            # Only this run's own generation fails: never one regenerated or finished since.
            PayrollRun.objects.filter(pk=run_id, status=Status.GENERATING, attempts=claimed).update(
                status=Status.FAILED, error=f"生成失败：{error}"[:2000]
            )
            raise
    return run


def payroll_approve(*, run: PayrollRun, by, generated_at: str = "") -> PayrollRun:
    """
    The second staff member's approval; the payment is queued on the worker (through the outbox:
    with the broker down the approval is saved and the payment sent once the broker is back).
    `generated_at` is the generation the approver saw: a run regenerated since is not approved unseen.
    """
    if not by.has_perm("pensions.approve_payrollrun"):
        raise PermissionDenied("您没有审批按月发放的权限。")

    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        if refusal := approval_refusal(run, by):
            raise ValidationError(refusal)
        if generated_at and generated_at != generation_token(run):
            raise ValidationError("发放表在您查看后已重新生成，请刷新页面核对后再审批。")
        run.status, run.approved_by, run.approved_at = Status.APPROVED, by, timezone.now()
        run.attempts = 0
        run.save()
        audit.record(
            audit.Kind.APPROVE, user=by, obj=run, detail=f"审批 {run.period} 按月发放：{run.persons} 人，{run.total} 元"
        )
        background.job_queue(run, PAY_TASK)
    return run


def approval_refusal(run: PayrollRun, by) -> str:
    """Why `by` may not approve the run now ("" when they may): the admin's page says it before the post."""
    if run.approved_by_id is not None:
        done = f"该发放表已由{run.approved_by}于{timezone.localtime(run.approved_at):%Y年%m月%d日 %H:%M}审批"
        if run.status == Status.PAID:
            return f"{done}并已发放完毕，无需再审批。"
        if not resume_refusal(run):
            return f"{done}，尚未发放完毕：无需再审批，请点击“继续发放”。"
        return f"{done}，无需再审批：{resume_refusal(run)}"
    if run.status != Status.GENERATED:
        return f"该发放表当前状态为“{run.get_status_display()}”，不能审批。"
    if run.generated_by_id == by.pk:
        return "发放表须由生成人以外的另一名工作人员审批，您不能审批本人生成的发放表。"
    return ""


def resume_refusal(run: PayrollRun) -> str:
    """
    Why the run's payment cannot be resumed now ("" when it can): an approved run not paid yet
    whose payment is not running — it failed, its worker stopped beating, its task waits for the
    broker, or it was queued over JOB_STALE_SECONDS ago and no worker has taken it.
    """
    if run.approved_by_id is None or run.status not in (Status.APPROVED, Status.PAYING, Status.FAILED):
        if run.status == Status.PAID:
            return f"该发放表已发放完毕（{run.persons} 人，{run.total} 元），无需继续发放。"
        return f"该发放表当前状态为“{run.get_status_display()}”，不能继续发放。"
    if run.status == Status.PAYING and not background.job_stalled(run):
        return (
            f"发放正在进行（已处理 {run.done} / {run.steps}），请勿重复操作；"
            "如进度长时间不动，系统将自动继续发放，也可稍后再点“继续发放”。"
        )
    if run.status == Status.APPROVED and not background.job_stalled(run) and not waiting_task(run):
        return "发放任务已排队，即将开始，请稍候刷新页面；如 1 分钟后仍未开始，可点“继续发放”。"
    return ""


def generation_token(run: PayrollRun) -> str:
    return run.generated_at.isoformat() if run.generated_at else ""


def payroll_resume(*, run: PayrollRun, by) -> PayrollRun:
    """
    Queue the payment again of an approved run that stopped (failed, its worker died, or its task
    waits for the broker). Refused while a payment of the run is alive: a second one would only
    wait for it.
    """
    if not by.has_perm("pensions.approve_payrollrun"):
        raise PermissionDenied("您没有审批按月发放的权限。")
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        if refusal := resume_refusal(run):
            raise ValidationError(refusal)
        # Back to the state the payment task takes; a user's resume counts the attempts afresh.
        run.status, run.error, run.attempts = Status.APPROVED, "", 0
        run.save(update_fields=["status", "error", "attempts"])
        audit.record(audit.Kind.UPDATE, user=by, obj=run, detail=f"继续发放 {run.period} 按月发放")
        background.job_queue(run, PAY_TASK)
    return run


def _part_paid(run: PayrollRun, part: int) -> None:
    """Called after each part is committed (a test stops the run here, as a killed worker would)."""


after_part: Callable[[PayrollRun, int], None] = _part_paid


def left_to_pay(run: PayrollRun) -> int:
    """The run's lines that the ledger neither paid nor holds for the month (whatever the batch)."""
    pension = programme(PERIODIC_PENSION)
    paid = Payment.objects.filter(programme=pension, period=run.period).values("person_id")
    held = HeldPayment.objects.filter(programme=pension, period=run.period).values("person_id")
    return run.lines.exclude(amount=None).exclude(person_id__in=paid).exclude(person_id__in=held).count()


def _finish_paid(run_id: int) -> int:
    """PAYING → PAID with the batch's figures; 0 when the run is no longer paying (nothing overwritten)."""
    run = PayrollRun.objects.get(pk=run_id)
    paid = Payment.objects.filter(batch_id=run.batch_id).aggregate(persons=Count("id"), total=Sum("amount"))
    return PayrollRun.objects.filter(pk=run_id, status=Status.PAYING).update(
        persons=paid["persons"],
        total=paid["total"] or Decimal("0"),
        status=Status.PAID,
        paid_at=timezone.now(),
        done=F("steps"),
        error="",
    )


def _payment_failed(run_id: int, claimed: int, error: Exception) -> None:
    """
    The failure of this run's payment, written only if it is still this run's: a run paid (or
    taken over) meanwhile by another delivery keeps its state, and a failure that finds nothing
    left to pay (a duplicate tripping on the ledger's constraint) finishes the run paid.
    """
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != Status.PAYING or run.attempts != claimed:
            return
        if run.batch_id is not None and not left_to_pay(run):
            _finish_paid(run_id)
            return
        run.status, run.error = Status.FAILED, f"发放中断：{error}"[:2000]
        run.save(update_fields=["status", "error"])


def _parts_to_pay(run: PayrollRun, size: int):
    """
    The run's lines with an amount, `size` at a time (keyset over the line's id): (how many, the
    part's lines as a queryset, written to the ledger by the database without being read here).
    """
    to_pay = PayrollLine.objects.filter(run_id=run.pk).exclude(amount=None)
    after = 0
    while True:
        ids = list(to_pay.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        count, part, after = len(ids), to_pay.filter(pk__gt=after, pk__lte=ids[-1]), ids[-1]
        del ids  # one part's ids in memory at a time
        yield count, part


def payroll_pay(run_id: int) -> PayrollRun | None:
    """Write the approved run to the ledger, part by part; run again, it pays whoever is left."""
    run = background.job_claim(PayrollRun, run_id, from_states=[Status.APPROVED], to_state=Status.PAYING)
    if run is None:  # paid, another payment alive, or a duplicate delivery: nothing to do
        return PayrollRun.objects.filter(pk=run_id).first()
    claimed = run.attempts
    with _beating(run):
        try:
            if run.approved_by_id is None:
                raise ValidationError("发放表尚未审批，不能发放。")
            pension = programme(PERIODIC_PENSION)
            with transaction.atomic():
                run = PayrollRun.objects.select_for_update().get(pk=run_id)
                if run.batch_id is None:
                    run.batch = PaymentBatch.objects.create(
                        programme=pension,
                        title=f"{run.year}年{run.month}月优抚对象定期抚恤补助",
                        paid_on=run.paid_on,
                        created_by=run.approved_by,
                    )
                run.error = ""
                run.steps, run.done = run.lines.exclude(amount=None).count(), 0
                run.save(update_fields=["batch", "error", "steps", "done"])
            approver = run.approved_by
            for number, (count, part) in enumerate(_parts_to_pay(run, pay_chunk()), start=1):
                payment_batch_create(
                    programme=pension,
                    title=run.batch.title,
                    paid_on=run.paid_on,
                    lines=part,
                    period=run.period,
                    by=approver,
                    already_paid="skip",
                    batch=run.batch,
                    by_run=True,
                )
                run.done += count
                PayrollRun.objects.filter(pk=run.pk).update(done=run.done)
                after_part(run, number)
            _finish_paid(run.pk)
        except Exception as error:
            _payment_failed(run_id, claimed, error)
            raise
    run.refresh_from_db()
    return run


def no_account(run: PayrollRun) -> NoAccountSummary:
    """
    The run's lines whose person has no bank account in use: before payment, who would be held now;
    once paying, who was held (and waits still).
    """
    if run.batch_id is not None:
        return held_summary(HeldPayment.objects.filter(batch_id=run.batch_id))
    return no_account_summary(run.lines.exclude(amount=None).values_list("person_id", "amount"))


def change_counts(run: PayrollRun) -> dict[str, int]:
    counts = dict(run.lines.values_list("change").annotate(n=Count("id")).values_list("change", "n"))
    return {change: counts.get(change, 0) for change in Change.values}
