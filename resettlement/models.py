"""
Records of transfer and resettlement (移交安置): the self-employment grant paid per discharge
cohort, social insurance continued for returning veterans, and the government-arranged placement
(政府安排工作) of NCOs by a public selection in score order.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet
from bureau.models import TownshipRecord, VersionedModel
from bureau.validators import UploadValidator

MONEY = {"max_digits": 12, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]

# --- 自主就业金 ------------------------------------------------------------------------------------


class SubsidyStandard(models.Model):
    """
    The self-employment grant (自主就业金) of a discharge year: a base plus an amount per year
    served. A cohort is paid by the standard of its own year, or else of the latest earlier year.
    """

    year = models.PositiveSmallIntegerField(
        "适用退役年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    base_amount = models.DecimalField("基础金额（元）", validators=NOT_NEGATIVE, **MONEY)
    per_year_amount = models.DecimalField("每服役一年（元）", validators=NOT_NEGATIVE, **MONEY)
    document = models.CharField("文件依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "自主就业金标准"
        verbose_name_plural = "自主就业金标准"

    def __str__(self):
        return f"{self.year} 年自主就业金标准（{self.base_amount} 元 + 每年 {self.per_year_amount} 元）"

    def amount(self, years_served: int) -> Decimal:
        return self.base_amount + self.per_year_amount * years_served


class SubsidyRun(models.Model):
    """
    The self-employment grants of one discharge cohort: calculated for every veteran of the year
    discharged to self-employment, reviewed, approved by a second staff member and paid as ledger
    rows of programme 自主就业金 in one batch. One run per cohort: a second one is refused.
    """

    class Status(models.TextChoices):
        CALCULATED = "calculated", "待审批"
        PAID = "paid", "已发放"

    cohort_year = models.PositiveSmallIntegerField(
        "退役年度",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages={"unique": "该退役年度的自主就业金已核算，不能重复核算。"},
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.CALCULATED)
    base_amount = models.DecimalField("基础金额（元）", **MONEY)
    per_year_amount = models.DecimalField("每服役一年（元）", **MONEY)
    persons = models.PositiveIntegerField("人数", default=0)
    total = models.DecimalField("合计（元）", max_digits=14, decimal_places=2, default=Decimal("0"))
    calculated_by = models.ForeignKey("bureau.User", verbose_name="核算人", on_delete=models.PROTECT, related_name="+")
    calculated_at = models.DateTimeField("核算时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        "bureau.User", verbose_name="审批人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    batch = models.OneToOneField(
        "bureau.PaymentBatch",
        verbose_name="发放批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-cohort_year"]
        verbose_name = "自主就业金核算发放"
        verbose_name_plural = "自主就业金核算发放"
        permissions = [("approve_subsidyrun", "可审批自主就业金发放")]

    def __str__(self):
        return f"{self.cohort_year} 年退役士兵自主就业金"


class SubsidyLine(models.Model):
    """One veteran of a cohort's run: years served and the grant by the run's standard."""

    run = models.ForeignKey(SubsidyRun, verbose_name="核算批次", on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    enlisted_on = models.DateField("入伍时间")
    discharged_on = models.DateField("退役时间")
    years_served = models.PositiveSmallIntegerField("服役年限（年）")
    amount = models.DecimalField("金额（元）", **MONEY)

    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["run", "id"]
        verbose_name = "自主就业金明细"
        verbose_name_plural = "自主就业金明细"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person"],
                name="subsidy_line_once_per_person",
                violation_error_message="该人员已在本次核算中。",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.amount} 元"


# --- 社保接续 --------------------------------------------------------------------------------------


class InsuranceContinuation(TownshipRecord):
    """
    Social insurance continued for a returning veteran (pension, medical, unemployment), or the
    staff medical insurance (职工医疗保险) accounted for a retiree: months continued, the personal
    and the fiscal share, and whether it has been paid.
    """

    class Kind(models.TextChoices):
        PENSION = "pension", "养老保险"
        MEDICAL = "medical", "医疗保险"
        UNEMPLOYMENT = "unemployment", "失业保险"
        STAFF_MEDICAL = "staff_medical", "职工医疗保险（退休人员）"

    class State(models.TextChoices):
        ACCOUNTED = "accounted", "已核算"
        PAID = "paid", "已缴费"
        TRANSFERRED = "transferred", "已接续"

    CONTINUATION_KINDS = (Kind.PENSION, Kind.MEDICAL, Kind.UNEMPLOYMENT)

    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("险种", max_length=20, choices=Kind.choices)
    handled_on = models.DateField("办理日期")
    months = models.PositiveSmallIntegerField(
        "接续月数", default=0, validators=[MaxValueValidator(600)], help_text="接续（补缴）的月数。"
    )
    personal_share = models.DecimalField("个人负担（元）", default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    fiscal_share = models.DecimalField("财政负担（元）", default=Decimal("0"), validators=NOT_NEGATIVE, **MONEY)
    state = models.CharField("办理状态", max_length=20, choices=State.choices, default=State.ACCOUNTED)
    notes = models.TextField("备注", blank=True)

    township_from = "person"
    event_dates = ("handled_on",)

    class Meta:
        ordering = ["-handled_on", "-id"]
        verbose_name = "社保接续"
        verbose_name_plural = "社保接续"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "handled_on"],
                name="insurance_continuation_once_per_day",
                violation_error_message="该人员在该日期已有同一险种的办理记录。",
            ),
            models.CheckConstraint(
                condition=Q(personal_share__gte=0) & Q(fiscal_share__gte=0),
                name="insurance_continuation_shares_not_negative",
                violation_error_message="个人负担和财政负担不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}（{self.handled_on}）"

    @property
    def total(self) -> Decimal:
        return (self.personal_share or 0) + (self.fiscal_share or 0)


# --- 政府安排工作：公开选岗 --------------------------------------------------------------------------


class ScoringRule(models.Model):
    """
    The published rule set (量化评分办法) by which candidates for a government-arranged job are
    scored: points per year of service and of service in hard or remote areas, per merit and
    honour, and for the training result. A rule a started session used is never changed.
    """

    name = models.CharField("名称", max_length=100)
    published_on = models.DateField("公布日期")
    document = models.CharField("文件依据", max_length=200, blank=True)
    per_service_year = models.DecimalField("每服役一年（分）", max_digits=6, decimal_places=2, default=Decimal("1"))
    per_hardship_year = models.DecimalField(
        "艰苦边远地区服役每年（分）", max_digits=6, decimal_places=2, default=Decimal("0.5")
    )
    first_class_merit = models.DecimalField("一等功每次（分）", max_digits=6, decimal_places=2, default=Decimal("15"))
    second_class_merit = models.DecimalField("二等功每次（分）", max_digits=6, decimal_places=2, default=Decimal("10"))
    third_class_merit = models.DecimalField("三等功每次（分）", max_digits=6, decimal_places=2, default=Decimal("5"))
    honour = models.DecimalField("优秀士官等荣誉每次（分）", max_digits=6, decimal_places=2, default=Decimal("2"))
    training_excellent = models.DecimalField("培训考核优秀（分）", max_digits=6, decimal_places=2, default=Decimal("3"))
    training_good = models.DecimalField("培训考核良好（分）", max_digits=6, decimal_places=2, default=Decimal("2"))
    training_pass = models.DecimalField("培训考核合格（分）", max_digits=6, decimal_places=2, default=Decimal("1"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on"]
        verbose_name = "量化评分办法"
        verbose_name_plural = "量化评分办法"

    def __str__(self):
        return f"{self.name}（{self.published_on:%Y年%m月%d日}公布）"

    def save(self, *args, **kwargs):
        if self.pk and self.used_in_session():
            raise ValidationError("该评分办法已用于公开选岗，不能修改；如标准调整，请新增一份评分办法。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.used_in_session():
            raise ValidationError("该评分办法已用于公开选岗，不能删除。")
        return super().delete(*args, **kwargs)

    def used_in_session(self) -> bool:
        return self.batches.exclude(state=PlacementBatch.State.PREPARING).exists()


FROZEN_MESSAGE = "公开选岗已开始，候选人名单、岗位和评分不能再修改。"


class PlacementBatch(VersionedModel):
    """
    A year's government-arranged placement: the eligible NCOs, the posts offered and the public
    selection session. Preparing: candidates, posts and scores are edited. Once the session starts
    the ranking is fixed and nothing of the batch changes but the session's own choices.
    """

    class State(models.TextChoices):
        PREPARING = "preparing", "准备中"
        IN_SESSION = "in_session", "选岗进行中"
        CLOSED = "closed", "选岗已结束"

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField("名称", max_length=200)
    rule = models.ForeignKey(ScoringRule, verbose_name="量化评分办法", on_delete=models.PROTECT, related_name="batches")
    session_on = models.DateField("选岗日期", null=True, blank=True)
    venue = models.CharField("选岗地点", max_length=200, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PREPARING, editable=False)
    started_at = models.DateTimeField("开始时间", null=True, blank=True, editable=False)
    started_by = models.ForeignKey(
        "bureau.User",
        verbose_name="主持人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True, editable=False)
    notes = models.TextField("备注", blank=True)
    history = HistoricalRecords()

    # What the session followed: never changed once it started (the notes may still be added to).
    FROZEN_FIELDS = ("year", "title", "rule_id", "session_on", "venue")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = "安排工作选岗批次"
        verbose_name_plural = "安排工作选岗批次"
        permissions = [("run_placement_session", "可主持公开选岗")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "title"],
                name="placement_batch_unique_title",
                violation_error_message="该年度已有同名批次。",
            )
        ]

    def __str__(self):
        return self.full_title

    @property
    def full_title(self) -> str:
        """The title as shown everywhere: the title alone when it names the year, else 「{year}年{title}」."""
        if str(self.year) in self.title:
            return self.title
        return f"{self.year}年{self.title}"

    def save(self, *args, **kwargs):
        self.check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state != self.State.PREPARING:
            raise ValidationError("公开选岗已开始，该批次不能删除。")
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        self.check_not_frozen()

    @property
    def preparing(self) -> bool:
        return self.state == self.State.PREPARING

    def check_not_frozen(self) -> None:
        """A started batch keeps what the session followed (its state changes by the session only)."""
        if not self.pk:
            return
        stored = type(self)._base_manager.filter(pk=self.pk).first()
        frozen = stored is not None and stored.state != self.State.PREPARING
        if frozen and any(getattr(self, name) != getattr(stored, name) for name in self.FROZEN_FIELDS):
            raise ValidationError(FROZEN_MESSAGE)


class FrozenWithBatch(models.Model):
    """A part of a placement batch (a post, a candidate, an adjustment): changed only while it prepares."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_not_frozen()
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        self.check_not_frozen()

    def frozen_batch(self) -> PlacementBatch | None:
        raise NotImplementedError

    def check_not_frozen(self) -> None:
        stored = None if self._state.adding else type(self)._base_manager.filter(pk=self.pk).first()
        for instance in (self, stored):
            batch = instance.frozen_batch() if instance is not None else None
            if batch is not None and batch.state != PlacementBatch.State.PREPARING:
                raise ValidationError(FROZEN_MESSAGE)


class PlacementPosition(FrozenWithBatch):
    """Posts one public institution offers in a batch: its department, whether fully funded, how many."""

    batch = models.ForeignKey(PlacementBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="positions")
    department = models.CharField("主管部门", max_length=100, help_text="如 区委政法委、区自然资源局。")
    institution = models.CharField("事业单位", max_length=100)
    fully_funded = models.BooleanField("全额拨款", default=True)
    title = models.CharField("岗位名称", max_length=100, default="综合管理岗")
    posts = models.PositiveSmallIntegerField(
        "岗位数", default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["batch", "department", "institution", "id"]
        verbose_name = "安置岗位"
        verbose_name_plural = "安置岗位"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "institution", "title"],
                name="placement_position_unique",
                violation_error_message="该批次中该单位已有同名岗位。",
            ),
            models.CheckConstraint(
                condition=Q(posts__gte=1),
                name="placement_position_posts_positive",
                violation_error_message="岗位数至少为 1。",
            ),
        ]

    def __str__(self):
        return f"{self.institution}·{self.title}"

    def frozen_batch(self):
        return self.batch if self.batch_id else None


class PlacementCandidate(FrozenWithBatch):
    """
    An eligible NCO of a batch, with the components of the quantified score. The score is
    computed from the batch's rule and the adjustments; the rank is fixed when the session starts.

    One person, one truth: who may be a candidate, the years of service and the merits are read
    from the registry (`resettlement.eligibility`), never typed here. The registry facts are stored
    on every save while the batch prepares and fixed when the session starts, so that a held session
    shows what it followed. The batch's own facts are the hard-area service and the training result
    (the registry holds neither); any other change to a score is an adjustment with its reason.
    """

    class Eligibility(models.TextChoices):
        TWELVE_YEARS = "twelve_years", "服现役满12年的士官"
        MERIT = "merit", "服现役期间荣获二等功以上奖励"
        WAR_DISABLED = "war_disabled", "因战致残被评定为5级至8级残疾等级"
        MARTYR_CHILD = "martyr_child", "烈士子女"

    class Training(models.TextChoices):
        NONE = "", "未参加"
        PASS = "pass", "合格"
        GOOD = "good", "良好"
        EXCELLENT = "excellent", "优秀"

    # Read from the registry, never typed (`registry_facts`).
    REGISTRY_FACTS = ("service_years", "first_class_merits", "second_class_merits", "third_class_merits", "honours")

    batch = models.ForeignKey(PlacementBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    eligibility = models.CharField(
        "符合条件",
        max_length=20,
        choices=Eligibility.choices,
        help_text="按人员登记核实：军衔、服役年限、立功受奖、优抚类别。",
    )
    service_years = models.DecimalField(
        "服役年限（年）",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        editable=False,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="据人员登记的入伍、退役日期，按满周年计。",
    )
    hardship_years = models.DecimalField(
        "艰苦边远地区服役（年）",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    first_class_merits = models.PositiveSmallIntegerField("一等功（次）", default=0, editable=False)
    second_class_merits = models.PositiveSmallIntegerField("二等功（次）", default=0, editable=False)
    third_class_merits = models.PositiveSmallIntegerField("三等功（次）", default=0, editable=False)
    honours = models.PositiveSmallIntegerField("优秀士官等荣誉（次）", default=0, editable=False)
    training = models.CharField("培训考核", max_length=20, choices=Training.choices, blank=True)
    # Fixed when the session starts: the score and the place in the ranking the session followed.
    score = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True, editable=False)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True, editable=False)
    history = HistoricalRecords()

    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "rank", "id"]
        verbose_name = "选岗候选人"
        verbose_name_plural = "选岗候选人"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "person"],
                name="placement_candidate_once_per_batch",
                violation_error_message="该人员已是本批次的候选人。",
            )
        ]

    def __str__(self):
        return f"{self.person.name}（{self.batch.year}年）" if self.person_id else "候选人"

    def save(self, *args, **kwargs):
        self.take_registry_facts()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.person_id and self.batch_id:
            from resettlement.eligibility import placement_refusals

            if errors := placement_refusals(self):
                raise ValidationError(errors)

    def frozen_batch(self):
        return self.batch if self.batch_id else None

    def take_registry_facts(self) -> None:
        """While the batch prepares, the registry's service years and merits (fixed once the session starts)."""
        if not self.person_id or (self.batch_id and not self.batch.preparing):
            return
        from resettlement.eligibility import registry_facts

        for name, value in registry_facts(self.person).items():
            setattr(self, name, value)

    def differs_from_registry(self) -> dict:
        """The stored registry facts the registry no longer holds: {field: (stored, registry)}."""
        from resettlement.eligibility import registry_facts

        return {
            name: (getattr(self, name), value)
            for name, value in registry_facts(self.person).items()
            if getattr(self, name) != value
        }


class ScoreAdjustment(FrozenWithBatch):
    """A change to a candidate's score, with its reason (a merit found late, a correction)."""

    candidate = models.ForeignKey(
        PlacementCandidate, verbose_name="候选人", on_delete=models.CASCADE, related_name="adjustments"
    )
    points = models.DecimalField("调整分值", max_digits=6, decimal_places=2, help_text="加分填正数，减分填负数。")
    reason = models.CharField("调整原因", max_length=200)
    created_by = models.ForeignKey(
        "bureau.User",
        verbose_name="调整人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("调整时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["candidate", "id"]
        verbose_name = "评分调整"
        verbose_name_plural = "评分调整"
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0), name="score_adjustment_not_zero", violation_error_message="调整分值不能为 0。"
            )
        ]

    def __str__(self):
        return f"{self.points:+} 分：{self.reason}"

    def clean(self):
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "请填写调整原因。"})

    def frozen_batch(self):
        return self.candidate.batch if self.candidate_id else None


def signature_path(instance, filename: str) -> str:
    return f"placement/signatures/{instance.candidate.batch_id}/{filename}"


class PlacementDeferral(models.Model):
    """A candidate who deferred their turn (once): offered the posts left at the end of the session."""

    candidate = models.OneToOneField(
        PlacementCandidate,
        verbose_name="候选人",
        on_delete=models.CASCADE,
        related_name="deferral",
        error_messages={"unique": "该候选人已暂缓过一次，不能再次暂缓。"},
    )
    deferred_at = models.DateTimeField("暂缓时间", auto_now_add=True)
    deferred_by = models.ForeignKey("bureau.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "暂缓选岗"
        verbose_name_plural = "暂缓选岗"

    def __str__(self):
        # The candidate's rank, not their name: a history list shows this without loading the person.
        return f"第{self.candidate.rank or '—'}名候选人暂缓选岗" if self.candidate_id else "暂缓选岗"


class PlacementSelection(VersionedModel):
    """
    A candidate's confirmed choice in the session: the post, when, who confirmed it, and the
    candidate's signature. Afterwards, the unit the veteran reported to and the date.
    """

    candidate = models.OneToOneField(
        PlacementCandidate,
        verbose_name="候选人",
        on_delete=models.PROTECT,
        related_name="selection",
        error_messages={"unique": "该候选人已完成选岗。"},
    )
    position = models.ForeignKey(
        PlacementPosition, verbose_name="所选岗位", on_delete=models.PROTECT, related_name="selections"
    )
    chosen_at = models.DateTimeField("确认时间", auto_now_add=True)
    confirmed_by = models.ForeignKey("bureau.User", verbose_name="确认人", on_delete=models.PROTECT, related_name="+")
    signed = models.BooleanField("本人已签字确认", default=False)
    signature_scan = models.FileField(
        "签字确认扫描件",
        upload_to=signature_path,
        blank=True,
        validators=[UploadValidator(["pdf", "jpg", "jpeg", "png"])],
    )
    reported_unit = models.CharField("报到单位", max_length=100, blank=True)
    reported_on = models.DateField("报到日期", null=True, blank=True)
    history = HistoricalRecords()

    township_lookup = "candidate__person__township"
    # The scan is served at /files/ (bureau.views.protected_file) to those who may view this selection.
    protected_files = ("signature_scan",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["candidate__batch", "chosen_at", "id"]
        verbose_name = "选岗结果"
        verbose_name_plural = "选岗结果"

    def __str__(self):
        return f"第{self.candidate.rank or '—'}名 → {self.position}" if self.candidate_id else "选岗结果"

    def clean(self):
        if self.reported_on and not self.reported_unit:
            raise ValidationError({"reported_unit": "填写报到日期时请同时填写报到单位。"})
