"""
Records of military-civilian support (双拥共建): merit notices (立功送喜报), homecoming (喜迎退役军人回家),
requests of the stationed troops, joint activities, the matchmaking event, the Army Day gala and
the supporting-enterprise alliance (爱心拥军团).

Shared records live in the core: the alliance's enterprises are `bureau.Enterprise`, the soldier's
merit is `bureau.Merit`, the family receiving the notice is a `bureau.FamilyLink` relative, and the
check-ups of military families are `bureau.CheckUpBatch` rounds of population "military_families".
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet, sees_all_townships, township_of
from bureau.models import ActivityRecord, Attachment, DeclaredDatesMixin, FamilyLink, Merit, Person, TownshipRecord
from bureau.models.records import TownshipRecordQuerySet

# --- 立功送喜报 ------------------------------------------------------------------------------------


class MeritNoticeBatch(TownshipRecord):
    """
    One delivery of merit notices (送喜报): the date, who delivered them, with the township station and
    the armed forces department (三级联动). A station's batch is its township's; the bureau's
    district-wide batch (a ceremony for the whole district) has no township.
    """

    delivered_on = models.DateField("送达日期")
    delivered_by = models.CharField("送喜报人员", max_length=200, help_text="区局、服务站参加人员。")
    station_staff = models.CharField("服务站参加人员", max_length=200, blank=True)
    armed_forces_staff = models.CharField("人武部参加人员", max_length=200, blank=True)
    note = models.TextField("备注", blank=True)

    event_dates = ("delivered_on",)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = "送喜报批次"
        verbose_name_plural = "送喜报批次"

    def __str__(self):
        return f"{self.delivered_on:%Y-%m-%d} 送喜报"


class MeritNotice(TownshipRecord):
    """
    A merit notice (喜报) due to the family of an active-duty soldier registered in the district:
    the soldier's merit (third class or higher, `bureau.Merit`), the relative who receives it, and,
    once delivered, its batch and date. Due while `delivered_on` is empty.
    """

    soldier = models.ForeignKey(
        "bureau.Person", verbose_name="立功现役军人", on_delete=models.PROTECT, related_name="merit_notices"
    )
    merit = models.ForeignKey("bureau.Merit", verbose_name="立功受奖", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        "bureau.Person",
        verbose_name="接收喜报的家属",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.CharField("所在部队", max_length=200, blank=True)
    batch = models.ForeignKey(
        MeritNoticeBatch,
        verbose_name="送喜报批次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    # The photo of the delivery: an attachment (files are served only to who may see the record).
    attachments = GenericRelation(Attachment)

    township_from = "soldier"
    event_dates = ("delivered_on",)

    class Meta:
        ordering = ["-merit__year", "soldier", "id"]
        verbose_name = "立功喜报"
        verbose_name_plural = "立功喜报"
        constraints = [
            models.UniqueConstraint(
                fields=["merit"], name="merit_notice_once_per_merit", violation_error_message="该立功已登记喜报。"
            ),
        ]

    def __str__(self):
        return f"{self.soldier} {self.merit}"

    @property
    def delivered(self) -> bool:
        return self.delivered_on is not None

    def clean(self):
        super().clean()
        errors = {}
        if self.soldier_id and self.soldier.status != Person.Status.ACTIVE_DUTY:
            errors["soldier"] = "喜报只送给本区籍现役军人的家庭：该人员不是现役军人。"
        if self.merit_id and self.soldier_id and self.merit.person_id != self.soldier_id:
            errors["merit"] = "所选立功记录不是该现役军人的。"
        elif self.merit_id and self.merit.level not in (
            Merit.Level.HONOUR_TITLE,
            Merit.Level.FIRST_CLASS,
            Merit.Level.SECOND_CLASS,
            Merit.Level.THIRD_CLASS,
        ):
            errors["merit"] = "只为荣立三等功以上的现役军人送喜报。"
        # A link may be recorded from either side ("the soldier is the parent's child" or the other way).
        linked = Q(person_id=self.soldier_id, relative_id=self.recipient_id) | Q(
            person_id=self.recipient_id, relative_id=self.soldier_id
        )
        if self.recipient_id and self.soldier_id and not FamilyLink.objects.filter(linked).exists():
            errors["recipient"] = "接收喜报的应为该现役军人登记在册的家属。"
        if self.batch_id and not self.delivered_on:
            self.delivered_on = self.batch.delivered_on
        if errors:
            raise ValidationError(errors)


# --- 喜迎退役军人回家 ------------------------------------------------------------------------------


class ReceptionPointQuerySet(TownshipRecordQuerySet):
    def visible_to(self, user):
        """The district's points (no township) are every station's to pick from, besides its own township's."""
        township = township_of(user)
        if sees_all_townships(user) or township is None:
            return super().visible_to(user)
        return self.filter(Q(township=township) | Q(township__isnull=True))


class ReceptionPoint(TownshipRecord):
    """A reception point for returning veterans (报到点), e.g. at the railway station, open for a period."""

    name = models.CharField("报到点名称", max_length=100, help_text="如：东站退役军人报到点。")
    address = models.CharField("地址", max_length=200)
    opens_on = models.DateField("启用日期")
    closes_on = models.DateField("撤点日期", null=True, blank=True)

    objects = ReceptionPointQuerySet.as_manager()
    record_year = "opens_on"

    class Meta:
        ordering = ["-opens_on", "name"]
        verbose_name = "退役军人报到点"
        verbose_name_plural = "退役军人报到点"

    def __str__(self):
        return f"{self.name}（{self.opens_on:%Y-%m-%d} 起）"

    def clean(self):
        super().clean()
        if self.closes_on and self.opens_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "撤点日期不能早于启用日期。"})

    def period_bounds(self) -> tuple[datetime.date | None, datetime.date | None]:
        """Open from `opens_on` until `closes_on` (still open: no end); a duty shift falls within it."""
        return self.opens_on, self.closes_on


class DutyShift(DeclaredDatesMixin, models.Model):
    """One day's duty at a reception point (值班表): who is on duty."""

    point = models.ForeignKey(ReceptionPoint, verbose_name="报到点", on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField("值班日期")
    staff = models.CharField("值班人员", max_length=200)
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    dates_within = {"date": "point"}
    scope_through = "point"
    township_lookup = "point__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "point", "id"]
        verbose_name = "报到点值班"
        verbose_name_plural = "报到点值班表"
        constraints = [
            models.UniqueConstraint(
                fields=["point", "date"],
                name="duty_shift_once_per_point_and_day",
                violation_error_message="该报到点当天已排班。",
            ),
        ]

    def __str__(self):
        return f"{self.point.name} {self.date:%Y-%m-%d} {self.staff}"


class HomecomingStep(models.Model):
    """A step of the homecoming checklist (返乡报到流程), configurable: 户籍落户, 社保接续, 医保接续 …"""

    name = models.CharField("事项", max_length=50, unique=True, error_messages={"unique": "该事项已存在。"})
    order = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("在用", default=True, help_text="停用的事项不再计入待办。")
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "返乡报到事项"
        verbose_name_plural = "返乡报到事项"

    def __str__(self):
        return self.name


class HomecomingRegistration(TownshipRecord):
    """A returning veteran's homecoming registration: received at which point, welcomed, and the checklist."""

    person = models.ForeignKey(
        "bureau.Person", verbose_name="返乡退役军人", on_delete=models.PROTECT, related_name="homecomings"
    )
    point = models.ForeignKey(
        ReceptionPoint,
        verbose_name="接站报到点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    received_on = models.DateField("报到日期")
    welcomed = models.BooleanField("已举行欢迎仪式", default=False)
    note = models.TextField("备注", blank=True)

    township_from = "person"
    event_dates = ("received_on",)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "返乡报到登记"
        verbose_name_plural = "返乡报到登记"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                name="homecoming_once_per_person",
                violation_error_message="该退役军人已登记返乡报到。",
            ),
        ]

    def __str__(self):
        return f"{self.person} 返乡报到（{self.received_on:%Y-%m-%d}）"

    def open_steps(self) -> list[HomecomingStep]:
        """The active checklist steps not yet completed for this registration."""
        done = {c.step_id for c in self.completions.all()}
        return [step for step in HomecomingStep.objects.filter(active=True) if step.pk not in done]


class HomecomingStepCompletion(DeclaredDatesMixin, models.Model):
    """One checklist step done for a registration: who completed it and when."""

    registration = models.ForeignKey(
        HomecomingRegistration, verbose_name="返乡报到登记", on_delete=models.CASCADE, related_name="completions"
    )
    step = models.ForeignKey(HomecomingStep, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField("办结日期")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    event_dates = ("done_on",)
    scope_through = "registration"
    township_lookup = "registration__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["registration", "step__order", "id"]
        verbose_name = "返乡报到事项办结"
        verbose_name_plural = "返乡报到事项办结"
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "step"],
                name="homecoming_step_once",
                violation_error_message="该事项已办结。",
            ),
        ]

    def __str__(self):
        return f"{self.step} 已办结（{self.done_on:%Y-%m-%d}）"


# --- 服务驻区部队 ----------------------------------------------------------------------------------


class TroopRequest(TownshipRecord):
    """A request of a stationed unit (部队有所求), the departments coordinated and how it was answered."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        IN_PROGRESS = "in_progress", "办理中"
        RESOLVED = "resolved", "已解决"

    unit = models.CharField("驻区部队", max_length=200)
    request = models.TextField("需求内容")
    received_on = models.DateField("受理日期")
    departments = models.CharField(
        "协调部门", max_length=300, blank=True, help_text="以顿号分隔，如：城管、交通、供电、卫健。"
    )
    teams_sent = models.PositiveSmallIntegerField("派出作业队伍（支）", default=0)
    actions = models.TextField("办理情况", blank=True, help_text="派出的队伍、建设的设施等。")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    summary = models.CharField("一句话摘要", max_length=200, help_text="写入年度报告，如：为驻区部队建设阳光晾衣篷。")

    event_dates = ("received_on", "resolved_on")

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "驻区部队需求"
        verbose_name_plural = "驻区部队需求"

    def __str__(self):
        return f"{self.unit}：{self.summary}"

    @property
    def department_list(self) -> list[str]:
        return [d.strip() for d in self.departments.replace(",", "、").replace("，", "、").split("、") if d.strip()]

    def clean(self):
        super().clean()
        errors = {}
        if self.status == self.Status.RESOLVED and not self.resolved_on:
            errors["resolved_on"] = "需求已解决时须填写解决日期。"
        elif self.status != self.Status.RESOLVED and self.resolved_on:
            errors["resolved_on"] = "需求尚未解决，不能填写解决日期。"
        if self.resolved_on and self.received_on and self.resolved_on < self.received_on:
            errors["resolved_on"] = "解决日期不能早于受理日期。"
        if errors:
            raise ValidationError(errors)


# --- 双拥共建活动与活动 ----------------------------------------------------------------------------


class JointActivity(ActivityRecord):
    """A joint military-civilian activity (共建活动): tree planting, donations, culture to the barracks, galas."""

    class Kind(models.TextChoices):
        TREE_PLANTING = "tree_planting", "军地联合植树"
        DONATION = "donation", "捐赠"
        CULTURE = "culture", "文化进军营"
        FESTIVAL = "festival", "节日联欢"
        OTHER = "other", "其他"

    kind = models.CharField("活动形式", max_length=20, choices=Kind.choices)
    units = models.CharField("参加单位", max_length=300, blank=True)

    class Meta(ActivityRecord.Meta):
        verbose_name = "双拥共建活动"
        verbose_name_plural = "双拥共建活动"


class MatchmakingEvent(ActivityRecord):
    """The online matchmaking event (军地线上相亲联谊会) with a PLA unit."""

    partner_unit = models.CharField("联办部队", max_length=200)
    theme = models.CharField("主题", max_length=200, blank=True)
    women = models.PositiveIntegerField("参加女青年（名）", default=0)
    soldiers = models.PositiveIntegerField("参加单身官兵及退役军人（名）", default=0)
    duration_hours = models.DecimalField(
        "直播时长（小时）", max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    couples = models.PositiveIntegerField("牵手成功（对）", default=0)

    class Meta(ActivityRecord.Meta):
        verbose_name = "军地相亲联谊会"
        verbose_name_plural = "军地相亲联谊会"

    def clean(self):
        super().clean()
        if self.couples and self.couples > min(self.women or 0, self.soldiers or 0):
            raise ValidationError({"couples": "牵手成功的对数不能多于参加的女青年或官兵人数。"})


class ArmyDayGala(ActivityRecord):
    """The Army Day gala (庆祝建军周年文艺晚会): anniversary, audience on site (`headcount`), viewers online."""

    anniversary = models.PositiveSmallIntegerField("建军周年", validators=[MinValueValidator(1)])

    class Meta(ActivityRecord.Meta):
        verbose_name = "建军节文艺晚会"
        verbose_name_plural = "建军节文艺晚会"
        constraints = [
            models.UniqueConstraint(
                fields=["anniversary"], name="army_day_gala_once", violation_error_message="该周年的晚会已登记。"
            ),
        ]

    def clean(self):
        super().clean()
        if self.anniversary and self.start_date and self.anniversary != self.start_date.year - 1927:
            raise ValidationError(
                {"anniversary": f"{self.start_date.year}年是建军{self.start_date.year - 1927}周年，请核对。"}
            )


class GalaProgramme(models.Model):
    """A programme (节目) of the gala, in running order."""

    gala = models.ForeignKey(ArmyDayGala, verbose_name="晚会", on_delete=models.CASCADE, related_name="programmes")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    title = models.CharField("节目名称", max_length=100)
    kind = models.CharField("节目形式", max_length=50, blank=True, help_text="如：合唱、舞蹈、情景剧。")
    performers = models.CharField("表演者", max_length=200, blank=True)
    history = HistoricalRecords()

    scope_through = "gala"
    township_lookup = "gala__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["gala", "order", "id"]
        verbose_name = "晚会节目"
        verbose_name_plural = "晚会节目"

    def __str__(self):
        return f"《{self.title}》"


# --- 爱心拥军团 ------------------------------------------------------------------------------------


class AllianceMemberQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The alliance is public (its page needs no login); in the portal, whoever may view enterprises."""
        if user and user.is_authenticated and user.is_active and user.has_perm("support_army.view_alliancemember"):
            return self
        return self.none()

    def active_on(self, day: datetime.date):
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def public(self):
        """What the public page shows: members still in the alliance today."""
        return self.filter(status=AllianceMember.Status.ACTIVE).select_related("enterprise")


class AllianceMember(models.Model):
    """A member enterprise of the 爱心拥军团 alliance: batch joined, date, the preferential service it offers."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在团"
        LEFT = "left", "已退出"

    enterprise = models.OneToOneField(
        "bureau.Enterprise", verbose_name="会员企业", on_delete=models.PROTECT, related_name="alliance_membership"
    )
    batch_number = models.PositiveSmallIntegerField("加入批次", validators=[MinValueValidator(1)])
    joined_on = models.DateField("加入日期")
    offer = models.TextField(
        "优待服务", help_text="面向现役军人家庭、退役军人及优抚对象的优先、优惠、优待服务（公开展示）。"
    )
    address = models.CharField("服务地址", max_length=200, blank=True, help_text="公开展示。")
    service_phone = models.CharField("服务电话", max_length=30, blank=True, help_text="企业对外服务电话，公开展示。")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField("退出日期", null=True, blank=True)
    history = HistoricalRecords()

    township_lookup = "enterprise__township"
    objects = AllianceMemberQuerySet.as_manager()

    class Meta:
        ordering = ["batch_number", "joined_on", "id"]
        verbose_name = "爱心拥军团成员"
        verbose_name_plural = "爱心拥军团成员"

    def __str__(self):
        return f"{self.enterprise}（第{self.batch_number}批）"

    def clean(self):
        errors = {}
        if self.status == self.Status.LEFT and not self.left_on:
            errors["left_on"] = "已退出的成员须填写退出日期。"
        elif self.status == self.Status.ACTIVE and self.left_on:
            errors["left_on"] = "在团成员不能填写退出日期。"
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = "退出日期不能早于加入日期。"
        if errors:
            raise ValidationError(errors)
