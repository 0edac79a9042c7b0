"""The payment ledger: every yuan paid to a person, by every programme of every area."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, NullIf, Substr
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.areas import area_choices
from bureau.base.masking import mask_bank_account
from bureau.base.scoping import ScopedQuerySet
from bureau.models.closing import closed_year_check

PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
# Spellings staff type for a period: 2026-3, 2026/03, 2026.3, 2026年3月, 202603, 2026, 2026年(度).
_YEAR_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_YEAR_MONTH_RE = re.compile(r"^(\d{4})(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})\s*(年度?)?$")


def validate_period(value: str) -> None:
    """The stored shapes (year or year-month); which one a programme takes is `period_normalise`'s rule."""
    if not PERIOD_RE.match(value or ""):
        raise ValidationError("期间格式应为年度（如 2021）或年月（如 2021-03）。", code="period")


def period_parse(raw) -> tuple[int, int | None] | None:
    """(year, month or None) of a period as staff type it; None when empty; ValueError when unreadable."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if not text:
        return None
    for pattern in (_YEAR_MONTH_RE, _COMPACT_YEAR_MONTH_RE):
        if match := pattern.match(text):
            year, month = int(match[1]), int(match[2])
            if 1900 <= year <= 2100 and 1 <= month <= 12:
                return year, month
            raise ValueError(text)
    if match := _YEAR_RE.match(text):
        year = int(match[1])
        if 1900 <= year <= 2100:
            return year, None
    raise ValueError(text)


def period_display(period: str) -> str:
    """`2021` -> `2021 年`, `2026-03` -> `2026 年 3 月`, `` -> `` (a once-per-person payment)."""
    if not period:
        return ""
    if len(period) == 7:
        return f"{period[:4]} 年 {int(period[5:])} 月"
    return f"{period} 年"


def period_normalise(*, programme: "PaymentProgramme", raw) -> str:
    """
    The canonical period of a payment of `programme`, from what staff typed: monthly and
    per-occasion programmes take a month (`2026-03`), annual ones a year (`2026`), a programme
    paid once per person none (``). Common spellings are read (2026-3, 2026年3月, 202603,
    2026年); the wrong shape for the programme's frequency is refused in Chinese, so one
    person cannot be paid twice for one period by writing it two ways (春节慰问金 for 2026,
    2026-01 and 2026-02: only `2026` is a period of an annual programme).
    """
    try:
        parsed = period_parse(raw)
    except ValueError:
        raise ValidationError(
            f"期间“{str(raw).strip()}”无法识别，应为年度（如 2026）或年月（如 2026-03）。", code="period"
        ) from None
    frequency = programme.frequency
    Frequency = PaymentProgramme.Frequency
    year = parsed[0] if parsed else timezone.localdate().year
    if frequency == Frequency.ONCE:
        if parsed is not None:
            raise ValidationError(f"“{programme.name}”每人只发放一次，不分期间，期间应留空。", code="period")
        return ""
    if frequency == Frequency.ANNUAL:
        if parsed is None or parsed[1] is not None:
            raise ValidationError(f"“{programme.name}”按年发放，期间应为年度，如 {year}。", code="period")
        return str(year)
    if parsed is None or parsed[1] is None:
        month = timezone.localdate().month if parsed is None else 1
        how = "按月发放" if frequency == Frequency.MONTHLY else "按次发放（期间为发放所在月份）"
        raise ValidationError(f"“{programme.name}”{how}，期间应为年月，如 {year}-{month:02d}。", code="period")
    return f"{parsed[0]}-{parsed[1]:02d}"


def period_keyed(*, programme: "PaymentProgramme", period: str) -> str:
    """
    A record's period (the month of its occasion, or its year) as the programme keys its payments:
    a visit in 2026-01 paying an annual programme pays its 2026, a once-per-person programme has
    no period. A record says when; the programme says which period that is.
    """
    try:
        parsed = period_parse(period)
    except ValueError:
        return period
    Frequency = PaymentProgramme.Frequency
    if programme.frequency == Frequency.ONCE:
        return ""
    if parsed is None:
        return ""
    if programme.frequency == Frequency.ANNUAL:
        return str(parsed[0])
    return f"{parsed[0]}-{parsed[1]:02d}" if parsed[1] else period


def run_only_refusal(programme: "PaymentProgramme") -> str:
    return f"“{programme.name}”只能通过核算发放批次发放。"


def overlapping_periods(raw, *, field: str = "period") -> Q:
    """
    The stored periods a payment for `raw` would repeat, however either was written: a month
    repeats its month and its year (a yearly payment covers the month), a year every period of
    the year, no period every payment of the programme. Unreadable: nothing.
    """
    try:
        parsed = period_parse(raw)
    except ValueError:
        return Q(pk__in=[])
    if parsed is None:
        return Q()
    year, month = parsed
    if month is None:
        return Q(**{f"{field}__startswith": str(year)})
    return Q(**{f"{field}__in": [f"{year}-{month:02d}", str(year)]})


def earlier_payments(*, programme: "PaymentProgramme", person_ids, raw, exclude_pk=None) -> list["Payment"]:
    """Payments of `programme` to these people that a payment for the period `raw` would repeat (by person)."""
    rows = Payment.objects.filter(overlapping_periods(raw), programme=programme, person_id__in=list(person_ids))
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.select_related("person", "programme", "batch").order_by("person_id", "paid_on", "pk"))


class PaymentProgramme(models.Model):
    """
    A programme (资金项目) declares the ledger's rule for its payments:

    - `frequency`: how often one person is paid, which is the shape of a payment's period
      (`period_normalise`): 按月 (`2026-03`), 按年 (`2026`; the self-employment grant's year is
      the discharge cohort's), 一次性 (once per person: the period is empty) and 按次 (per
      occasion: a visit's 慰问金, a “三难” grant). A per-occasion payment's period is the month of
      the occasion (`2026-03`), the key the linked records (`bureau.rules.payments.ledger.PaymentSpec`) have always
      written and the reports count by year: one payment per person and programme a month.
    - `paid_by_run`: paid only by its run (the monthly payroll, the cohort's grant), which has its
      own two-person steps; nobody pays it by hand (批量发放, the add form, an import).
    """

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "按月"
        ANNUAL = "annual", "按年"
        ONCE = "once", "一次性"
        PER_OCCASION = "per_occasion", "按次"

    code = models.SlugField("代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    area = models.CharField("业务领域", max_length=20, choices=area_choices)
    frequency = models.CharField("发放周期", max_length=20, choices=Frequency.choices)
    paid_by_run = models.BooleanField(
        "仅由核算发放",
        default=False,
        help_text="按月发放的定期抚恤补助、自主就业金等只能由核算发放批次发放，不能手工发放。",
    )
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
        # The stored year, not `period LIKE '2021%'`: an index serves it, and an empty period (paid
        # once per person) has no year, so it is in none, as before.
        return self.filter(period_year=year)

    def of_programme(self, code: str):
        # By the programme's id, read first: the planner then knows how few rows a programme of the
        # year has and walks the (year, programme) index; joined by code, it scanned the whole year.
        return self.filter(programme_id=PaymentProgramme.objects.filter(code=code).values_list("pk", flat=True).first())


class Payment(models.Model):
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="payments")
    programme = models.ForeignKey(
        PaymentProgramme, verbose_name="资金项目", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0.01)])
    period = models.CharField(
        "期间",
        max_length=7,
        blank=True,
        validators=[validate_period],
        db_index=True,
        help_text="按年发放的为年度（2021），按月、按次发放的为年月（2021-03），一次性发放的留空。",
    )
    # The period's year (2021 of `2021` and of `2021-03`; NULL for an empty period), computed by the
    # database from `period` on every write (admin, import, payroll's bulk rows, raw SQL): the reports
    # range and aggregate over it with an index, which a LIKE on the period cannot use.
    period_year = models.GeneratedField(
        expression=Cast(NullIf(Substr("period", 1, 4), models.Value("")), models.IntegerField()),
        output_field=models.IntegerField("期间年度", null=True),
        db_persist=True,
        verbose_name="期间年度",
    )
    paid_on = models.DateField("发放日期")
    fiscal_share = models.DecimalField("财政负担（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    personal_share = models.DecimalField("个人负担（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    batch = models.ForeignKey(
        PaymentBatch, verbose_name="批次", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    # The account the money went to: the person's account in use when paid (`bureau.rules.payments.held`).
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
    # The history has the generated year too, computed from its own period (an excluded field would
    # cost a query per history row to rebuild the record).
    history = HistoricalRecords()

    township_lookup = "person__township"
    record_year = "period"  # a payment of a closed year is locked with it (`bureau.rules.closing`)
    objects = PaymentQuerySet.as_manager()

    class Meta:
        # Newest first by own columns with a unique tiebreaker: one index walk, pages never shift
        # (ordering through the person sorted the whole ledger through two joins on every page).
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["-paid_on", "-id"], name="payment_paid_on_id_idx"),
            # The ledger list filtered by 期间 (`?period=2021-03`), newest first: one index walk, not a sort.
            models.Index(fields=["period", "-paid_on", "-id"], name="payment_period_paid_on_id_idx"),
            # The report's aggregates of a year (SUM(amount), COUNT(DISTINCT person) by programme):
            # with the columns they read included, PostgreSQL answers them from the index alone.
            models.Index(
                fields=["period_year", "programme"],
                include=["amount", "person"],
                name="payment_year_programme_idx",
            ),
        ]
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

    def save(self, *args, **kwargs):
        closed_year_check(self)  # the last line of defence of a closed year
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        closed_year_check(self)
        return super().delete(*args, **kwargs)

    @property
    def year(self) -> int:
        # A once-per-person payment has no period: the year it was paid.
        return int(self.period[:4]) if self.period else self.paid_on.year

    def already_paid_message(self, *, name: str | None = None) -> str:
        """The refusal of a second payment, naming this (the earlier) one (`name`: the person as shown, e.g. masked)."""
        batch = f"（批次“{self.batch.title}”）" if self.batch_id else ""
        period = period_display(self.period)
        return (
            f"{self.person.name if name is None else name} 已于 {self.paid_on:%Y-%m-%d} 领取“{self.programme.name}”"
            f"{period + ' ' if period else ''}{self.amount} 元{batch}，不能重复发放。"
        )

    def clean_fields(self, exclude=None):
        # The period is read by the programme's rule before the field's own check of the stored shape.
        exclude = set(exclude or ())
        if self.programme_id is not None and "period" not in exclude:
            try:
                self.period = period_normalise(programme=self.programme, raw=self.period)
            except ValidationError:
                exclude.add("period")  # said by clean(), with the payment it would repeat
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.programme_id is not None:
            programme = self.programme
            # A new row by hand; a run (`by_run`) and the rows a record pays check their own way.
            if programme.paid_by_run and self._state.adding and not getattr(self, "by_run", False):
                errors["programme"] = [run_only_refusal(programme)]
            try:
                self.period = period_normalise(programme=programme, raw=self.period)
            except ValidationError as error:
                errors["period"] = error.messages
            if self.person_id:
                earlier = earlier_payments(
                    programme=programme, person_ids=[self.person_id], raw=self.period, exclude_pk=self.pk
                )
                if earlier:
                    errors[NON_FIELD_ERRORS] = [earlier[0].already_paid_message()]
        shares = [s for s in (self.fiscal_share, self.personal_share) if s is not None]
        if self.amount and len(shares) == 2 and sum(shares) != self.amount:
            errors.setdefault(NON_FIELD_ERRORS, []).append("财政负担与个人负担之和应等于金额。")
        if any(s < 0 for s in shares):
            errors.setdefault(NON_FIELD_ERRORS, []).append("负担金额不能为负数。")
        try:
            closed_year_check(self)
        except ValidationError as error:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)


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
