"""Records of preferential care and pensions (优待抚恤)."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet
from bureau.models import ActivityRecord, Attachment, Occasion, PreferentialCategory, TownshipRecord
from bureau.models.background import BackgroundJob, Step
from bureau.models.people import DisabilityGrade
from bureau.rules.payments.ledger import linked_payment_check


class BenefitStandardQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date) -> dict[tuple[str, int | None], Decimal]:
        """{(category, disability grade or None): monthly amount} of the standards in force on `on`."""
        amounts = {}
        for category, grade, amount in (
            self.filter(valid_from__lte=on)
            .order_by("valid_from")
            .values_list("category", "disability_grade", "monthly_amount")
        ):
            amounts[(category, grade)] = amount  # a later standard replaces an earlier one
        return amounts


class BenefitStandard(models.Model):
    """
    The monthly amount of a preferential-care category (and disability grade, where it applies)
    from a date. A new standard is a new row from its date; the earlier one stays, so that any
    month can be paid again by the standard then in force. A standard once in force is never
    changed (the admin offers no change; its history keeps who entered it).
    """

    category = models.CharField("优抚类别", max_length=40, choices=PreferentialCategory.choices)
    disability_grade = models.PositiveSmallIntegerField(
        "伤残等级",
        choices=DisabilityGrade.choices,
        null=True,
        blank=True,
        help_text="仅残疾军人按等级区分；其他类别留空。",
    )
    monthly_amount = models.DecimalField(
        "月标准（元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    valid_from = models.DateField("执行日期", help_text="自该日所在月份起按此标准发放。")
    document = models.CharField("文件依据", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = BenefitStandardQuerySet.as_manager()

    class Meta:
        ordering = ["category", "disability_grade", "-valid_from"]
        verbose_name = "抚恤补助标准"
        verbose_name_plural = "抚恤补助标准"
        constraints = [
            models.UniqueConstraint(
                fields=["category", "valid_from"],
                condition=Q(disability_grade__isnull=True),
                name="benefit_standard_once_per_category_and_date",
                violation_error_message="该类别在该执行日期已有标准。",
            ),
            models.UniqueConstraint(
                fields=["category", "disability_grade", "valid_from"],
                condition=Q(disability_grade__isnull=False),
                name="benefit_standard_once_per_grade_and_date",
                violation_error_message="该类别、该伤残等级在该执行日期已有标准。",
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0),
                name="benefit_standard_amount_positive",
                violation_error_message="月标准必须大于 0。",
            ),
        ]

    def __str__(self):
        grade = f"{self.get_disability_grade_display()}" if self.disability_grade else ""
        return f"{self.get_category_display()}{grade} {self.monthly_amount}元/月（{self.valid_from:%Y-%m-%d} 起）"

    def save(self, *args, **kwargs):
        self._refuse_change_in_force()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_change_in_force()
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.disability_grade and self.category != PreferentialCategory.DISABLED_SOLDIER:
            raise ValidationError({"disability_grade": "只有残疾军人的标准按伤残等级区分。"})
        self._refuse_change_in_force()

    def _refuse_change_in_force(self) -> None:
        """A standard once in force is never changed or deleted: months were paid by it."""
        if self._state.adding or self.pk is None:
            return
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("valid_from", flat=True).first()
        if stored is not None and stored <= timezone.localdate():
            raise ValidationError("该标准已开始执行，不能修改或删除；标准调整请新增一条自新执行日期起的标准。")

    @property
    def in_force(self) -> bool:
        return self.valid_from <= timezone.localdate()


# --- the monthly payroll (按月发放) -------------------------------------------------------------


class PayrollRun(BackgroundJob):
    """
    The periodic pension of one month: generated (who is due how much, and what changed since the
    previous month), approved by a second staff member, then paid (ledger rows in one batch) and
    sent to the bank as a file. Generation and payment run on the worker; `done`/`total` is their
    progress. A run interrupted while paying is paid again from where it stopped: the ledger
    skips whoever was paid already, so nobody is paid twice.
    """

    class Status(models.TextChoices):
        GENERATING = "generating", "生成中"
        GENERATED = "generated", "待审批"
        APPROVED = "approved", "已审批，待发放"
        PAYING = "paying", "发放中"
        PAID = "paid", "已发放"
        FAILED = "failed", "失败"

    period = models.CharField("发放月份", max_length=7, unique=True, help_text="如 2021-03。")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.GENERATING)
    paid_on = models.DateField("发放日期")
    generated_by = models.ForeignKey("bureau.User", verbose_name="生成人", on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        "bureau.User", verbose_name="审批人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    paid_at = models.DateTimeField("发放完成时间", null=True, blank=True)
    batch = models.ForeignKey(
        "bureau.PaymentBatch",
        verbose_name="发放批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    persons = models.PositiveIntegerField("发放人数", default=0)
    total = models.DecimalField("发放总额（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    done = models.PositiveIntegerField("已处理", default=0)
    steps = models.PositiveIntegerField("共需处理", default=0)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # Generation is one transaction (run again from the start); the payment pays part by part and,
    # run again, pays whoever is left (the ledger skips whoever was paid).
    job_steps = {
        Status.GENERATING: Step("pensions.tasks.generate_payroll", requeue_to=Status.GENERATING),
        Status.APPROVED: Step("pensions.tasks.pay_payroll", requeue_to=Status.APPROVED, waiting=True),
        Status.PAYING: Step("pensions.tasks.pay_payroll", requeue_to=Status.APPROVED),
    }

    class Meta:
        ordering = ["-period"]
        verbose_name = "按月发放"
        verbose_name_plural = "按月发放（抚恤补助）"
        permissions = [
            ("approve_payrollrun", "可审批按月发放"),
            ("export_bank_file", "可导出银行代发文件（含完整账号）"),
        ]

    def __str__(self):
        return f"{self.period} 抚恤补助按月发放"

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    def job_give_up(self, message: str) -> None:
        """
        Failed: before approval the month can be generated again; once approved, 继续发放 pays
        whoever is left (pensions.payroll.resume_refusal).
        """
        step = "发放" if self.approved_by_id else "生成"
        self.status, self.error = self.Status.FAILED, f"{step}中断：{message}"
        self.save(update_fields=["status", "error"])

    @property
    def progress(self) -> int:
        """Percent done of the step under way."""
        return 100 if not self.steps else min(100, self.done * 100 // self.steps)


class PayrollLine(models.Model):
    """One person in a month's run: the amount due (none when stopped) and what changed since last month."""

    class Change(models.TextChoices):
        NEW = "new", "新增"
        UNCHANGED = "unchanged", "无变化"
        AMOUNT_CHANGED = "amount_changed", "金额变化"
        STOPPED = "stopped", "停发"

    run = models.ForeignKey(PayrollRun, verbose_name="按月发放", on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("发放类别", max_length=40, choices=PreferentialCategory.choices, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    previous_amount = models.DecimalField("上月金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    change = models.CharField("变化", max_length=20, choices=Change.choices)
    reason = models.CharField("原因", max_length=200, blank=True)

    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["run", "id"]
        verbose_name = "按月发放明细"
        verbose_name_plural = "按月发放明细"
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="payroll_line_once_per_person")]
        indexes = [models.Index(fields=["run", "change"])]

    def __str__(self):
        return f"{self.person} {self.amount or 0}元（{self.get_change_display()}）"


# --- one-off programmes ---------------------------------------------------------------------------


class HardshipAid(TownshipRecord):
    """
    “三难” aid (住房难、医疗难、生活难): an application, approved with an amount or refused; the
    approved amount is paid as a ledger row of the “三难”救助 programme.
    """

    class Kind(models.TextChoices):
        HOUSING = "housing", "住房难"
        MEDICAL = "medical", "医疗难"
        LIVING = "living", "生活难"

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        GRANTED = "granted", "批准"
        REFUSED = "refused", "不予批准"

    person = models.ForeignKey("bureau.Person", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("困难类型", max_length=20, choices=Kind.choices)
    applied_on = models.DateField("申请日期")
    reason = models.TextField("困难情况")
    amount_requested = models.DecimalField(
        "申请金额（元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    decision = models.CharField("审批结果", max_length=20, choices=Decision.choices, default=Decision.PENDING)
    amount_granted = models.DecimalField(
        "批准金额（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    payment = models.OneToOneField(
        "bureau.Payment",
        verbose_name="台账记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # The amount granted is a ledger row of the “三难”救助 programme, kept in step by bureau.rules.payments.ledger.
    ledger_payment = "pensions.services.hardship_aid_payment"

    township_from = "person"
    event_dates = ("applied_on", "decided_on")
    # The application is the station's; whether and how much is granted is the bureau's.
    bureau_decided_fields = ("decision", "amount_granted", "decided_on")

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = "“三难”救助"
        verbose_name_plural = "“三难”救助"

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}（{self.applied_on:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        errors = {}
        if self.decision == self.Decision.GRANTED:
            if not self.amount_granted:
                errors["amount_granted"] = "批准时须填写批准金额。"
            if not self.decided_on:
                errors["decided_on"] = "批准时须填写审批日期。"
        elif self.amount_granted:
            errors["amount_granted"] = "未批准的申请不能填写批准金额。"
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            errors["decided_on"] = "审批日期不能早于申请日期。"
        if errors:
            raise ValidationError(errors)
        linked_payment_check(self)


class ConscriptBenefit(TownshipRecord):
    """
    The yearly benefit of a conscript's family (义务兵家庭优待金) by the conscript's enlistment year,
    with the supplement for service in Tibet or Xinjiang; `back_pay` marks an earlier year paid now.
    """

    class Region(models.TextChoices):
        INLAND = "inland", "内地"
        TIBET = "tibet", "西藏"
        XINJIANG = "xinjiang", "新疆"

    family = models.ForeignKey(
        "bureau.Person", verbose_name="领取人（义务兵家属）", on_delete=models.PROTECT, related_name="+"
    )
    conscript_name = models.CharField("义务兵姓名", max_length=50)
    enlistment_year = models.PositiveSmallIntegerField("入伍年度")
    benefit_year = models.PositiveSmallIntegerField("优待年度")
    region = models.CharField("服役地区", max_length=20, choices=Region.choices, default=Region.INLAND)
    amount = models.DecimalField(
        "优待金（元）", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    supplement = models.DecimalField(
        "西藏、新疆补助（元）", max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    back_pay = models.BooleanField("补发", default=False)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    payment = models.OneToOneField(
        "bureau.Payment",
        verbose_name="台账记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # A paid allowance is a ledger row of the 义务兵家庭优待金 programme, kept in step by bureau.rules.payments.ledger.
    ledger_payment = "pensions.services.conscript_benefit_payment"

    township_from = "family"
    record_year = "benefit_year"

    class Meta:
        ordering = ["-benefit_year", "family"]
        verbose_name = "义务兵家庭优待金"
        verbose_name_plural = "义务兵家庭优待金"
        constraints = [
            models.UniqueConstraint(
                fields=["family", "benefit_year"],
                name="conscript_benefit_once_a_year",
                violation_error_message="该家属本年度已登记优待金。",
            ),
        ]

    def __str__(self):
        return f"{self.family} {self.benefit_year}年优待金"

    @property
    def total(self) -> Decimal:
        return (self.amount or Decimal("0")) + (self.supplement or Decimal("0"))

    def clean(self):
        super().clean()
        errors = {}
        if self.region == self.Region.INLAND and self.supplement:
            errors["supplement"] = "仅在西藏、新疆服役的义务兵家属享受补助。"
        if self.enlistment_year and self.benefit_year and self.benefit_year < self.enlistment_year:
            errors["benefit_year"] = "优待年度不能早于入伍年度。"
        if errors:
            raise ValidationError(errors)
        linked_payment_check(self)


# --- problems collected (困难问题) --------------------------------------------------------------

# A problem is to be solved within PROBLEM_DAYS days of its report unless the bureau sets another
# deadline (Problem.due_on); one still open after it is late on the station's to-do list (pensions.todo).
PROBLEM_DAYS = 30


def problem_due_on(reported_on: datetime.date) -> datetime.date:
    return reported_on + datetime.timedelta(days=PROBLEM_DAYS)


class Problem(TownshipRecord):
    """A difficulty a person reported (on a visit, by phone, by petition), followed until resolved."""

    class Source(models.TextChoices):
        VISIT = "visit", "走访收集"
        PHONE = "phone", "电话反映"
        PETITION = "petition", "来信来访"

    class Kind(models.TextChoices):
        LIVING = "living", "生活困难"
        MEDICAL = "medical", "医疗"
        HOUSING = "housing", "住房"
        EMPLOYMENT = "employment", "就业"
        POLICY = "policy", "政策咨询"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        IN_PROGRESS = "in_progress", "处理中"
        RESOLVED = "resolved", "已解决"
        CLOSED = "closed", "已办结"

    SOLVED = (State.RESOLVED, State.CLOSED)

    person = models.ForeignKey(
        "bureau.Person", verbose_name="反映人", on_delete=models.PROTECT, related_name="problems"
    )
    kind = models.CharField("问题类型", max_length=20, choices=Kind.choices)
    description = models.TextField("问题描述")
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    visit = models.ForeignKey(
        "bureau.Visit",
        verbose_name="收集于走访",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    reported_on = models.DateField("反映日期")
    assignee = models.CharField("承办人（单位）", max_length=100, blank=True)
    state = models.CharField("办理状态", max_length=20, choices=State.choices, default=State.OPEN)
    resolution = models.TextField("办理结果", blank=True)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    supervised = models.BooleanField("督办", default=False)
    due_on = models.DateField(
        "办理期限",
        null=True,
        blank=True,
        help_text=f"留空时按反映日期后 {PROBLEM_DAYS} 天计；区局可调整。逾期未解决的问题列入服务站待办。",
    )

    township_from = "person"
    event_dates = ("reported_on", "resolved_on")
    # Supervision (督办) is the bureau's call on a problem, not the station's. So is the deadline
    # (due_on), which no station path offers (form, API, import); it is not declared here, as the
    # default a save gives a station's new problem would make its submission one the bureau "decided".
    bureau_decided_fields = ("supervised",)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = "困难问题"
        verbose_name_plural = "困难问题"

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}（{self.get_state_display()}）"

    @property
    def solved(self) -> bool:
        return self.state in self.SOLVED

    def save(self, *args, **kwargs):
        # Every path (station form, admin, API, import) gets the default deadline the same way.
        if self.due_on is None and self.reported_on:
            self.due_on = problem_due_on(self.reported_on)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "due_on"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.source == self.Source.VISIT and not self.visit_id:
            errors["visit"] = "来源为走访收集时，须选择收集该问题的走访记录。"
        if self.visit_id and self.person_id and self.visit.person_id != self.person_id:
            errors["visit"] = "所选走访记录的走访对象不是该反映人。"
        if self.state in self.SOLVED:
            if not self.resolution.strip():
                errors["resolution"] = "问题解决或办结时须填写办理结果。"
            if not self.resolved_on:
                errors["resolved_on"] = "问题解决或办结时须填写解决日期。"
        elif self.resolved_on:
            errors["resolved_on"] = "问题尚未解决，不能填写解决日期。"
        if self.resolved_on and self.reported_on and self.resolved_on < self.reported_on:
            errors["resolved_on"] = "解决日期不能早于反映日期。"
        if self.due_on and self.reported_on and self.due_on < self.reported_on:
            errors["due_on"] = "办理期限不能早于反映日期。"
        if errors:
            raise ValidationError(errors)


# --- oral history (口述历史) --------------------------------------------------------------------


class War(models.TextChoices):
    KOREAN = "korean", "抗美援朝"
    LIBERATION = "liberation", "解放战争"
    VIETNAM = "vietnam", "对越自卫反击战"
    OTHER = "other", "其他"


# The preferential-care category that marks a war's veterans in the registry.
WAR_CATEGORIES = {War.KOREAN: PreferentialCategory.KOREAN_WAR_VETERAN}


class OralHistoryInterview(TownshipRecord):
    """A filmed interview of a war veteran: when, by whom, how long, the video (file or intranet link), consent."""

    person = models.ForeignKey(
        "bureau.Person", verbose_name="受访老兵", on_delete=models.PROTECT, related_name="oral_history_interviews"
    )
    war = models.CharField("参战经历", max_length=20, choices=War.choices, default=War.KOREAN)
    interviewed_on = models.DateField("拍摄日期")
    interviewer = models.CharField("采访人", max_length=100)
    duration_minutes = models.PositiveIntegerField("时长（分钟）", validators=[MinValueValidator(1)])
    video_link = models.URLField(
        "内网视频地址", blank=True, help_text="视频较大时存于内网视频服务器，填写地址；也可作为附件上传。"
    )
    consent_recorded = models.BooleanField("已取得本人（或监护人）同意", default=False)
    attachments = GenericRelation(Attachment)

    township_from = "person"
    event_dates = ("interviewed_on",)

    class Meta:
        ordering = ["-interviewed_on", "-id"]
        verbose_name = "口述历史拍摄"
        verbose_name_plural = "口述历史拍摄"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "war", "interviewed_on"],
                name="oral_history_interview_once_a_day",
                violation_error_message="该老兵在这一天已有拍摄记录。",
            ),
        ]

    def __str__(self):
        return f"{self.person}（{self.interviewed_on:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        if not self.consent_recorded:
            raise ValidationError({"consent_recorded": "拍摄口述历史须取得本人（或监护人）同意并记录。"})


class OralHistoryExhibition(ActivityRecord):
    """A showing of the oral-history films at a school or in a community (红色展陈宣讲)."""

    class Venue(models.TextChoices):
        SCHOOL = "school", "校园"
        COMMUNITY = "community", "社区"

    venue_kind = models.CharField("场所类型", max_length=20, choices=Venue.choices)

    class Meta(ActivityRecord.Meta):
        verbose_name = "口述历史展陈宣讲"
        verbose_name_plural = "口述历史展陈宣讲"


# --- visiting rounds (走访慰问轮次) -------------------------------------------------------------


class VisitRound(models.Model):
    """
    A visiting round the bureau decides (「2027年元旦春节走访慰问」): the occasion, the days it runs and
    the preferential-care categories it is for. Every person of a station's township holding one of
    them while present in the district during the round is due a visit of that occasion within its
    days (pensions.todo.visits_due). District-wide: stations read it, the bureau keeps it.
    """

    title = models.CharField("轮次名称", max_length=100, unique=True, help_text="如“2027年元旦春节走访慰问”。")
    occasion = models.CharField("走访事由", max_length=30, choices=Occasion.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期", help_text="截止日期后仍未走访的对象列为逾期。")
    # Category codes (PreferentialCategory), picked from the fixed list: the core keeps them as choices.
    categories = models.JSONField("走访对象类别", default=list, help_text="从固定列表中选择。")
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = "走访慰问轮次"
        verbose_name_plural = "走访慰问轮次"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="visit_round_dates_ordered",
                violation_error_message="截止日期不能早于开始日期。",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "截止日期不能早于开始日期。"
        unknown = [code for code in self.categories or [] if code not in PreferentialCategory.values]
        if unknown:
            errors["categories"] = f"未知的优抚类别：{'、'.join(map(str, unknown))}。"
        if errors:
            raise ValidationError(errors)

    def is_open(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def category_labels(self) -> list[str]:
        return [PreferentialCategory(code).label for code in PreferentialCategory.values if code in self.categories]
