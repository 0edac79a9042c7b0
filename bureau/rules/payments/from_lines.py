"""
A run's part written to the ledger by the database from the run's own lines (`payment_batch_create`
given a queryset of lines, not a list): the lines are never read into Python. The same rules as a
batch of `PaymentLine`s, each checked by one query over the part whatever its size — the amounts (a
few distinct values), one line per person, the persons in the payer's scope, the period of the
programme's frequency, a closed year's ledger final — then one `INSERT … SELECT` of the payments
(to each person's bank account in use, leaving out whoever the ledger paid or holds for the
programme and period), one `INSERT … SELECT` of their history rows, the few lines without an account
held (`HeldPayment`, an audit event each), and one audit event for the part summarising what was
written (`audit.record_batch`, from one `GROUP BY amount` of the new rows).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from bureau.base.bulk import insert_history_of, insert_select
from bureau.models import BankAccount, HeldPayment, Payment, PaymentBatch, Person
from bureau.models.payments import period_normalise
from bureau.rules import audit
from bureau.rules.closing import closed_periods_check
from bureau.validators import is_whole_fen


def batch_from_lines(
    *,
    programme,
    title: str,
    paid_on,
    lines: QuerySet,
    period: str,
    by,
    already_paid: str,
    batch: PaymentBatch | None,
):
    """
    Pay the `lines` (any rows with `person_id` and `amount`, e.g. a run's part) for `period`; the
    checks of `payment_batch_create` done first (nothing written when one refuses). Answers its
    `PaymentBatchResult`: `skipped` is not listed here (those the ledger paid already are left out
    by the database), `held` is.
    """
    from bureau.rules.payments.batches import (  # noqa: I001 — it calls this module
        LEDGER_CONFLICT,
        PaymentBatchResult,
        PaymentLine,
        _already_paid_refusal,
        _held_write,
    )

    if period is None:
        raise ValueError("a batch of lines from a query names its period")
    try:
        period = period_normalise(programme=programme, raw=period)
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    lines = lines.order_by()
    _check(lines, by)
    closed_periods_check({period}, paid_on=paid_on)  # a closed year's ledger is final
    paid = Payment.objects.filter(person_id=OuterRef("person_id"), programme=programme, period=period)
    waiting = HeldPayment.objects.waiting().filter(person_id=OuterRef("person_id"), programme=programme, period=period)
    with transaction.atomic():
        if already_paid == "refuse":
            skipped = lines.filter(Q(Exists(paid)) | Q(Exists(waiting)))
            first = [PaymentLine(p, a, period) for p, a in skipped.values_list("person_id", "amount")[:5]]
            if first:
                ids = [line.person_id for line in first]
                held = HeldPayment.objects.waiting().filter(programme=programme, person_id__in=ids, period=period)
                names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
                refusal = _already_paid_refusal(
                    programme, first, held=set(held.values_list("person_id", "period")), people=names
                )
                if (count := skipped.count()) > 5:
                    refusal.append(f"共 {count} 人在该期间已领取过“{programme}”，不能重复发放。")
                raise ValidationError(refusal)
        part, params = lines.values_list("person_id", "amount").query.sql_with_params()
        unpaid, unpaid_params = _unpaid(programme, period)
        # Whoever has no account in use (few): held, an event each, as a batch of lines would.
        in_use = BankAccount.objects.filter(person_id=OuterRef("person_id"), active=True)
        without = lines.filter(~Exists(in_use), ~Exists(paid), ~Exists(waiting))
        to_hold = [PaymentLine(p, a, period) for p, a in without.values_list("person_id", "amount")]
        if batch is None:
            if not to_hold and not lines.filter(~Exists(paid), ~Exists(waiting)).exists():
                return PaymentBatchResult(batch=None, created=0)
            batch = PaymentBatch(programme=programme, title=title, paid_on=paid_on, created_by=by)
            batch.full_clean()
            batch._audit_user = by
            batch.save()
        elif batch.programme_id != programme.pk:
            raise ValueError("batch of another programme")
        before = Payment.objects.filter(batch_id=batch.pk).aggregate(last=Max("id"))["last"] or 0
        # The person's one account in use (a unique constraint): a join, not a subquery per line.
        paying = (
            f"({part}) part JOIN {_table(BankAccount)} account"
            f" ON account.person_id = part.person_id AND account.active WHERE {unpaid}"
        )
        columns = {"person_id": "part.person_id", "amount": "part.amount", "bank_account_id": "account.id"}
        try:
            with transaction.atomic():
                created = insert_select(
                    Payment,
                    columns,
                    paying,
                    [*params, *unpaid_params],
                    {"programme_id": programme.pk, "period": period, "paid_on": paid_on, "batch_id": batch.pk},
                )
        except IntegrityError:
            raise ValidationError(LEDGER_CONFLICT.format(programme=programme)) from None
        new_rows = f"batch_id = %s AND {Payment._meta.pk.column} > %s"
        if created:
            insert_history_of(Payment, new_rows, [batch.pk, before], user=by)
        if to_hold:
            names = dict(Person.objects.filter(pk__in=[line.person_id for line in to_hold]).values_list("pk", "name"))
            _held_write(programme=programme, batch=batch, paid_on=paid_on, lines=to_hold, people=names, by=by)
        if created or to_hold:
            held = f"（另有 {len(to_hold)} 人无在用银行账户暂缓待补发）" if to_hold else ""
            amounts = (
                Payment.objects.filter(batch_id=batch.pk, pk__gt=before)
                .order_by()
                .values("amount")
                .annotate(n=Count("id"), low=Min("person_id"), high=Max("person_id"))
                .values_list("amount", "n", "low", "high")
            )
            audit.record_batch_summary(
                audit.Kind.CREATE, user=by, obj=batch, what=f"写入发放明细{held}", amounts=amounts
            )
    return PaymentBatchResult(batch=batch, created=created, held=to_hold)


def _table(model) -> str:
    return connections[router.db_for_write(model)].ops.quote_name(model._meta.db_table)


def _unpaid(programme, period: str) -> tuple[str, list]:
    """SQL: the line's person (`part.person_id`) neither paid nor held waiting for the programme and period."""
    # Each line probes the ledger by its person (on PostgreSQL, OFFSET 0 keeps each NOT EXISTS a
    # probe per line, not an anti-join; SQLite probes per line anyway), and the period is compared as
    # an expression so that no index on the period alone is taken: within a run the period's rows are
    # the run's own earlier parts, which the planner's statistics do not count yet, and walking them
    # all for every line made a part quadratic on PostgreSQL (65 s for 50,000 lines).
    probe = " OFFSET 0" if connections[router.db_for_write(Payment)].vendor == "postgresql" else ""
    return (
        f"NOT EXISTS (SELECT 1 FROM {_table(Payment)} p WHERE p.person_id = part.person_id"
        f" AND p.programme_id = %s AND p.period || '' = %s{probe})"
        f" AND NOT EXISTS (SELECT 1 FROM {_table(HeldPayment)} h WHERE h.person_id = part.person_id"
        f" AND h.programme_id = %s AND h.period = %s AND h.paid_at IS NULL{probe})",
        [programme.pk, period, programme.pk, period],
    )


def _check(lines: QuerySet, by) -> None:
    """What is wrong with the lines, each rule one query over them (nothing is written when one refuses)."""
    errors = []
    for amount in lines.values_list("amount", flat=True).distinct():
        if amount is None or amount <= 0 or not is_whole_fen(amount):
            errors.append(f"金额“{amount}”须大于 0，且最多两位小数。")
    if lines.values("person_id").annotate(n=Count("person_id")).filter(n__gt=1).exists():
        errors.append("同一人员在同一期间出现两次。")
    scope = Person.objects.visible_to(by)
    # A reference to the registry under a scope of the whole registry (bureau-wide staff): nothing to check.
    person = next((field for field in lines.model._meta.concrete_fields if field.attname == "person_id"), None)
    whole = not scope.query.where and person is not None and person.related_model is Person
    unknown = lines.exclude(Exists(scope.filter(pk=OuterRef("person_id")))).values_list("person_id", flat=True)
    if not whole and (first := sorted(unknown[:5])):
        count = unknown.count()
        errors.append(f"{count} 名人员不存在或不在您的管辖范围内（编号 {'、'.join(map(str, first))}）。")
    if errors:
        raise ValidationError(errors)
