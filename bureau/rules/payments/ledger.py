"""
Records that pay money through the ledger: a visit's 慰问金, a “三难” grant, a conscript family's
allowance. Such a record has a `payment` (a one-to-one to `bureau.Payment`) and declares, on the
model, the dotted path of a function saying what it pays once approved:

    class Visit(TownshipRecord):
        ledger_payment = "bureau.rules.payments.visits.visit_payment"  # (visit) -> PaymentSpec | None

The core keeps the ledger in step with the record, whatever wrote it:

- an approved record whose function answers a payment has exactly one ledger row, linked by
  `payment`; a record not approved (a station's submission) or answering None has none;
- a change of the record moves its row (amount, period, person …, with the row's history); the
  money removed, or the record deleted, deletes the row;
- the money goes to the person's bank account in use (`Payment.bank_account`); an approved record
  whose person has none is saved, and its money held (`HeldPayment` linked to the record, 待补发)
  instead of written: it becomes the record's ledger row once an account in use is added
  (`bureau.rules.payments.batches.held_payments_release`). Held, not refused, so that approving a station's
  submission, a bulk approval or an import never fails for it; the record's page and the
  数据质量核查 show what waits;
- the ledger's rule, one payment per person, programme and period, is checked by the record's
  `clean()` (`linked_payment_check`), so forms, the API and imports show the record's own
  message; a payment written meanwhile by someone else refuses the save with the same message.

`connect()` (BureauConfig.ready) hooks `post_save` / `post_delete` of every model declaring
`ledger_payment`: the admin, the API, the station pages, approvals of submissions and of
pending changes all save the record. Imports write in bulk without `save()`: the kit's base
resource syncs the rows it wrote for every such model, whatever the resource
(`bureau.importexport.ledger_rows`), so no area resource has a mixin to remember.
"""

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.module_loading import import_string

from bureau.models import HeldPayment, Payment, PaymentProgramme, Person, ReviewStatus
from bureau.models.payments import overlapping_periods, period_keyed, run_only_refusal
from bureau.rules.payments.held import accounts_in_use


@dataclass(frozen=True)
class PaymentSpec:
    """The ledger row a record pays once approved."""

    person: Person
    programme: PaymentProgramme
    amount: Decimal
    period: str
    paid_on: datetime.date
    note: str
    # Told to the user when the person already has a payment of the programme and period.
    duplicate_message: str


def declares_payment(model) -> bool:
    return bool(getattr(model, "ledger_payment", ""))


def payment_of(record) -> PaymentSpec | None:
    """
    What the record pays once approved, by the function its model declares (whatever its review
    state), with the period keyed by the programme's frequency (`period_keyed`: a record gives the
    month of its occasion; an annual programme pays that month's year).
    """
    spec = import_string(type(record).ledger_payment)(record)
    if spec is None:
        return None
    return dataclasses.replace(spec, period=period_keyed(programme=spec.programme, period=spec.period))


def wanted_payment(record) -> PaymentSpec | None:
    """What the record pays now: nothing until it is approved."""
    if getattr(record, "review_status", ReviewStatus.APPROVED) != ReviewStatus.APPROVED:
        return None
    return payment_of(record)


def _taken(spec: PaymentSpec, *, own_payment_id, record=None) -> Payment | HeldPayment | None:
    """
    The earlier payment the spec would repeat, however its period was written (a year covers its
    months), or else the same money approved and held for want of an account, other than this record's.
    """
    others = Payment.objects.filter(overlapping_periods(spec.period), person=spec.person, programme=spec.programme)
    if own_payment_id:
        others = others.exclude(pk=own_payment_id)
    earlier = others.select_related("person", "programme", "batch").order_by("paid_on", "pk").first()
    if earlier is not None:
        return earlier
    held = HeldPayment.objects.waiting().filter(person=spec.person, programme=spec.programme, period=spec.period)
    if record is not None and record.pk is not None:
        held = held.exclude(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    return held.first()


def _duplicate(spec: PaymentSpec, earlier: Payment | HeldPayment) -> ValidationError:
    # The record's own words, then the earlier payment named (or the held one).
    if isinstance(earlier, HeldPayment):
        return ValidationError(
            spec.duplicate_message + "（该笔已审批，因没有在用银行账户暂缓待补发。）", code="ledger_duplicate"
        )
    return ValidationError(spec.duplicate_message + earlier.already_paid_message(), code="ledger_duplicate")


def held_of(record):
    """The record's money held for want of a bank account (a `HeldPayment` waiting), or None."""
    if record.pk is None:
        return None
    return (
        HeldPayment.objects.waiting()
        .filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .first()
    )


def linked_payment_check(record) -> None:
    """
    For the record's `clean()`: refuse what its approval could not pay (the person already paid
    for the programme and period, other than by this record). Checked before approval too, so
    that a station's submission is told at once, not the reviewer later.
    """
    spec = payment_of(record)
    if spec is not None and spec.programme.paid_by_run:
        raise ValidationError(run_only_refusal(spec.programme), code="ledger_run_only")
    if spec is not None and (earlier := _taken(spec, own_payment_id=record.payment_id, record=record)):
        raise _duplicate(spec, earlier)


@transaction.atomic
def linked_payment_sync(*, record) -> Payment | None:
    """
    Make the ledger say what the saved record pays: create, change or delete its linked row, or
    hold its money (`HeldPayment`) while the person has no bank account in use.
    Raises ValidationError (the record's duplicate message) when the ledger refuses the row;
    the caller's transaction then undoes the record's save too.
    """
    model = type(record)
    # The link as stored (the instance may have been read before another save linked a row).
    payment_id = model._base_manager.filter(pk=record.pk).values_list("payment_id", flat=True).first()
    current = Payment.objects.select_for_update().filter(pk=payment_id).first() if payment_id else None
    spec = wanted_payment(record)
    user = getattr(record, "_history_user", None)
    held = held_of(record)
    if spec is None:
        if current is not None:
            _link(record, None)
            current._history_user = user
            current.delete()
        if held is not None:
            held.delete()
        return None
    payment = current or Payment()
    values = {
        "person": spec.person,
        "programme": spec.programme,
        "amount": spec.amount,
        "period": spec.period,
        "paid_on": spec.paid_on,
        "note": spec.note[:200],
    }
    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        if record.payment_id != current.pk:
            record.payment = current
        return current
    if spec.programme.paid_by_run:
        raise ValidationError(run_only_refusal(spec.programme), code="ledger_run_only")
    if earlier := _taken(spec, own_payment_id=payment.pk, record=record):
        raise _duplicate(spec, earlier)
    account = accounts_in_use([spec.person.pk]).get(spec.person.pk)
    # A row already paid to this person is corrected in place (the money went out); a new payment,
    # or one moved to another person, needs the person's account in use, or it waits.
    if account is None and (current is None or current.person_id != spec.person.pk):
        if current is not None:
            _link(record, None)
            current._history_user = user
            current.delete()
        _hold(record, held, values, user)
        return None
    if held is not None:
        held.delete()
    if current is None or current.person_id != spec.person.pk:
        payment.bank_account_id = account  # where a correction in place went stays as it was
    for name, value in values.items():
        setattr(payment, name, value)
    # The record's own words above; the ledger's rule (period shape) by the row's clean().
    payment.by_run = True
    payment.full_clean(validate_unique=False, validate_constraints=False)
    payment._history_user = user
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # Written meanwhile by another request: the unique index refused this one.
        raise ValidationError(spec.duplicate_message, code="ledger_duplicate") from None
    if current is None:
        _link(record, payment)
    return payment


def _hold(record, held: HeldPayment | None, values: dict, user) -> HeldPayment:
    held = held or HeldPayment(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    for name, value in values.items():
        setattr(held, name, value)
    held.held_by = user if getattr(user, "pk", None) else None
    try:
        with transaction.atomic():
            held.save()
    except IntegrityError:
        raise ValidationError(payment_of(record).duplicate_message, code="ledger_duplicate") from None
    return held


def link_record_payment(record, payment: Payment) -> None:
    """Link a record to the ledger row paying its held money (`bureau.rules.payments.batches.held_payments_release`)."""
    _link(record, payment)


def linked_payments_sync(records) -> None:
    """`linked_payment_sync` of each record (rows an import wrote without `save()`)."""
    for record in records:
        linked_payment_sync(record=record)


def _link(record, payment: Payment | None) -> None:
    # The link is the ledger's, not the user's (not editable): written alone, without a new version,
    # so a form open on the record is not made stale by its own save.
    type(record)._base_manager.filter(pk=record.pk).update(payment=payment)
    record.payment = payment


def on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        linked_payment_sync(record=instance)


def on_delete(sender, instance, **kwargs):
    # The record is gone (its link with it): its money leaves the ledger too, with the row's history,
    # and what it held for want of an account is not paid.
    if (held := held_of(instance)) is not None:
        held.delete()
    if instance.payment_id:
        payment = Payment.objects.filter(pk=instance.payment_id).first()
        if payment is not None:
            payment._history_user = getattr(instance, "_history_user", None)
            payment.delete()


def ledger_models() -> list:
    return [model for model in apps.get_models() if declares_payment(model)]


def linked_record(payment: Payment):
    """The record whose money this ledger row is (a visit, a grant), or None for a row of its own."""
    for model in ledger_models():
        record = model._base_manager.filter(payment=payment).first()
        if record is not None:
            return record
    return None


def connect() -> None:
    """Hook every model that declares `ledger_payment` (called once, from BureauConfig.ready)."""
    for model in ledger_models():
        uid = model._meta.label_lower
        post_save.connect(on_save, sender=model, dispatch_uid=f"bureau.rules.payments.ledger.save.{uid}")
        post_delete.connect(on_delete, sender=model, dispatch_uid=f"bureau.rules.payments.ledger.delete.{uid}")
