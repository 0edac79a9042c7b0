"""
Payments by hand, by two people: one bureau clerk prepares a proposal (批量发放, or the ledger's
add form with one line), another approves it, which pays it; nobody writes a ledger row alone.

- `payment_proposal_create` checks the list as the ledger will (`bureau.rules.payments.lists`: the
  programme paid by hand, the period's shape for its frequency, the people, the amounts, who is
  paid already, naming the earlier payment) and keeps it as a proposal awaiting approval.
- `payment_proposal_approve` is the second clerk's: not the preparer, holding
  `bureau.approve_paymentproposal`, on the proposal as they saw it (`payment_proposal_token`).
  Everything is checked again and the proposal is paid as one batch through
  `bureau.rules.payments.batches.payment_batch_create`, in one transaction; approved twice, it pays once.
- `payment_proposal_return` sends it back with a reason.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bureau.base.masking import mask_id_number
from bureau.models import PaymentProgramme, PaymentProposal, PaymentProposalLine
from bureau.models.payments import earlier_payments, overlapping_periods, period_normalise, run_only_refusal
from bureau.rules import audit
from bureau.rules.closing import closed_periods_check
from bureau.rules.payments.batches import PaymentLine, payment_batch_create
from bureau.rules.payments.lists import PaymentListLine, mask_name, payment_list_check

Status = PaymentProposal.Status
PREPARE_PERMISSION = "bureau.add_paymentproposal"
APPROVE_PERMISSION = "bureau.approve_paymentproposal"
OWN_PROPOSAL = "资金发放须由经办人以外的另一名工作人员审批，您不能审批本人提交的发放申请。"
STALE = "该发放申请在您打开审批页面后已被修改，请刷新页面核对后再审批。"


@dataclass(frozen=True)
class ProposalLine:
    line: int
    person_id: int
    person_name: str
    id_number: str
    amount: Decimal
    note: str

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.person_name)


def payment_proposal_create(
    *,
    programme: PaymentProgramme,
    period: str,
    paid_on: datetime.date,
    title: str,
    text: str,
    by,
    note: str = "",
) -> PaymentProposal:
    """
    Keep a checked payment list (`身份证号 金额` a line, as `payment_list_check` reads it) as a
    proposal awaiting a second clerk's approval. Nothing is paid. A person already in another
    proposal awaiting approval for the programme and period is refused too.
    """
    if not by.has_perm(PREPARE_PERMISSION):
        raise PermissionDenied("您没有经办资金发放的权限。")
    with transaction.atomic():
        lines = payment_list_check(programme=programme, period=period, text=text, by=by)
        period = period_normalise(programme=programme, raw=period)
        closed_periods_check([period], paid_on=paid_on)  # a closed year's ledger is final
        _check_not_proposed(programme=programme, period=period, lines=lines)
        proposal = PaymentProposal(
            programme=programme,
            period=period,
            paid_on=paid_on,
            title=(title or "").strip() or default_title(programme=programme, period=period),
            prepared_by=by,
        )
        proposal.full_clean()
        proposal.save()
        PaymentProposalLine.objects.bulk_create(
            PaymentProposalLine(proposal=proposal, person=line.person, amount=line.amount, note=note[:200])
            for line in lines
        )
        # Its creation is in the audit trail by itself (bureau.rules.audit_hooks), as every record's is.
    return proposal


def default_title(*, programme: PaymentProgramme, period: str) -> str:
    return f"{programme} {period} 批量发放" if period else f"{programme} 批量发放"


def _check_not_proposed(*, programme, period: str, lines: list[PaymentListLine]) -> None:
    waiting = {
        line.person_id: line.proposal
        for line in PaymentProposalLine.objects.filter(
            proposal__status=Status.PENDING,
            proposal__programme=programme,
            person_id__in=[line.person.pk for line in lines],
        )
        .filter(overlapping_periods(period, field="proposal__period"))
        .select_related("proposal")
    }
    errors = [
        f"第 {line.line} 行：{mask_name(line.person.name)}已在待审批的发放申请“{waiting[line.person.pk]}”中，不能重复申请。"
        for line in lines
        if line.person.pk in waiting
    ]
    if errors:
        raise ValidationError(errors)


def payment_proposal_token(proposal: PaymentProposal) -> str:
    """The proposal as the approver saw it: any save since (a change, a decision) makes the page stale."""
    return proposal.updated_at.isoformat() if proposal.updated_at else ""


def payment_proposal_refusal(proposal: PaymentProposal, by) -> str:
    """Why `by` may not decide the proposal now ("" when they may): the page says it before the post."""
    if not by.has_perm(APPROVE_PERMISSION):
        return "您没有审批资金发放申请的权限。"
    if proposal.status != Status.PENDING:
        return f"该发放申请当前为“{proposal.get_status_display()}”，不能再次审批。"
    if proposal.prepared_by_id == by.pk:
        return OWN_PROPOSAL
    return ""


def proposal_lines(proposal: PaymentProposal) -> list[ProposalLine]:
    rows = proposal.lines.select_related("person").order_by("id")
    return [
        ProposalLine(
            line=number,
            person_id=row.person_id,
            person_name=row.person.name,
            id_number=row.person.id_number,
            amount=row.amount,
            note=row.note,
        )
        for number, row in enumerate(rows, start=1)
    ]


def _locked(proposal: PaymentProposal, by, token: str) -> PaymentProposal:
    proposal = PaymentProposal.objects.select_for_update().select_related("programme").get(pk=proposal.pk)
    if refusal := payment_proposal_refusal(proposal, by):
        raise ValidationError(refusal)
    if token and token != payment_proposal_token(proposal):
        raise ValidationError(STALE)
    return proposal


def payment_proposal_approve(*, proposal: PaymentProposal, by, token: str = "") -> PaymentProposal:
    """
    The second clerk's approval, which pays: the programme's rules, the period, who is paid
    already and the approver's townships are checked again, and the lines are paid as one batch
    (`payment_batch_create`) in the same transaction as the decision. Posted twice, it pays once:
    the second finds the proposal paid.
    """
    if not by.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("您没有审批资金发放申请的权限。")
    with transaction.atomic():
        proposal = _locked(proposal, by, token)
        programme = proposal.programme
        errors = []
        if programme.paid_by_run:
            errors.append(run_only_refusal(programme))
        try:
            period = period_normalise(programme=programme, raw=proposal.period)
        except ValidationError as error:
            errors.extend(error.messages)
            period = proposal.period
        lines = proposal_lines(proposal)
        earlier = {}
        for payment in earlier_payments(programme=programme, person_ids=[line.person_id for line in lines], raw=period):
            earlier.setdefault(payment.person_id, payment)
        errors.extend(
            f"第 {line.line} 行：{earlier[line.person_id].already_paid_message(name=line.masked_name)}"
            for line in lines
            if line.person_id in earlier
        )
        if errors:
            raise ValidationError(errors)
        result = payment_batch_create(
            programme=programme,
            title=proposal.title,
            paid_on=proposal.paid_on,
            lines=[
                PaymentLine(person_id=line.person_id, amount=line.amount, period=period, note=line.note)
                for line in lines
            ],
            by=by,
        )
        proposal.status, proposal.batch = Status.PAID, result.batch
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        proposal.save()
        total = sum((line.amount for line in lines), Decimal("0"))
        audit.record(
            audit.Kind.APPROVE,
            user=by,
            obj=proposal,
            detail=f"审批发放“{proposal}”：{result.created} 人，{total} 元（批次“{result.batch}”）",
        )
    return proposal


def payment_proposal_return(*, proposal: PaymentProposal, by, reason: str, token: str = "") -> PaymentProposal:
    """The approver sends the proposal back, with the reason the preparer reads; nothing is paid."""
    if not by.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("您没有审批资金发放申请的权限。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("退回时请填写退回原因。")
    with transaction.atomic():
        proposal = _locked(proposal, by, token)
        proposal.status, proposal.reason = Status.RETURNED, reason
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        proposal.save()
        audit.record(audit.Kind.RETURN, user=by, obj=proposal, detail=f"退回发放申请“{proposal}”：{reason}")
    return proposal
