"""
Payments held (待补发): approved, but not paid, because the person had no bank account in use.

A payment run (the payroll, a grant, a batch) pays only the lines whose person has an account in
use; each other line is held here, with what it would have paid, and is paid once — in a
catch-up batch, `补发：<batch title>` — when an account in use is added for the person
(`bureau.rules.payments.batches.held_payments_release`, called whatever path added the account). A record paying
through the ledger (a visit's 慰问金, `bureau.rules.payments.ledger`) is held the same way, linked to its record.
Held lines count with the ledger: a person is never held or paid twice for a programme and period.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from bureau.base.scoping import ScopedQuerySet


class HeldPaymentQuerySet(ScopedQuerySet):
    def waiting(self):
        """Held and not paid yet."""
        return self.filter(paid_at__isnull=True)


class HeldPayment(models.Model):
    person = models.ForeignKey(
        "bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="held_payments"
    )
    programme = models.ForeignKey(
        "bureau.PaymentProgramme", verbose_name="资金项目", on_delete=models.PROTECT, related_name="held_payments"
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    period = models.CharField("期间", max_length=7, db_index=True)
    paid_on = models.DateField("原定发放日期")
    note = models.CharField("备注", max_length=200, blank=True)
    batch = models.ForeignKey(
        "bureau.PaymentBatch",
        verbose_name="原发放批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_payments",
    )
    # The record whose money this is (a visit's 慰问金), for a payment of `bureau.rules.payments.ledger`.
    content_type = models.ForeignKey(
        ContentType, verbose_name="关联记录类型", on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField("关联记录编号", null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    held_at = models.DateTimeField("暂缓时间", auto_now_add=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payment = models.ForeignKey(
        "bureau.Payment",
        verbose_name="补发记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField("补发时间", null=True, blank=True)

    township_lookup = "person__township"
    objects = HeldPaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = "待补发资金"
        verbose_name_plural = "待补发资金（无在用银行账户）"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme", "period"],
                condition=Q(paid_at__isnull=True),
                name="held_payment_once_per_person_programme_period",
                violation_error_message="该人员在此期间已有待补发的该项目资金，不能重复暂缓。",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(object_id__isnull=False, paid_at__isnull=True),
                name="held_payment_once_per_record",
                violation_error_message="该记录的资金已暂缓待补发，不能重复暂缓。",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="held_payment_record_idx")]

    def __str__(self):
        return f"{self.person} {self.programme} {self.period} {self.amount}元（待补发）"

    @property
    def waiting(self) -> bool:
        return self.paid_at is None
