"""
Payments written: one (`payment_create`), a batch (`payment_batch_create`: the payroll, the grant,
an approved proposal, a care campaign), and the money held for want of a bank account, paid once
an account in use is added (`held_payments_release`, from `on_bank_account_saved` whatever path
saved the account). Every one of them goes through the ledger's rules (`bureau.rules.payments.ledger`):
one payment per person, programme and period, and a programme paid by its run never paid by hand.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.db.models.signals import post_save
from django.utils import timezone

from bureau.base.bulk import LOOKUP_CHUNK, chunks, insert_history, insert_history_of, insert_rows, insert_tuples
from bureau.models import (
    BankAccount,
    HeldPayment,
    Payment,
    PaymentBatch,
    Person,
)
from bureau.models.payments import period_normalise, run_only_refusal
from bureau.rules import audit
from bureau.rules.closing import closed_periods_check
from bureau.rules.payments.from_lines import batch_from_lines
from bureau.rules.payments.held import HELD_ALREADY_MESSAGE, NO_ACCOUNT_MESSAGE, accounts_in_use
from bureau.rules.payments.ledger import link_record_payment
from bureau.validators import is_whole_fen


@transaction.atomic
def payment_create(*, person: Person, programme, amount, period: str, paid_on, by=None, **extra) -> Payment:
    """
    Record one payment, to the person's bank account in use (refused without one); the ledger refuses a
    second one for the same person, programme and period, and one held for them, waiting for an account.
    """
    account = accounts_in_use([person.pk]).get(person.pk)
    if account is None:
        raise ValidationError(NO_ACCOUNT_MESSAGE.format(programme=programme))
    if HeldPayment.objects.waiting().filter(person=person, programme=programme, period=period).exists():
        raise ValidationError(HELD_ALREADY_MESSAGE.format(programme=programme))
    extra.setdefault("bank_account_id", account)
    payment = Payment(person=person, programme=programme, amount=amount, period=period, paid_on=paid_on, **extra)
    payment.full_clean()
    payment.save()
    return payment


@dataclass(frozen=True)
class PaymentLine:
    """One payment of a batch: to whom, how much, for which period."""

    person_id: int
    amount: Decimal
    period: str
    note: str = ""


@dataclass(frozen=True)
class PaymentBatchResult:
    batch: PaymentBatch | None
    created: int
    # Lines of people already paid (or held) for the programme and period, left out (`already_paid="skip"`).
    skipped: list[PaymentLine] = dataclasses.field(default_factory=list)
    # Lines of people without a bank account in use: not paid, held (HeldPayment) until one is added.
    held: list[PaymentLine] = dataclasses.field(default_factory=list)

    @property
    def held_total(self) -> Decimal:
        return sum((line.amount for line in self.held), Decimal("0"))


def payment_batch_create(
    *,
    programme,
    title: str,
    paid_on,
    lines: list[PaymentLine],
    by,
    already_paid: str = "refuse",
    batch: PaymentBatch | None = None,
    by_run: bool = False,
    period: str | None = None,
) -> PaymentBatchResult:
    """
    Add a whole batch to the ledger at once: one transaction, every line checked first, the rows
    written in bulk (with their history rows and audit events), a constant number of queries
    whatever the batch's size. A person already paid for the programme and period refuses the
    batch (`already_paid="refuse"`), or is left out (`"skip"`: a run interrupted halfway, run
    again, pays nobody twice); the database's unique constraint still refuses a second payment
    written meanwhile. Nothing is written when anything is refused. A large batch paid in parts
    (the monthly payroll) passes its `batch` to add each part to it.

    The ledger's rules of the programme hold here too: each line's period is read by the
    programme's frequency (`period_normalise`), and a programme paid only by its run
    (`paid_by_run`) is refused unless a run pays it (`by_run=True`: the payroll, the grant). By
    hand, a batch is paid by the approval of a proposal (`bureau.rules.payments.proposals`).

    Each payment goes to the person's bank account in use (`Payment.bank_account`); a line whose
    person has none is held (`HeldPayment`, the result's `held`), paid once an account is added
    (`held_payments_release`); held counts as paid for the rule above: never held or paid twice.

    The audit trail: one event per payment of a batch paid by hand (a proposal); a run (`by_run`)
    one per call, on the batch, summarising its payments (`audit.record_batch`), written from tuples
    or, given a queryset of `person_id`/`amount` rows for one `period`, by the database (`from_lines`).
    The ledger's history: one row per payment, either way.
    """
    if not by.has_perm("bureau.add_payment"):
        raise PermissionDenied("您没有发放资金的权限。")
    if already_paid not in ("refuse", "skip"):
        raise ValueError(f"already_paid: {already_paid!r}")
    if programme.paid_by_run and not by_run:
        raise ValidationError(run_only_refusal(programme), code="run_only")
    if isinstance(lines, QuerySet):
        part = {"lines": lines, "period": period, "already_paid": already_paid, "batch": batch, "by": by}
        return batch_from_lines(programme=programme, title=title, paid_on=paid_on, **part)
    periods, period_errors = _periods(lines, programme)
    errors = _payment_line_errors(lines, periods=periods, period_errors=period_errors)
    lines = [
        line if periods[line.period] in (line.period, None) else dataclasses.replace(line, period=periods[line.period])
        for line in lines
    ]
    keys = [(line.person_id, line.period) for line in lines]
    person_ids = sorted({line.person_id for line in lines})
    # {pk: name}: the name is all a payment's description needs of its person.
    people = dict(_of_persons(Person.objects.visible_to(by), person_ids, "pk", "name"))
    unknown = sorted({line.person_id for line in lines} - set(people))
    if unknown:
        errors.append(f"{len(unknown)} 名人员不存在或不在您的管辖范围内（编号 {'、'.join(map(str, unknown[:5]))}）。")
    if errors:
        raise ValidationError(errors)
    closed_periods_check({line.period for line in lines}, paid_on=paid_on)  # a closed year's ledger is final
    with transaction.atomic():
        paid = set(_of_persons(Payment.objects.filter(programme=programme), person_ids, "person_id", "period"))
        # As `held_keys` and `accounts_in_use` read them (bureau.rules.payments.held).
        waiting = HeldPayment.objects.waiting().filter(programme=programme)
        held = set(_of_persons(waiting, person_ids, "person_id", "period"))
        skipped = [line for line, key in zip(lines, keys, strict=True) if key in paid or key in held]
        if skipped and already_paid == "refuse":
            raise ValidationError(_already_paid_refusal(programme, skipped, held=held, people=people))
        to_pay = [line for line, key in zip(lines, keys, strict=True) if key not in paid and key not in held]
        if not to_pay:
            return PaymentBatchResult(batch=None, created=0, skipped=skipped)
        in_use = BankAccount.objects.filter(active=True)
        accounts = dict(_of_persons(in_use, sorted({line.person_id for line in to_pay}), "person_id", "id"))
        to_hold = [line for line in to_pay if line.person_id not in accounts]
        to_pay = [line for line in to_pay if line.person_id in accounts]
        if batch is None:
            # Also when every line is held: the held lines name their batch (the catch-up's title and maker).
            batch = PaymentBatch(programme=programme, title=title, paid_on=paid_on, created_by=by)
            batch.full_clean()
            batch._audit_user = by
            batch.save()
        elif batch.programme_id != programme.pk:
            raise ValueError("batch of another programme")
        paying = [(line, accounts[line.person_id]) for line in to_pay]
        if by_run:
            _payments_insert(programme=programme, batch=batch, paid_on=paid_on, lines=paying, by=by)
        else:
            _payments_write(programme=programme, batch=batch, paid_on=paid_on, lines=paying, people=people, by=by)
        _held_write(programme=programme, batch=batch, paid_on=paid_on, lines=to_hold, people=people, by=by)
        if by_run:
            held = f"（另有 {len(to_hold)} 人无在用银行账户暂缓待补发）" if to_hold else ""
            lines = [(line.person_id, line.amount) for line in to_pay]
            audit.record_batch(audit.Kind.CREATE, user=by, obj=batch, what=f"写入发放明细{held}", lines=lines)
    return PaymentBatchResult(batch=batch, created=len(to_pay), skipped=skipped, held=to_hold)


def _of_persons(queryset, person_ids: list[int], person: str, *fields: str):
    """
    The rows (`person`, *fields) of the queryset for these persons (sorted ids): a run of ids close
    together is read as one range of ids (a payroll's part: its ids follow each other), scattered
    ones by `IN` lists of LOOKUP_CHUNK — both far cheaper to build than an `IN` of thousands.
    """
    wanted = set(person_ids)
    ranges, scattered = [], []
    for chunk in chunks(person_ids):
        if chunk[-1] - chunk[0] < 2 * len(chunk):
            if ranges and chunk[0] - ranges[-1][1] < 2 * LOOKUP_CHUNK and ranges[-1][2] < RANGE_IDS:
                ranges[-1] = (ranges[-1][0], chunk[-1], ranges[-1][2] + len(chunk))
            else:
                ranges.append((chunk[0], chunk[-1], len(chunk)))
        else:
            scattered.append(chunk)
    values = queryset.values_list(person, *fields)
    for low, high, _ in ranges:
        for row in values.filter(**{f"{person}__gte": low, f"{person}__lte": high}):
            if row[0] in wanted:
                yield row
    for chunk in scattered:
        yield from values.filter(**{f"{person}__in": chunk})


def _periods(lines: list[PaymentLine], programme) -> tuple[dict, dict]:
    """{period as written: the programme's, or None}, each read once, and {period as written: why it is wrong}."""
    periods, errors = {}, {}
    for raw in {line.period for line in lines}:
        try:
            periods[raw] = period_normalise(programme=programme, raw=raw)
        except ValidationError as error:
            periods[raw], errors[raw] = None, error.messages[0]
    return periods, errors


def _already_paid_refusal(programme, skipped: list[PaymentLine], *, held=frozenset(), people=None) -> list[str]:
    """
    Who is paid already, each naming the earlier payment (the first five); a line approved before
    and held for want of an account is named as held.
    """
    earlier = {
        (payment.person_id, payment.period): payment
        for payment in Payment.objects.filter(
            programme=programme,
            person_id__in=[line.person_id for line in skipped[:5]],
            period__in={line.period for line in skipped[:5]},
        ).select_related("person", "programme", "batch")
    }
    messages = []
    for line in skipped[:5]:
        key = (line.person_id, line.period)
        if key in earlier:
            messages.append(earlier[key].already_paid_message())
        elif key in held:
            name = people[line.person_id] if people and line.person_id in people else f"编号 {line.person_id}"
            messages.append(
                f"{name} 的“{programme}”{line.period or ''} 已审批，因没有在用银行账户暂缓待补发，不能重复发放。"
            )
    if len(skipped) > 5:
        messages.append(f"共 {len(skipped)} 人在该期间已领取过“{programme}”，不能重复发放。")
    return messages


def _payment_line_errors(lines: list[PaymentLine], *, periods: dict, period_errors: dict) -> list[str]:
    """What is wrong with the lines themselves, in Chinese (nothing is read from the database)."""
    errors = []
    seen = set()
    amounts_checked = set()  # a payroll's thousands of lines have a few amounts: each checked once
    for number, line in enumerate(lines, start=1):
        amount = line.amount
        if type(amount) is not Decimal or amount not in amounts_checked:
            if not isinstance(amount, Decimal) or amount <= 0 or not is_whole_fen(amount):
                errors.append(f"第 {number} 笔：金额“{amount}”须大于 0，且最多两位小数。")
            else:
                amounts_checked.add(amount)
        if periods[line.period] is None:
            errors.append(f"第 {number} 笔：{period_errors[line.period]}")
        key = (line.person_id, periods[line.period] if periods[line.period] is not None else line.period)
        if key in seen:
            errors.append(f"第 {number} 笔：同一人员在同一期间出现两次。")
        seen.add(key)
    return errors


# Ids read as one range at most (a payroll's part is PAYROLL_PAY_CHUNK).
RANGE_IDS = 10_000
LEDGER_CONFLICT = "写入时发现该期间已有人领取过“{programme}”（可能是他人同时发放），本批次未写入，请重新生成。"
# What a run's payment row is written from (`_payments_insert`).
PAYMENT_COLUMNS = ["person_id", "amount", "period", "note", "bank_account_id"]


def _payments_insert(*, programme, batch: PaymentBatch, paid_on, lines: list[tuple], by) -> None:
    """
    A run's payments, (line, account id) each, written from tuples with their history rows copied
    by the database (`insert_history_of`: the batch's rows above the highest it held before); the
    audit event is the caller's, one for the part.
    """
    if not lines:
        return
    before = Payment.objects.filter(batch_id=batch.pk).aggregate(last=Max("id"))["last"] or 0
    rows = [(line.person_id, line.amount, line.period, line.note, account) for line, account in lines]
    constants = {"programme_id": programme.pk, "paid_on": paid_on, "batch_id": batch.pk}
    try:
        with transaction.atomic():
            insert_tuples(Payment, PAYMENT_COLUMNS, rows, constants)
    except IntegrityError:
        raise ValidationError(LEDGER_CONFLICT.format(programme=programme)) from None
    insert_history_of(Payment, f"batch_id = %s AND {Payment._meta.pk.column} > %s", [batch.pk, before], user=by)


def _payments_write(*, programme, batch: PaymentBatch, paid_on, lines: list[tuple], people: dict, by) -> list[Payment]:
    """Insert the batch's payments, (line, account id) each, with their history rows and audit events."""
    payments = [
        Payment(
            person_id=line.person_id,
            programme_id=programme.pk,
            amount=line.amount,
            period=line.period,
            paid_on=paid_on,
            batch_id=batch.pk,
            note=line.note,
            bank_account_id=account,
        )
        for line, account in lines
    ]
    if not payments:
        return payments
    cache_person, cache_programme = Payment.person.field.set_cached_value, Payment.programme.field.set_cached_value
    persons = _persons({line.person_id: people[line.person_id] for line, _ in lines})
    for payment in payments:  # what the payment's description (audit, history) reads, without a query
        cache_person(payment, persons[payment.person_id])
        cache_programme(payment, programme)
    try:
        with transaction.atomic():
            insert_rows(Payment, payments, returning=True)
    except IntegrityError:
        raise ValidationError(LEDGER_CONFLICT.format(programme=programme)) from None
    insert_history(Payment, payments, update=False, user=by)
    audit.record_many(audit.Kind.CREATE, objs=payments, user=by)
    return payments


def _persons(people: dict) -> dict:
    """{pk: Person} holding only the name, what a description (`str()`) of a payment reads of its person."""
    return {pk: Person(pk=pk, name=name) for pk, name in people.items()}


def _held_write(*, programme, batch: PaymentBatch, paid_on, lines: list[PaymentLine], people: dict, by) -> None:
    """Hold the lines of persons without an account in use (`HeldPayment`), with an audit event each."""
    held = [
        HeldPayment(
            person_id=line.person_id,
            programme_id=programme.pk,
            amount=line.amount,
            period=line.period,
            paid_on=paid_on,
            note=line.note,
            batch_id=batch.pk,
            held_by=by,
        )
        for line in lines
    ]
    if not held:
        return
    persons = _persons({row.person_id: people[row.person_id] for row in held})
    for row in held:
        HeldPayment.person.field.set_cached_value(row, persons[row.person_id])
        HeldPayment.programme.field.set_cached_value(row, programme)
    try:
        with transaction.atomic():
            insert_rows(HeldPayment, held, returning=True)
    except IntegrityError:
        raise ValidationError(
            f"写入时发现该期间已有人的“{programme}”暂缓待补发（可能是他人同时发放），本批次未写入，请重新生成。"
        ) from None
    audit.record_many(audit.Kind.CREATE, objs=held, user=by)


@transaction.atomic
def held_payments_release(*, person_ids, by=None) -> list[Payment]:
    """
    Pay, once, the money held for these persons (`HeldPayment`) now that they have an account in use:
    a payment run's held lines go into a catch-up batch per original batch, titled “补发：<its title>”,
    dated today and made by the original batch's maker (the payment was approved by two people
    then; adding the account only says where it goes); a record's held payment (`bureau.rules.payments.ledger`)
    becomes its linked ledger row. The user who added the account (`by`, or the request's user) is
    who the history and the audit trail name. Called again, it pays nothing: a held payment is
    paid once, and one the ledger already holds (paid by another door) is only closed.
    """
    accounts = accounts_in_use(person_ids)
    if not accounts:
        return []
    waiting = list(
        HeldPayment.objects.select_for_update(of=("self",))
        .waiting()
        .filter(person_id__in=list(accounts))
        .select_related("batch__created_by", "programme", "person", "content_type")
        .order_by("id")
    )
    if not waiting:
        return []
    by = by or audit.request_user()
    now = timezone.now()
    already = {
        (person_id, programme_id, period): pk
        for pk, person_id, programme_id, period in Payment.objects.filter(
            person_id__in={held.person_id for held in waiting}
        ).values_list("pk", "person_id", "programme_id", "period")
    }
    by_batch: dict[int, list[HeldPayment]] = {}
    paid = []
    for held in waiting:
        existing = already.get((held.person_id, held.programme_id, held.period))
        if existing is not None:
            held.payment_id, held.paid_at = existing, now
        elif held.batch_id is not None:
            by_batch.setdefault(held.batch_id, []).append(held)
        elif held.content_type_id is not None:
            record = held.content_type.model_class()._base_manager.filter(pk=held.object_id).first()
            if record is None:
                held.paid_at = now  # the record is gone, and its money with it
                continue
            payment = Payment(
                person=held.person,
                programme=held.programme,
                amount=held.amount,
                period=held.period,
                paid_on=held.paid_on,
                note=held.note,
                bank_account_id=accounts[held.person_id],
            )
            payment._history_user = by or held.held_by
            payment.save()
            link_record_payment(record, payment)
            held.payment, held.paid_at = payment, now
            paid.append(payment)
    today = timezone.localdate()
    for group in by_batch.values():
        original = group[0].batch
        catch_up = PaymentBatch(
            programme=group[0].programme,
            title=f"补发：{original.title}"[:200],
            paid_on=today,
            created_by=original.created_by,
        )
        # Without a request (a task, a command) the trail names the original batch's maker.
        user = by or original.created_by
        catch_up._audit_user = user
        catch_up.save()
        people = {held.person_id: held.person.name for held in group}
        lines = [
            (
                PaymentLine(person_id=held.person_id, amount=held.amount, period=held.period, note=held.note),
                accounts[held.person_id],
            )
            for held in group
        ]
        payments = _payments_write(
            programme=group[0].programme, batch=catch_up, paid_on=today, lines=lines, people=people, by=user
        )
        for held, payment in zip(group, payments, strict=True):
            held.payment, held.paid_at = payment, now
        paid.extend(payments)
    HeldPayment.objects.bulk_update(waiting, ["payment", "paid_at"])
    return paid


def on_bank_account_saved(sender, instance, raw=False, **kwargs):
    # In the save's transaction: the account and the payments it releases are written together.
    if not raw and instance.active:
        held_payments_release(person_ids=[instance.person_id])


def connect() -> None:
    """Pay what waits for a person when an account in use is saved for them (from BureauConfig.ready)."""
    post_save.connect(on_bank_account_saved, sender=BankAccount, dispatch_uid="bureau.rules.payments.held.release")
