"""Writes of the shared core that span models or carry a rule; views, admin and API call these."""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bureau.base.bulk import chunks, insert_history, insert_rows
from bureau.base.concurrency import version_check
from bureau.base.scoping import sees_all_townships, township_of, township_of_record
from bureau.models import (
    HeldPayment,
    Payment,
    PaymentBatch,
    PendingChange,
    Person,
    ReviewStatus,
    TownshipRecord,
)
from bureau.models.changes import proposable_fields, stored
from bureau.models.payments import period_normalise, run_only_refusal
from bureau.models.rules import decided_field_errors, decided_fields, decided_message
from bureau.roles import reviews_records
from bureau.rules import audit
from bureau.rules.held_payments import HELD_ALREADY_MESSAGE, NO_ACCOUNT_MESSAGE, accounts_in_use, held_keys
from bureau.validators import is_whole_fen


class ScopeError(Exception):
    """The user tried to write a record outside the townships they may see."""


def check_township_allowed(*, user, township) -> None:
    if sees_all_townships(user):
        return
    own = township_of(user)
    if own is None or township is None or township.pk != own.pk:
        raise ScopeError("只能登记或修改本乡镇（街道）的记录。")


def check_write_allowed(*, user, record) -> None:
    """
    The one rule for writes: may this user write this record, whatever its township
    lookup (`township`, `person__township`, `park__township` …)? Raises ScopeError.
    The admin, the station portal, the API and imports all call it. Records without a
    township lookup (programmes, townships themselves) are guarded by permissions alone.
    """
    through = getattr(record, "scope_through", None)
    if through:
        # A child row (a fair's enterprise) may be written by whoever may write its parent.
        parent = getattr(record, through, None)
        if parent is None:
            raise ScopeError("只能登记或修改本乡镇（街道）的记录。")
        check_write_allowed(user=user, record=parent)
        return
    if getattr(record, "township_lookup", None) is None:
        return
    if hasattr(record, "assign_township"):
        record.assign_township()
    check_township_allowed(user=user, township=township_of_record(record))


@transaction.atomic
def record_save(*, record: TownshipRecord, by) -> TownshipRecord:
    """
    Validate and save a workflow record for a user.

    A write by a user who reviews records (bureau staff) is approved on save; anyone
    else's (a station's) is a submission to the bureau. A station's edit of an approved
    record is not saved but proposed (`change_propose`): the approved values stay in
    force until the bureau approves the change. Either must stay in scope, and a write
    based on an old version of the record is refused (StaleWriteError).
    """
    township_default(record=record, by=by)
    check_write_allowed(user=by, record=record)
    version_check(record)
    if proposes_change(record=record, by=by):
        current = type(record)._base_manager.select_for_update().get(pk=record.pk)
        return change_propose(record=record, current=current, by=by)
    bureau_decided_check(record=record, by=by)
    # Validated before the review state moves, so a refused save leaves the form's record as it was
    # (a returned record keeps showing its return reason next to the errors).
    record.full_clean()
    if reviews_records(by):
        record.approve(by=by)
    else:
        record.submit(by=by)
    # The history names the user also when no request does (a service called by a task or a command).
    record._history_user = by
    record.save()
    return record


def township_default(*, record: TownshipRecord, by) -> None:
    """
    A record without a township takes the one of what it is about (`township_from`), or else, saved
    by a station, the station's own: a station's record always belongs to its township.
    """
    if record.township_id is not None:
        return
    record.assign_township()
    if record.township_id is None and not record.township_from and not sees_all_townships(by):
        record.township = township_of(by)


def bureau_decided_check(*, record: TownshipRecord, by, current: TownshipRecord | None = None) -> None:
    """
    Refuse a station's write that sets or changes a field only the bureau decides (the model's
    `bureau_decided_fields`): compared with the record as stored, or, for a new record, with the
    model's defaults. Bureau staff decide them; nothing to check. (The review fields are the
    workflow's: `record_save` sets them, and a proposed change never holds them.)
    """
    if reviews_records(by):
        return
    declared = getattr(type(record), "bureau_decided_fields", ())
    if not declared:
        return
    if current is None and record.pk is not None and not record._state.adding:
        current = type(record)._base_manager.filter(pk=record.pk).first()
    # The review fields need no comparison: whatever the record held, `submit` sets them here.
    errors = decided_field_errors(record, current=current, names=declared)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_review(*, record: TownshipRecord, by, approve: bool, reason: str = "") -> TownshipRecord:
    """
    Approve a submitted record, or return it to the station with a reason. A station's submission
    holding a value the bureau decides (sent before the rule, or written around it) is not approved
    as it stands: the bureau sets those fields on the record's page, which approves it.
    """
    if approve:
        if record.submitted_by_id and not reviews_records(record.submitted_by):
            decided = decided_field_errors(record, names=getattr(type(record), "bureau_decided_fields", ()))
            if decided:
                names = "、".join(str(type(record)._meta.get_field(name).verbose_name) for name in decided)
                raise ValidationError(
                    f"“{record}”的{names}是服务站填写的，须由区局决定：请在记录页修改后保存，不能直接审核通过。"
                )
        record.approve(by=by)
    else:
        record.return_to_station(by=by, reason=reason)
    record._history_user = by
    record.save(update_fields=["review_status", "return_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(audit.Kind.APPROVE if approve else audit.Kind.RETURN, user=by, obj=record)
    return record


def proposes_change(*, record: TownshipRecord, by) -> bool:
    """Would this user's save of the record be a proposed change (a station editing an approved record)?"""
    if record.pk is None or record._state.adding or reviews_records(by):
        return False
    stored_status = type(record)._base_manager.filter(pk=record.pk).values_list("review_status", flat=True).first()
    return stored_status == ReviewStatus.APPROVED


def change_propose(*, record: TownshipRecord, current: TownshipRecord, by) -> TownshipRecord:
    """
    Store a station's edit of an approved record as a proposed change (old → new per
    field) and leave the record as it is; returns the record as stored, with the
    change as `proposed_change`. Proposing again replaces the change that waits.
    """
    record.full_clean()
    bureau_decided_check(record=record, by=by, current=current)
    changes = {}
    for field in proposable_fields(type(record)):
        old, new = field.value_from_object(current), field.value_from_object(record)
        if old != new:
            changes[field.name] = {"old": stored(old), "new": stored(new)}
    if not changes:
        raise ValidationError("没有修改任何内容。")
    change, _ = PendingChange.objects.select_for_update().update_or_create(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=record.pk,
        status=PendingChange.Status.PENDING,
        defaults={
            "township": township_of_record(current),
            "changes": changes,
            "base_version": current.version,
            "proposed_by": by,
            "proposed_at": timezone.now(),
        },
    )
    current.proposed_change = change
    return current


@transaction.atomic
def change_review(*, change: PendingChange, by, approve: bool, reason: str = "") -> PendingChange:
    """
    Approve a proposed change (applied to the record, which stays approved; the history
    records the reviewer and the proposer) or return it with a reason (discarded).

    A field the bureau changed after the proposal is not overwritten: the change is
    refused and must be returned, so that the station proposes again from what is in force.
    """
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.status != PendingChange.Status.PENDING:
        raise ValidationError("该修改已审核，不能重复审核。")
    if approve:
        record = change.model._base_manager.select_for_update().filter(pk=change.object_id).first()
        if record is None:
            raise ValidationError("该记录已被删除，修改无法应用，请退回。")
        check_write_allowed(user=by, record=record)
        moved = [
            str(change.field(name).verbose_name)
            for name, values in change.changes.items()
            if stored(change.field(name).value_from_object(record)) != values["old"]
        ]
        decided = [name for name in change.changes if name in decided_fields(change.model)]
        if decided:
            # Proposed before the rule held: a station's value is never the bureau's decision.
            raise ValidationError(
                "；".join(decided_message(change.model, name) for name in decided) + "该修改不能审核通过，请退回。"
            )
        if moved:
            raise ValidationError(
                f"提议修改后，{'、'.join(moved)}已被他人修改，不能直接应用，以免覆盖；请退回，由服务站按最新内容重新提交。"
            )
        for attname, value in change.new_values().items():
            setattr(record, attname, value)
        record.approve(by=by)
        record.full_clean()
        proposer = change.proposed_by
        record._history_user = by
        record._change_reason = (
            f"审核通过{proposer.get_full_name() or proposer.username if proposer else '服务站'}提议的修改"
        )
        record.save()
        change.status = PendingChange.Status.APPROVED
    else:
        if not (reason or "").strip():
            raise ValidationError({"return_reason": "退回时必须填写原因。"})
        change.status = PendingChange.Status.RETURNED
        change.return_reason = reason.strip()
    change.reviewed_by = by
    change.reviewed_at = timezone.now()
    change.save()
    audit.record(audit.Kind.APPROVE if approve else audit.Kind.RETURN, user=by, obj=change)
    return change


def person_save(*, person: Person, by) -> Person:
    return record_save(record=person, by=by)


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
    hand, a batch is paid by the approval of a proposal (`bureau.rules.payment_proposals`).

    Each payment goes to the person's bank account in use (`Payment.bank_account`); a line whose
    person has none is not written to the ledger but held (`HeldPayment`, in the result's `held`),
    and paid once when an account is added (`held_payments_release`). A held line counts as paid
    for the rule above: a run again neither holds nor pays it twice.
    """
    if not by.has_perm("bureau.add_payment"):
        raise PermissionDenied("您没有发放资金的权限。")
    if already_paid not in ("refuse", "skip"):
        raise ValueError(f"already_paid: {already_paid!r}")
    if programme.paid_by_run and not by_run:
        raise ValidationError(run_only_refusal(programme), code="run_only")
    errors = _payment_line_errors(lines, programme=programme)
    lines = [dataclasses.replace(line, period=_period_of(line, programme)) for line in lines]
    keys = [(line.person_id, line.period) for line in lines]
    people = {}
    for chunk in chunks(sorted({line.person_id for line in lines})):
        # The name is all a payment's description needs of its person.
        people.update(Person.objects.visible_to(by).filter(pk__in=chunk).only("pk", "name").in_bulk())
    unknown = sorted({line.person_id for line in lines} - set(people))
    if unknown:
        errors.append(f"{len(unknown)} 名人员不存在或不在您的管辖范围内（编号 {'、'.join(map(str, unknown[:5]))}）。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person_ids = {line.person_id for line in lines}
        paid = set()
        for chunk in chunks(sorted(person_ids)):
            paid.update(
                Payment.objects.filter(programme=programme, person_id__in=chunk).values_list("person_id", "period")
            )
        held = held_keys(programme=programme, person_ids=person_ids)
        skipped = [line for line, key in zip(lines, keys, strict=True) if key in paid or key in held]
        if skipped and already_paid == "refuse":
            raise ValidationError(_already_paid_refusal(programme, skipped, held=held, people=people))
        to_pay = [line for line, key in zip(lines, keys, strict=True) if key not in paid and key not in held]
        if not to_pay:
            return PaymentBatchResult(batch=None, created=0, skipped=skipped)
        accounts = accounts_in_use(line.person_id for line in to_pay)
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
        payments = _payments_write(
            programme=programme,
            batch=batch,
            paid_on=paid_on,
            lines=[(line, accounts[line.person_id]) for line in to_pay],
            people=people,
            by=by,
        )
        _held_write(programme=programme, batch=batch, paid_on=paid_on, lines=to_hold, people=people, by=by)
    return PaymentBatchResult(batch=batch, created=len(payments), skipped=skipped, held=to_hold)


def _period_of(line: PaymentLine, programme) -> str:
    try:
        return period_normalise(programme=programme, raw=line.period)
    except ValidationError:
        return line.period  # told by _payment_line_errors


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
            name = people[line.person_id].name if people and line.person_id in people else f"编号 {line.person_id}"
            messages.append(
                f"{name} 的“{programme}”{line.period or ''} 已审批，因没有在用银行账户暂缓待补发，不能重复发放。"
            )
    if len(skipped) > 5:
        messages.append(f"共 {len(skipped)} 人在该期间已领取过“{programme}”，不能重复发放。")
    return messages


def _payment_line_errors(lines: list[PaymentLine], *, programme) -> list[str]:
    """What is wrong with the lines themselves, in Chinese (nothing is read from the database)."""
    errors = []
    seen = set()
    for number, line in enumerate(lines, start=1):
        amount = line.amount
        if not isinstance(amount, Decimal) or amount <= 0 or not is_whole_fen(amount):
            errors.append(f"第 {number} 笔：金额“{amount}”须大于 0，且最多两位小数。")
        try:
            period_normalise(programme=programme, raw=line.period)
        except ValidationError as error:
            errors.append(f"第 {number} 笔：{error.messages[0]}")
        key = (line.person_id, _period_of(line, programme))
        if key in seen:
            errors.append(f"第 {number} 笔：同一人员在同一期间出现两次。")
        seen.add(key)
    return errors


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
    for payment in payments:  # what the payment's description (audit, history) reads, without a query
        cache_person(payment, people[payment.person_id])
        cache_programme(payment, programme)
    try:
        with transaction.atomic():
            insert_rows(Payment, payments, returning=True)
    except IntegrityError:
        raise ValidationError(
            f"写入时发现该期间已有人领取过“{programme}”（可能是他人同时发放），本批次未写入，请重新生成。"
        ) from None
    insert_history(Payment, payments, update=False, user=by)
    audit.record_many(audit.Kind.CREATE, objs=payments, user=by)
    return payments


def _held_write(*, programme, batch: PaymentBatch, paid_on, lines: list[PaymentLine], people: dict, by) -> None:
    """Hold the lines of persons without an account in use (`HeldPayment`), with their audit events."""
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
    for row in held:
        HeldPayment.person.field.set_cached_value(row, people[row.person_id])
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
    then; adding the account only says where it goes); a record's held payment (`bureau.rules.ledger`)
    becomes its linked ledger row. The user who added the account (`by`, or the request's user) is
    who the history and the audit trail name. Called again, it pays nothing: a held payment is
    paid once, and one the ledger already holds (paid by another door) is only closed.
    """
    from bureau.rules.ledger import link_record_payment

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
        people = {held.person_id: held.person for held in group}
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
