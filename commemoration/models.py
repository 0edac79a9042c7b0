"""
Records of commemoration (褒扬纪念): martyr memorial facilities, their inspections and upgrade
projects, martyrs (a deceased `bureau.Person` with martyr details) with their relics and stories,
honour selections (选树典型) and their nominees, ceremonies (公祭 / 清明祭英烈), and the public online
memorial's campaigns and tributes (flowers and messages, the messages moderated).

Shared records live in the core: the martyrs' families are `bureau.FamilyLink` relatives, their
visits are `bureau.Visit` rows of area "commemoration" (慰问金 through the ledger) and their children's
check-ups are `bureau.CheckUpBatch` rounds of population "martyr_children".
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet
from bureau.models import ActivityRecord, Attachment, DeclaredDatesMixin, FamilyLink, Person, TownshipRecord
from bureau.validators import UploadValidator, has_visible_text
from commemoration.moderation import contact_flag

#: The first Martyrs' Day (烈士纪念日, 30 September) was held in 2014.
FIRST_MARTYRS_DAY_YEAR = 2014
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png"]


class ProtectionLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    DISTRICT = "district", "区级"
    UNRATED = "unrated", "未定级"


def memorial_photo_path(instance, filename: str) -> str:
    return f"memorial/{timezone.now():%Y/%m}/{filename}"


# --- 烈士纪念设施 ----------------------------------------------------------------------------------


class MemorialFacility(TownshipRecord):
    """A martyr memorial facility (烈士纪念设施) under the protection centre, in the township where it stands."""

    class Kind(models.TextChoices):
        TOWER = "tower", "纪念塔"
        MONUMENT = "monument", "纪念碑"
        SQUARE = "square", "纪念广场"
        CEMETERY = "cemetery", "陵园"
        HALL = "hall", "纪念馆"
        GRAVE = "grave", "零散墓"
        OTHER = "other", "其他"

    class Condition(models.TextChoices):
        GOOD = "good", "完好"
        FAIR = "fair", "一般"
        DAMAGED = "damaged", "损坏待修"

    name = models.CharField("设施名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    protection_level = models.CharField(
        "保护级别", max_length=20, choices=ProtectionLevel.choices, default=ProtectionLevel.UNRATED
    )
    address = models.CharField("位置", max_length=200)
    latitude = models.DecimalField(
        "纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    managing_unit = models.CharField("管理单位", max_length=100, default="区烈士纪念设施保护中心")
    condition = models.CharField("设施状况", max_length=20, choices=Condition.choices, default=Condition.GOOD)
    note = models.TextField("备注", blank=True)
    attachments = GenericRelation(Attachment)
    record_year = ""  # a standing facility, not a year's record

    class Meta:
        ordering = ["name"]
        verbose_name = "烈士纪念设施"
        verbose_name_plural = "烈士纪念设施"
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="memorial_facility_name_unique", violation_error_message="该设施已登记。"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "经度和纬度须同时填写或同时留空。"})


class FacilityInspection(TownshipRecord):
    """An inspection of a facility (巡查): date, inspector, findings, photos (attachments), follow-up."""

    facility = models.ForeignKey(
        MemorialFacility, verbose_name="纪念设施", on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_on = models.DateField("巡查日期")
    inspector = models.CharField("巡查人", max_length=100)
    findings = models.TextField("发现问题", blank=True, help_text="未发现问题可留空。")
    follow_up = models.TextField("整改情况", blank=True)
    attachments = GenericRelation(Attachment)

    township_from = "facility"
    event_dates = ("inspected_on",)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = "纪念设施巡查"
        verbose_name_plural = "纪念设施巡查"

    def __str__(self):
        return f"{self.facility} 巡查（{self.inspected_on:%Y-%m-%d}）"


class UpgradeProject(TownshipRecord):
    """An upgrade project (提升改造) of one or more facilities: investment, funding, the level applied for."""

    class Status(models.TextChoices):
        PLANNED = "planned", "规划中"
        IN_PROGRESS = "in_progress", "施工中"
        COMPLETED = "completed", "已完工"

    title = models.CharField("项目名称", max_length=200)
    facilities = models.ManyToManyField(MemorialFacility, verbose_name="改造设施", related_name="upgrade_projects")
    planned_investment = models.DecimalField(
        "计划投资（元）", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    funding_source = models.CharField("资金来源", max_length=200, blank=True)
    target_level = models.CharField(
        "申报级别", max_length=20, choices=ProtectionLevel.choices, blank=True, help_text="如：申请省级烈士纪念设施。"
    )
    planned_on = models.DateField("立项日期")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    milestones = models.TextField("进度节点", blank=True, help_text="每行一个节点，如：2021-06 完成设计方案。")
    actual_spend = models.DecimalField(
        "实际支出（元）", max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    completed_on = models.DateField("完工日期", null=True, blank=True)
    record_year = "planned_on"

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = "纪念设施提升改造项目"
        verbose_name_plural = "纪念设施提升改造项目"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.status == self.Status.COMPLETED and not self.completed_on:
            errors["completed_on"] = "已完工的项目须填写完工日期。"
        if self.completed_on and self.planned_on and self.completed_on < self.planned_on:
            errors["completed_on"] = "完工日期不能早于立项日期。"
        if errors:
            raise ValidationError(errors)


# --- 烈士 ------------------------------------------------------------------------------------------


class MartyrQuerySet(ScopedQuerySet):
    def published(self):
        """Martyrs the public memorial shows: the family consented to publication."""
        return self.filter(publication_consent=True, person__status=Person.Status.DECEASED)


class Martyr(DeclaredDatesMixin, models.Model):
    """The martyr details of a deceased person (烈士): sacrifice, recognition, resting place, publication."""

    person = models.OneToOneField(
        "bureau.Person", verbose_name="烈士", on_delete=models.PROTECT, related_name="martyr_record"
    )
    sacrificed_on = models.DateField("牺牲日期")
    sacrifice_place = models.CharField("牺牲地点", max_length=200, blank=True)
    unit = models.CharField("生前所在单位", max_length=200, blank=True)
    deeds = models.TextField("英雄事迹", help_text="公开展示（经家属同意公开的）。")
    recognised_on = models.DateField("评定日期", null=True, blank=True)
    recognition_document = models.CharField("批准文号", max_length=100, blank=True)
    resting_facility = models.ForeignKey(
        MemorialFacility,
        verbose_name="安葬（纪念）设施",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="martyrs",
    )
    publication_consent = models.BooleanField(
        "家属同意网上公开", default=False, help_text="勾选后，烈士的姓名、生卒年、事迹和照片在网上纪念馆公开展示。"
    )
    consent_note = models.CharField("同意公开情况", max_length=200, blank=True, help_text="如：烈士之子某某书面同意。")
    photo = models.FileField(
        "遗像", upload_to=memorial_photo_path, blank=True, validators=[UploadValidator(PHOTO_EXTENSIONS)]
    )
    history = HistoricalRecords()

    event_dates = ("sacrificed_on", "recognised_on")
    township_lookup = "person__township"
    # The admin's link to the photo goes through /files/ (bureau.views.protected_file); the public
    # memorial serves a published martyr's photo at its own address.
    protected_files = ("photo",)
    objects = MartyrQuerySet.as_manager()

    class Meta:
        ordering = ["sacrificed_on", "id"]
        verbose_name = "烈士"
        verbose_name_plural = "烈士"

    def __str__(self):
        return f"{self.person.name}烈士"

    def clean(self):
        errors = {}
        if self.person_id and self.person.status != Person.Status.DECEASED:
            errors["person"] = "烈士须为人员状态“已故”的人员。"
        if self.recognised_on and self.sacrificed_on and self.recognised_on < self.sacrificed_on:
            errors["recognised_on"] = "评定日期不能早于牺牲日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def birth_year(self) -> int | None:
        return self.person.birth_date.year if self.person.birth_date else None


class MartyrRelic(DeclaredDatesMixin, models.Model):
    """A relic, story or photo of a martyr collected (遗物、事迹收集), with its upload."""

    class Kind(models.TextChoices):
        RELIC = "relic", "遗物"
        STORY = "story", "事迹材料"
        PHOTO = "photo", "照片"

    martyr = models.ForeignKey(Martyr, verbose_name="烈士", on_delete=models.CASCADE, related_name="relics")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    collected_on = models.DateField("收集日期")
    donor = models.CharField("提供人", max_length=100, blank=True)
    file = models.FileField(
        "文件",
        upload_to=memorial_photo_path,
        blank=True,
        validators=[UploadValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx", "mp4"])],
    )
    history = HistoricalRecords()

    event_dates = ("collected_on",)
    scope_through = "martyr"
    township_lookup = "martyr__person__township"
    # The file is served at /files/ (bureau.views.protected_file) to those who may view this record.
    protected_files = ("file",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["martyr", "-collected_on", "id"]
        verbose_name = "烈士遗物事迹"
        verbose_name_plural = "烈士遗物事迹"

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


# --- 选树典型 --------------------------------------------------------------------------------------


#: Words of a selection's title that say whom it is for (最美退役军人, 最美军嫂); any other title is open to anyone.
SPOUSE_TITLE_WORD = "军嫂"
VETERAN_TITLE_WORD = "退役军人"


def military_spouses():
    """
    People registered as the spouse of someone who serves or served (a `FamilyLink` of relation
    spouse, recorded from either side, to an active-duty soldier, a veteran, or anyone enlisted).
    """
    served = Person.objects.filter(
        Q(status__in=[Person.Status.ACTIVE_DUTY, Person.Status.VETERAN]) | Q(enlisted_on__isnull=False)
    )
    spouses = FamilyLink.objects.filter(relation=FamilyLink.Relation.SPOUSE)
    return Person.objects.filter(
        Q(pk__in=spouses.filter(relative__in=served).values("person"))
        | Q(pk__in=spouses.filter(person__in=served).values("relative"))
    )


class HonourSelection(models.Model):
    """A selection (评选活动) of one title and edition: 第二届“最美退役军人”."""

    title = models.CharField("评选称号", max_length=50, help_text="如：最美退役军人、最美军嫂。")
    edition = models.PositiveSmallIntegerField("届次", validators=[MinValueValidator(1)])
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    announced_on = models.DateField("结果公布日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "edition", "title"]
        verbose_name = "典型评选"
        verbose_name_plural = "典型评选"
        constraints = [
            models.UniqueConstraint(
                fields=["title", "edition"],
                name="honour_selection_title_edition",
                violation_error_message="该称号的这一届评选已登记。",
            ),
        ]

    def __str__(self):
        return f"第{self.edition}届“{self.title}”（{self.year}年）"

    def candidates(self):
        """The registered people the title fits: military spouses for 军嫂, veterans for 退役军人, else anyone."""
        if SPOUSE_TITLE_WORD in self.title:
            return military_spouses()
        if VETERAN_TITLE_WORD in self.title:
            return Person.objects.veterans()
        return Person.objects.all()

    @property
    def candidates_text(self) -> str:
        if SPOUSE_TITLE_WORD in self.title:
            return "现役军人、退役军人的配偶"
        if VETERAN_TITLE_WORD in self.title:
            return "退役军人"
        return "登记在册的人员"


class Nominee(TownshipRecord):
    """A nominee of a selection, nominated by the station of the person's township; the review's result."""

    class Result(models.TextChoices):
        PENDING = "pending", "待评审"
        WINNER = "winner", "当选"
        NOT_SELECTED = "not_selected", "未当选"

    selection = models.ForeignKey(
        HonourSelection, verbose_name="评选", on_delete=models.PROTECT, related_name="nominees"
    )
    person = models.ForeignKey(
        "bureau.Person", verbose_name="推荐人选", on_delete=models.PROTECT, related_name="honour_nominations"
    )
    deeds = models.TextField("主要事迹")
    result = models.CharField("评审结果", max_length=20, choices=Result.choices, default=Result.PENDING)
    rank = models.PositiveSmallIntegerField("公布顺序", null=True, blank=True, help_text="当选人员的公布顺序。")

    township_from = "person"
    # The review's outcome is the bureau's: a station nominates, it never elects.
    bureau_decided_fields = ("result", "rank")
    record_year = "selection__year"

    class Meta:
        ordering = ["selection", "rank", "id"]
        verbose_name = "典型推荐人选"
        verbose_name_plural = "典型推荐人选"
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "person"],
                name="nominee_once_per_selection",
                violation_error_message="该人员已被推荐参加本届评选。",
            ),
        ]

    def __str__(self):
        return f"{self.person}（{self.selection}）"

    def clean(self):
        super().clean()
        if self.result != self.Result.WINNER and self.rank:
            raise ValidationError({"rank": "只有当选人员才有公布顺序。"})


# --- 公祭与清明祭英烈 ------------------------------------------------------------------------------


class Ceremony(ActivityRecord):
    """A ceremony (公祭活动): occasion, the venue facility, attendees (`headcount`) and participating units."""

    class Occasion(models.TextChoices):
        MARTYRS_DAY = "martyrs_day", "烈士纪念日"
        QINGMING = "qingming", "清明"
        OTHER = "other", "其他"

    occasion = models.CharField("纪念时机", max_length=20, choices=Occasion.choices)
    facility = models.ForeignKey(
        MemorialFacility,
        verbose_name="举行地点（纪念设施）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ceremonies",
    )
    units = models.TextField("参加单位", blank=True, help_text="如：区四套班子领导、区委各部门、区直各单位。")

    class Meta(ActivityRecord.Meta):
        verbose_name = "公祭活动"
        verbose_name_plural = "公祭活动"

    @property
    def ordinal(self) -> int | None:
        """Which Martyrs' Day: the first was in 2014, so 2021's is the 8th."""
        if self.occasion != self.Occasion.MARTYRS_DAY or not self.start_date:
            return None
        return self.start_date.year - FIRST_MARTYRS_DAY_YEAR + 1

    @property
    def place(self) -> str:
        return self.facility.name if self.facility_id else self.venue

    def clean(self):
        super().clean()
        martyrs_day = self.occasion == self.Occasion.MARTYRS_DAY
        if martyrs_day and self.start_date and self.start_date.year < FIRST_MARTYRS_DAY_YEAR:
            raise ValidationError({"start_date": "烈士纪念日自2014年起设立。"})
        if not self.venue and self.facility_id:
            self.venue = self.facility.name


# --- 网上纪念馆 ------------------------------------------------------------------------------------


#: How long after its end a campaign is still shown on the memorial's home page (marked 已结束).
ENDED_CAMPAIGN_SHOWN_FOR = datetime.timedelta(days=365)


@dataclass(frozen=True)
class CampaignBanner:
    """What the memorial's home page says of its campaigns on a day: the running one, else the last one ended and the next."""

    current: "MemorialCampaign | None" = None
    ended: "MemorialCampaign | None" = None
    upcoming: "MemorialCampaign | None" = None

    def __bool__(self) -> bool:
        return bool(self.current or self.ended or self.upcoming)


class MemorialCampaignQuerySet(models.QuerySet):
    def featured(self):
        """The campaigns the memorial's home page features, the latest first."""
        return self.filter(featured=True).order_by("-starts_on", "-id")

    def banner(self, today: datetime.date) -> CampaignBanner:
        """
        The featured campaign running on `today`; when none runs, the last one ended (within
        `ENDED_CAMPAIGN_SHOWN_FOR`) and the next one scheduled, either or both possibly absent.
        """
        featured = self.featured()
        current = featured.filter(starts_on__lte=today, ends_on__gte=today).first()
        if current is not None:
            return CampaignBanner(current=current)
        ended = (
            featured.filter(ends_on__lt=today, ends_on__gte=today - ENDED_CAMPAIGN_SHOWN_FOR)
            .order_by("-ends_on", "-id")
            .first()
        )
        upcoming = featured.filter(starts_on__gt=today).order_by("starts_on", "id").first()
        return CampaignBanner(ended=ended, upcoming=upcoming)


class MemorialCampaign(models.Model):
    """A campaign of the online memorial (致敬·2021清明祭英烈), featured on its home page."""

    title = models.CharField("活动名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    intro = models.TextField("倡议内容", blank=True, help_text="公开展示在网上纪念馆首页。")
    featured = models.BooleanField("在首页展示", default=False)
    history = HistoricalRecords()

    objects = MemorialCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "网上祭扫活动"
        verbose_name_plural = "网上祭扫活动"

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})

    @property
    def dates_text(self) -> str:
        """2026年3月25日—4月10日 (the year once when both dates share it)."""
        end = f"{self.ends_on.month}月{self.ends_on.day}日"
        if self.ends_on.year != self.starts_on.year:
            end = f"{self.ends_on.year}年{end}"
        return f"{self.starts_on.year}年{self.starts_on.month}月{self.starts_on.day}日—{end}"

    def starts_text(self, today: datetime.date) -> str:
        """When it starts, as seen on `today`: 3月25日开始 (with the year when it is not this year's)."""
        day = f"{self.starts_on.month}月{self.starts_on.day}日"
        return f"{day}开始" if self.starts_on.year == today.year else f"{self.starts_on.year}年{day}开始"


class DailyFlower(models.Model):
    """One visitor's flower for one martyr on one day: a second press the same day makes no row."""

    visitor = models.CharField("访客标识", max_length=64)
    martyr = models.ForeignKey(Martyr, on_delete=models.CASCADE, related_name="daily_flowers", verbose_name="英烈")
    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "每日献花记录"
        constraints = [
            models.UniqueConstraint(fields=["visitor", "martyr", "day"], name="daily_flower_once_per_day"),
        ]

    def __str__(self):
        return f"{self.martyr} {self.day}"


class TributeQuerySet(ScopedQuerySet):
    def visible_in_memorial(self):
        """What the public sees: flowers and approved messages."""
        return self.filter(Q(kind=Tribute.Kind.FLOWER) | Q(moderation=Tribute.Moderation.APPROVED))

    def between(self, start: datetime.date, end: datetime.date):
        tz = timezone.get_current_timezone()
        since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return self.filter(created_at__gte=since, created_at__lt=until)


INVISIBLE_MESSAGE = "寄语不能只由空格或不可见字符组成，请填写寄语内容。"


class Tribute(models.Model):
    """A visitor's flower (counted at once) or message (shown once approved) at a martyr's memorial page."""

    MESSAGE_MAX_LENGTH = 200

    class Kind(models.TextChoices):
        FLOWER = "flower", "献花"
        MESSAGE = "message", "寄语"

    class Moderation(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    class ContactFlag(models.TextChoices):
        """What the message carries that the moderator should see first (`commemoration.moderation`)."""

        NONE = "none", "否"
        LINK = "link", "含链接"
        PHONE = "phone", "含电话/QQ/微信"
        BOTH = "both", "含链接和电话"

    martyr = models.ForeignKey(Martyr, verbose_name="烈士", on_delete=models.CASCADE, related_name="tributes")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    message = models.TextField("寄语", max_length=MESSAGE_MAX_LENGTH, blank=True)
    signature = models.CharField("署名", max_length=20, blank=True)
    moderation = models.CharField(
        "审核状态", max_length=10, choices=Moderation.choices, default=Moderation.PENDING, db_index=True
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    contact_flag = models.CharField(
        "含链接/电话",
        max_length=10,
        choices=ContactFlag.choices,
        default=ContactFlag.NONE,
        editable=False,
        db_index=True,
        help_text="保存时按寄语和署名自动判断，供审核人员留意；不影响审核流程。",
    )
    # A keyed hash of the visitor's address, for the rate limit's record; never the address itself.
    client_key = models.CharField("访客标识（摘要）", max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    township_lookup = "martyr__person__township"
    objects = TributeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "网上祭扫献花寄语"
        verbose_name_plural = "网上祭扫献花寄语"
        permissions = [("moderate_tribute", "审核网上寄语")]

    def __str__(self):
        if self.kind == self.Kind.FLOWER:
            return f"向{self.martyr}献花（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"
        return f"给{self.martyr}的寄语：{self.message[:20]}"

    def save(self, *args, **kwargs):
        self.contact_flag = contact_flag(f"{self.message or ''}\n{self.signature or ''}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"message", "signature"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "contact_flag"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == self.Kind.MESSAGE and not (self.message or "").strip():
            raise ValidationError({"message": "请填写寄语内容。"})
        if self.kind == self.Kind.MESSAGE and not has_visible_text(self.message):
            # Fifty zero-width characters are not a message, and would reach the moderators' queue.
            raise ValidationError({"message": INVISIBLE_MESSAGE})
        if len(self.message or "") > self.MESSAGE_MAX_LENGTH:
            raise ValidationError({"message": f"寄语不能超过{self.MESSAGE_MAX_LENGTH}字。"})

    def moderate(self, *, approve: bool, by) -> None:
        self.moderation = self.Moderation.APPROVED if approve else self.Moderation.REJECTED
        self.moderated_by = by
        self.moderated_at = timezone.now()


class MemorialDailyVisits(models.Model):
    """Visits of the online memorial's pages on one day (the report's 访问人次)."""

    day = models.DateField("日期", unique=True)
    visits = models.PositiveIntegerField("访问人次", default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "网上纪念馆访问量"
        verbose_name_plural = "网上纪念馆访问量"

    def __str__(self):
        return f"{self.day:%Y-%m-%d} 访问{self.visits}人次"


__all__ = [
    "Ceremony",
    "FacilityInspection",
    "HonourSelection",
    "Martyr",
    "MartyrRelic",
    "MemorialCampaign",
    "MemorialDailyVisits",
    "MemorialFacility",
    "Nominee",
    "ProtectionLevel",
    "DailyFlower",
    "Tribute",
    "UpgradeProject",
]
