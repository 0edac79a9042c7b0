"""The payment ledger: every yuan paid to a person, by every programme of every area."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bureau.areas import area_choices
from bureau.masking import mask_bank_account
from bureau.scoping import ScopedQuerySet

PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def validate_period(value: str) -> None:
    if not PERIOD_RE.match(value or ""):
        raise ValidationError("期间格式应为年度（如 2021）或年月（如 2021-03）。", code="period")


class PaymentProgramme(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "按月"
        ANNUAL = "annual", "按年"
        ONE_OFF = "one_off", "一次性"

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    area = models.CharField("业务领域", max_length=20, choices=area_choices)
    frequency = models.CharField("发放周期", max_length=20, choices=Frequency.choices)
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["area", "code"]
        verbose_name = "资金项目"
        verbose_name_plural = "资金项目"

    def __str__(self):
        return self.name


class PaymentBatch(models.Model):
    programme = models.ForeignKey(PaymentProgramme, verbose_name="资金项目", on_delete=models.PROTECT)
    title = models.CharField("批次名称", max_length=200)
    paid_on = models.DateField("发放日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-paid_on"]
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        # A batch's bank file (a catch-up batch's, a hand batch's) carries whole ID and account numbers.
        permissions = [("export_batch_bank_file", "可导出发放批次的银行代发文件（含完整账号）")]

    def __str__(self):
        return self.title


class PaymentQuerySet(ScopedQuerySet):
    def in_year(self, year: int):
        return self.filter(period__startswith=str(year))

    def of_programme(self, code: str):
        return self.filter(programme__code=code)


class Payment(models.Model):
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="payments")
    programme = models.ForeignKey(
        PaymentProgramme, verbose_name="资金项目", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)])
    period = models.CharField(
        "期间", max_length=7, validators=[validate_period], db_index=True, help_text="年度（2021）或年月（2021-03）。"
    )
    paid_on = models.DateField("发放日期")
    fiscal_share = models.DecimalField("财政负担（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    personal_share = models.DecimalField("个人负担（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    batch = models.ForeignKey(
        PaymentBatch, verbose_name="批次", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    # The account the money went to: the person's account in use when paid (`bureau.held_payments`).
    # Null only for rows written before the rule (a row without an account is held, not written).
    bank_account = models.ForeignKey(
        "bureau.BankAccount",
        verbose_name="收款账户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,  # set by the write paths, never typed
        related_name="payments",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    township_lookup = "person__township"
    objects = PaymentQuerySet.as_manager()

    class Meta:
        # Newest first by own columns with a unique tiebreaker: one index walk, pages never shift
        # (ordering through the person sorted the whole ledger through two joins on every page).
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["-paid_on", "-id"], name="payment_paid_on_id_idx")]
        verbose_name = "资金发放"
        verbose_name_plural = "资金发放台账"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme", "period"],
                name="payment_once_per_person_programme_period",
                violation_error_message="该人员在此期间已领取过该项目资金，不能重复发放。",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message="发放金额必须大于 0。",
            ),
            models.CheckConstraint(
                condition=(Q(fiscal_share__isnull=True) | Q(fiscal_share__gte=0))
                & (Q(personal_share__isnull=True) | Q(personal_share__gte=0)),
                name="payment_shares_not_negative",
                violation_error_message="财政负担和个人负担不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.programme} {self.period} {self.amount}元"

    @property
    def year(self) -> int:
        return int(self.period[:4])

    def clean(self):
        shares = [s for s in (self.fiscal_share, self.personal_share) if s is not None]
        if self.amount and len(shares) == 2 and sum(shares) != self.amount:
            raise ValidationError("财政负担与个人负担之和应等于金额。")
        if any(s < 0 for s in shares):
            raise ValidationError("负担金额不能为负数。")


class BankAccount(models.Model):
    """
    Where a person's money is paid: the bank and account number the payroll's bank file and
    every other payment list carry. The number is personal data: masked everywhere but on the
    account's own page for a role that may see it (`sensitive_fields`). One account is in use
    per person; an old one is kept, not in use, and never overwritten (its history).
    """

    person = models.ForeignKey(
        "bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="bank_accounts"
    )
    bank = models.CharField("开户银行", max_length=100)
    account_number = models.CharField(
        "银行账号",
        max_length=30,
        validators=[RegexValidator(r"^\d{10,30}$", "银行账号应为 10 至 30 位数字。")],
    )
    account_name = models.CharField("户名", max_length=50, help_text="一般为本人姓名；由他人代领时填写代领人姓名。")
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    township_lookup = "person__township"
    sensitive_fields = {"account_number": mask_bank_account}
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-active", "-created_at"]
        verbose_name = "银行账户"
        verbose_name_plural = "银行账户"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(active=True),
                name="bank_account_one_in_use_per_person",
                violation_error_message="该人员已有在用的银行账户；请先将原账户设为不在用。",
            ),
        ]

    def __str__(self):
        return f"{self.bank} {mask_bank_account(self.account_number)}"
