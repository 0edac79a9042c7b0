"""
Payments by hand, prepared by one bureau clerk and paid by another (两人经办).

批量发放 and the ledger's add form write no ledger row: they prepare a `PaymentProposal` (one
programme, period and paid date; a line per person with the amount). A second bureau clerk,
holding `bureau.approve_paymentproposal` and not the preparer, approves it, which checks it all
again and pays it as one batch (`bureau.rules.payments.proposals.payment_proposal_approve`); or returns it
with a reason. The monthly payroll and the cohort's grant have their own runs with the same two steps.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from bureau.models.payments import PaymentBatch, PaymentProgramme


class PaymentProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        PAID = "paid", "已发放"
        RETURNED = "returned", "已退回"

    programme = models.ForeignKey(PaymentProgramme, verbose_name="资金项目", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(
        "期间",
        max_length=7,
        blank=True,
        help_text="按年发放的为年度（2026），按月、按次发放的为年月（2026-03），一次性发放的留空。",
    )
    paid_on = models.DateField("发放日期")
    title = models.CharField("批次名称", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField("提交时间", auto_now_add=True)
    # What the approver saw: any save of the proposal changes it (`payment_proposal_token`).
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.TextField("退回原因", blank=True)
    batch = models.ForeignKey(
        PaymentBatch, verbose_name="发放批次", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-id"]
        verbose_name = "资金发放申请"
        verbose_name_plural = "资金发放申请"
        permissions = [("approve_paymentproposal", "审批资金发放申请（由经办人以外的工作人员审批发放）")]

    def __str__(self):
        return self.title

    @property
    def persons(self) -> int:
        return self.lines.count()

    @property
    def total(self) -> Decimal:
        return self.lines.aggregate(total=models.Sum("amount"))["total"] or Decimal("0.00")


class PaymentProposalLine(models.Model):
    proposal = models.ForeignKey(
        PaymentProposal, verbose_name="发放申请", on_delete=models.CASCADE, related_name="lines"
    )
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        "金额（元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField("备注", max_length=200, blank=True)

    township_lookup = "person__township"

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = "发放申请明细"
        verbose_name_plural = "发放申请明细"
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "person"],
                name="payment_proposal_line_once_per_person",
                violation_error_message="同一发放申请中同一人员只能出现一次。",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.amount}元"
