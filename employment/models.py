"""
Employment and entrepreneurship (section (一) of the annual report): the veterans'
startup park, job fairs, adaptive training, job postings, role models and outcomes.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet, sees_all_townships, township_of
from bureau.models import ActivityRecord, DeclaredDatesMixin, TownshipRecord
from bureau.models.records import TownshipRecordQuerySet


class StartupPark(TownshipRecord):
    name = models.CharField("园区名称", max_length=200)
    founder = models.ForeignKey(
        "bureau.Person", verbose_name="发起人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    founder_title = models.CharField(
        "发起人荣誉称号及职务", max_length=200, blank=True, help_text="如：省模范退役军人、某公司董事长"
    )
    location = models.CharField("园区位置", max_length=200)
    area_mu = models.DecimalField("占地面积（亩）", max_digits=10, decimal_places=2, null=True, blank=True)
    planned_enterprises = models.PositiveIntegerField("计划入驻企业（家）")
    jobs_planned = models.PositiveIntegerField("计划提供就业岗位（个）", null=True, blank=True)
    opened_on = models.DateField("创建日期", null=True, blank=True)
    record_year = ""  # a standing park, not a year's record

    class Meta:
        ordering = ["name"]
        verbose_name = "退役军人创业园"
        verbose_name_plural = "退役军人创业园"

    def __str__(self):
        return self.name

    def tenancies_on(self, day: datetime.date):
        return self.tenancies.active_on(day)


class ParkTenancyQuerySet(ScopedQuerySet):
    def active_on(self, day: datetime.date):
        """Enterprises enrolled on a day: moved in on or before it and not yet moved out."""
        return self.filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day), moved_in_on__lte=day)


class ParkTenancy(models.Model):
    park = models.ForeignKey(StartupPark, verbose_name="创业园", on_delete=models.CASCADE, related_name="tenancies")
    enterprise = models.ForeignKey(
        "bureau.Enterprise", verbose_name="入驻企业", on_delete=models.PROTECT, related_name="park_tenancies"
    )
    moved_in_on = models.DateField("入驻日期")
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    history = HistoricalRecords()

    # Visible to whoever sees the park.
    scope_through = "park"
    township_lookup = "park__township"
    objects = ParkTenancyQuerySet.as_manager()

    class Meta:
        ordering = ["park", "moved_in_on"]
        verbose_name = "入驻企业"
        verbose_name_plural = "入驻企业"
        constraints = [
            models.UniqueConstraint(fields=["park", "enterprise", "moved_in_on"], name="park_tenancy_once"),
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="park_tenancy_dates_ordered",
                violation_error_message="迁出日期不能早于入驻日期。",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise}（{self.moved_in_on:%Y-%m-%d} 入驻）"

    def clean(self):
        if self.moved_out_on and self.moved_in_on and self.moved_out_on < self.moved_in_on:
            raise ValidationError({"moved_out_on": "迁出日期不能早于入驻日期。"})


class JobFairQuerySet(TownshipRecordQuerySet):
    def visible_to(self, user):
        """
        Most fairs are district-wide (no township) and open to the residents of every
        township, so a station sees those as well as its own township's fairs.
        """
        township = township_of(user)
        if sees_all_townships(user) or township is None:
            return super().visible_to(user)
        return self.filter(Q(township=township) | Q(township__isnull=True))

    def open_for_attendance(self, *, today: datetime.date | None = None):
        """Approved fairs held in the last two years: those a station may report its residents attended."""
        today = today or timezone.localdate()
        return self.approved().filter(start_date__gt=today - datetime.timedelta(days=2 * 365), start_date__lte=today)


class JobFair(ActivityRecord):
    """A job fair; `start_date` is its date, `online_views` its live-stream views."""

    dedicated_to_veterans = models.BooleanField("退役军人专场", default=True)
    streamed_online = models.BooleanField("网络同步直播", default=False)
    unnamed_attendees = models.PositiveIntegerField(
        "未登记姓名的参加人数", default=0, help_text="现场未逐一登记身份的退役军人人数。"
    )

    objects = JobFairQuerySet.as_manager()

    class Meta(ActivityRecord.Meta):
        verbose_name = "招聘会"
        verbose_name_plural = "招聘会"


class FairParticipation(models.Model):
    fair = models.ForeignKey(JobFair, verbose_name="招聘会", on_delete=models.CASCADE, related_name="participations")
    enterprise = models.ForeignKey(
        "bureau.Enterprise", verbose_name="参加企业", on_delete=models.PROTECT, related_name="fair_participations"
    )
    positions = models.PositiveIntegerField("提供岗位（个）", default=0)
    history = HistoricalRecords()

    # Visible to whoever sees the fair (district-wide fairs to every station).
    scope_through = "fair"
    township_lookup = "fair__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "参会企业"
        verbose_name_plural = "参会企业"
        constraints = [models.UniqueConstraint(fields=["fair", "enterprise"], name="fair_participation_once")]

    def __str__(self):
        return f"{self.enterprise}（{self.positions} 个岗位）"


class FairAttendance(TownshipRecord):
    """A veteran at a fair; stations submit these for their residents, the bureau approves."""

    fair = models.ForeignKey(JobFair, verbose_name="招聘会", on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(
        "bureau.Person", verbose_name="退役军人", on_delete=models.PROTECT, related_name="fair_attendances"
    )

    township_from = "person"
    record_year = "fair__start_date"  # the year of the fair

    class Meta:
        ordering = ["fair", "person"]
        verbose_name = "招聘会参加人员"
        verbose_name_plural = "招聘会参加人员"
        constraints = [models.UniqueConstraint(fields=["fair", "person"], name="fair_attendance_once")]

    def __str__(self):
        return f"{self.person} @ {self.fair}"

    def clean(self):
        super().clean()
        if self.person_id and not self.person.is_veteran:
            raise ValidationError({"person": f"{self.person.name}不是退役军人，不能登记为招聘会参加人员。"})


class EmploymentIntention(DeclaredDatesMixin, models.Model):
    person = models.ForeignKey(
        "bureau.Person", verbose_name="退役军人", on_delete=models.PROTECT, related_name="employment_intentions"
    )
    enterprise = models.ForeignKey(
        "bureau.Enterprise", verbose_name="意向企业", on_delete=models.PROTECT, related_name="+"
    )
    fair = models.ForeignKey(
        JobFair, verbose_name="招聘会", on_delete=models.PROTECT, null=True, blank=True, related_name="intentions"
    )
    agreed_on = models.DateField("达成日期")
    history = HistoricalRecords()

    event_dates = ("agreed_on",)
    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-agreed_on"]
        verbose_name = "就业意向"
        verbose_name_plural = "就业意向"
        constraints = [models.UniqueConstraint(fields=["person", "enterprise", "agreed_on"], name="intention_once")]

    def __str__(self):
        return f"{self.person} → {self.enterprise}"


class TrainingTopic(models.TextChoices):
    POLITICAL_EDUCATION = "political_education", "思想政治教育"
    LAWS_AND_POLICIES = "laws_and_policies", "法律法规政策"
    EMPLOYMENT_GUIDANCE = "employment_guidance", "就业创业指导"
    PSYCHOLOGICAL_GUIDANCE = "psychological_guidance", "心理引导"
    JOB_SEEKING_SKILLS = "job_seeking_skills", "求职技巧"
    SERVICE_GUIDE = "service_guide", "服务项目指引"


class TrainingClass(ActivityRecord):
    """An adaptive training class (适应性培训) for discharged veterans."""

    topics = models.JSONField("培训内容", default=list, blank=True, help_text="从固定列表中选择。")
    other_topics = models.CharField("其他培训内容", max_length=200, blank=True, help_text="多项用“、”分隔。")

    class Meta(ActivityRecord.Meta):
        verbose_name = "适应性培训班"
        verbose_name_plural = "适应性培训班"

    def clean(self):
        super().clean()
        unknown = [topic for topic in self.topics or [] if topic not in TrainingTopic.values]
        if unknown:
            names = "、".join(map(str, unknown))
            raise ValidationError({"topics": f"未知的培训内容：{names}。"})

    @property
    def topic_labels(self) -> list[str]:
        labels = [TrainingTopic(topic).label for topic in TrainingTopic.values if topic in (self.topics or [])]
        extra = [t.strip() for t in self.other_topics.replace("，", "、").split("、") if t.strip()]
        return labels + extra


class Trainee(models.Model):
    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="trainees"
    )
    person = models.ForeignKey("bureau.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="trainings")
    days_attended = models.PositiveSmallIntegerField("出勤天数", null=True, blank=True)
    history = HistoricalRecords()

    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "学员"
        verbose_name_plural = "学员"
        constraints = [models.UniqueConstraint(fields=["training_class", "person"], name="trainee_once")]

    def __str__(self):
        return str(self.person)

    def clean(self):
        if self.person_id and not self.person.is_discharged_veteran:
            raise ValidationError({"person": f"{self.person.name}不是已退役的退役军人，不能参加适应性培训。"})
        if self.days_attended is not None and self.training_class_id and self.days_attended > self.training_class.days:
            raise ValidationError({"days_attended": "出勤天数不能超过培训天数。"})


class JobPosting(TownshipRecord):
    enterprise = models.ForeignKey(
        "bureau.Enterprise", verbose_name="招聘企业", on_delete=models.PROTECT, related_name="postings"
    )
    positions = models.CharField("招聘岗位", max_length=300)
    position_count = models.PositiveIntegerField("招聘人数")
    channel = models.CharField("发布渠道", max_length=100, help_text="本地新媒体平台名称。")
    published_on = models.DateField("发布日期")
    record_year = "published_on"

    class Meta:
        ordering = ["-published_on"]
        verbose_name = "招聘信息发布"
        verbose_name_plural = "招聘信息发布"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "positions", "published_on"],
                name="job_posting_once",
                violation_error_message="该企业同一天发布的这条招聘信息已登记。",
            )
        ]

    def __str__(self):
        return f"{self.enterprise} {self.positions}"


class RoleModel(TownshipRecord):
    person = models.ForeignKey("bureau.Person", verbose_name="创业典型", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    story = models.TextField("事迹", blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "创业典型"
        verbose_name_plural = "创业典型"
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="role_model_once_a_year")]

    def __str__(self):
        return f"{self.year}年 {self.person}"


class PublicityEvent(ActivityRecord):
    class Kind(models.TextChoices):
        STORY_TALK = "story_talk", "事迹宣讲会"
        EXPERIENCE_FORUM = "experience_forum", "经验交流座谈会"
        PUBLICITY_MONTH = "publicity_month", "宣传月"
        OTHER = "other", "其他"

    kind = models.CharField("形式", max_length=30, choices=Kind.choices)
    role_models = models.ManyToManyField(RoleModel, verbose_name="宣传的创业典型", blank=True, related_name="events")

    class Meta(ActivityRecord.Meta):
        verbose_name = "创业典型宣传活动"
        verbose_name_plural = "创业典型宣传活动"


DUPLICATE_OUTCOME_MESSAGE = "该人员在该单位同一就业日期的就业情况已登记。"


class EmploymentOutcome(TownshipRecord):
    """A veteran who found work, and how; stations submit these for their residents."""

    class Channel(models.TextChoices):
        JOB_FAIR = "job_fair", "招聘会"
        REFERRAL = "referral", "推荐就业"
        SELF_EMPLOYED = "self_employed", "自主创业"
        STARTUP_PARK = "startup_park", "创业园"
        OTHER = "other", "其他"

    person = models.ForeignKey(
        "bureau.Person", verbose_name="退役军人", on_delete=models.PROTECT, related_name="employment_outcomes"
    )
    enterprise = models.ForeignKey(
        "bureau.Enterprise", verbose_name="就业企业", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employer_name = models.CharField("就业单位（未登记企业时填写）", max_length=200, blank=True)
    started_on = models.DateField("就业日期")
    channel = models.CharField("就业渠道", max_length=30, choices=Channel.choices)

    township_from = "person"
    event_dates = ("started_on",)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = "就业情况"
        verbose_name_plural = "就业情况"
        # One outcome per person, employer and start date; the employer is a registered
        # enterprise or, when there is none, the name typed in.
        constraints = [
            models.UniqueConstraint(
                fields=["person", "enterprise", "started_on"],
                condition=Q(enterprise__isnull=False),
                name="employment_outcome_once_per_enterprise",
                violation_error_message=DUPLICATE_OUTCOME_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["person", "employer_name", "started_on"],
                condition=Q(enterprise__isnull=True),
                name="employment_outcome_once_per_employer_name",
                violation_error_message=DUPLICATE_OUTCOME_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.employer}"

    @property
    def employer(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.employer_name

    def clean(self):
        super().clean()
        errors = {}
        if self.person_id and not self.person.is_veteran:
            errors["person"] = f"{self.person.name}不是退役军人，不能登记就业情况。"
        if not self.enterprise_id and not self.employer_name.strip():
            errors["employer_name"] = "请选择就业企业或填写就业单位名称。"
        if errors:
            raise ValidationError(errors)
