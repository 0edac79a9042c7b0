"""Abstract bases every area app builds on: the submission workflow and the activity record."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.base.concurrency import stale_error
from bureau.base.scoping import ScopedQuerySet, township_of
from bureau.validators import UploadValidator

from .closing import ClosedYearError, closed_year_check
from .rules import DeclaredDatesMixin


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


class VersionedModel(models.Model):
    """
    A record that refuses lost updates (see `bureau.base.concurrency`): each save increments
    `version`, and saving an instance whose version is no longer the stored one raises
    StaleWriteError instead of overwriting what another user saved in between.
    """

    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The last line of defence of a closed year, whatever path writes (`bureau.models.closing`).
        closed_year_check(self)
        if self._state.adding:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # The conditional UPDATE takes the row lock: of two racing saves of one version, one wins.
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not claimed:
                raise stale_error(type(self), self.pk)
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        closed_year_check(self)
        return super().delete(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # A record of a closed year (its stored or its new year) is refused with the year's message,
        # next to the other errors, in every path that validates (forms, API, import, services).
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            closed_year_check(self)
        except ClosedYearError as error:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)


class TownshipRecordQuerySet(ScopedQuerySet):
    def approved(self):
        """What reports count: records the bureau has approved (or entered itself)."""
        return self.filter(review_status=ReviewStatus.APPROVED)

    def awaiting_review(self):
        return self.filter(review_status=ReviewStatus.SUBMITTED)

    def without_township(self):
        """
        Records of a place missing their township (the data-quality check): about something that has
        one (`township_from`), or submitted by a station. District-wide records of the bureau are not.
        """
        source = self.model.township_from
        if source:
            return self.filter(township__isnull=True, **{f"{source}__township__isnull": False})
        return self.filter(township__isnull=True, submitted_by__township__isnull=False)


class TownshipRecord(DeclaredDatesMixin, VersionedModel):
    """
    A record that belongs to a township and goes through the submission workflow:
    draft → submitted → approved, or returned with a reason and submitted again.
    Records entered by bureau staff are approved on save (`bureau.rules.services.record_save`).

    Declared rules (`bureau.models.rules`) apply: `event_dates`, `dates_within` (checked by
    `full_clean()`), and `bureau_decided_fields` (refused from stations by `record_save`).
    """

    township = models.ForeignKey(
        "bureau.Township",
        verbose_name="乡镇（街道）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="全区性的记录留空。",
    )
    review_status = models.CharField(
        "审核状态", max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, db_index=True
    )
    return_reason = models.TextField("退回原因", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(inherit=True)
    # A record deleted takes the changes proposed to it along (they would wait in the inbox forever).
    pending_changes = GenericRelation("bureau.PendingChange")

    township_lookup = "township"
    #: The relation whose township the record takes, a resident's record: "person". Empty: the
    #: township is the record's own field.
    township_from = ""
    objects = TownshipRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Every record of a place has its township, whatever path saved it (a service, the demo's
        # update_or_create): the one of what it is about, or else the submitting station's.
        if self.township_id is None:
            self.assign_township()
            if self.township_id is None and not self.township_from and self.submitted_by_id:
                self.township = township_of(self.submitted_by)
            if self.township_id is not None and kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "township"}
        super().save(*args, **kwargs)

    def assign_township(self) -> None:
        """Set the township from what the record is about (`township_from`); called before scoping checks."""
        if self.township_from and getattr(self, f"{self.township_from}_id", None):
            self.township = getattr(self, self.township_from).township

    def submit(self, *, by) -> None:
        """Hand the record to the bureau; an approved record changed by a station is reviewed again."""
        self.review_status = ReviewStatus.SUBMITTED
        self.return_reason = ""
        self.submitted_by = by
        self.submitted_at = timezone.now()

    def approve(self, *, by) -> None:
        self.review_status = ReviewStatus.APPROVED
        self.return_reason = ""
        self.reviewed_by = by
        self.reviewed_at = timezone.now()

    def return_to_station(self, *, by, reason: str) -> None:
        if not (reason or "").strip():
            raise ValidationError({"return_reason": "退回时必须填写原因。"})
        if self.review_status != ReviewStatus.SUBMITTED:
            raise ValidationError("只能退回待审核的记录。")
        self.review_status = ReviewStatus.RETURNED
        self.return_reason = reason.strip()
        self.reviewed_by = by
        self.reviewed_at = timezone.now()


def attachment_path(instance, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    """A file (photo, minutes, list) attached to any activity record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    title = models.CharField("标题", max_length=200, blank=True)
    file = models.FileField(
        "文件",
        upload_to=attachment_path,
        validators=[
            UploadValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "mp4"]),
        ],
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.title or self.file.name


class ActivityRecord(TownshipRecord):
    """An activity or event: a fair, a class, a ceremony, a visit campaign."""

    title = models.CharField("名称", max_length=200)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="一天的活动可留空。")
    venue = models.CharField("地点", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("参加人数", null=True, blank=True)
    cost = models.DecimalField("费用（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    online_views = models.PositiveIntegerField("线上观看人次", null=True, blank=True)
    attachments = GenericRelation(Attachment)

    class Meta:
        abstract = True
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.title}（{self.start_date:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
        if self.cost is not None and self.cost < 0:
            raise ValidationError({"cost": "费用不能为负数。"})

    @property
    def days(self) -> int:
        return ((self.end_date or self.start_date) - self.start_date).days + 1
