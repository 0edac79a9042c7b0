"""
Proposed changes to approved records. A station's edit of an approved record does not
touch it: the approved values stay in force (and counted) until the bureau approves
the change, which applies it, or returns it with a reason, which discards it.
"""

import datetime
import decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from bureau.base.masking import mask_for, shown
from bureau.base.scoping import ScopedQuerySet

# What the station hears when its edit of an approved record is stored as a proposed change.
PROPOSED_MESSAGE = "修改已提交，等待区局审核；审核通过前仍按原内容统计。"

# Bookkeeping of the workflow and of the row itself: never part of a proposal.
NOT_PROPOSED = {
    "id",
    "version",
    "review_status",
    "return_reason",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "created_at",
    "updated_at",
}


def proposable_fields(model) -> list[models.Field]:
    """The fields a proposed change may carry: what users edit (files are not proposed, see below)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in NOT_PROPOSED
        and not field.primary_key
        # An uploaded file would be stored before anyone approved it; files are changed by the bureau.
        and not isinstance(field, models.FileField)
    ]


def stored(value):
    """A field value as JSON keeps it (dates ISO, decimals as text); `field.to_python` reads it back."""
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class PendingChangeQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=PendingChange.Status.PENDING)

    def of(self, record):
        content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=record.pk)


class PendingChange(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        RETURNED = "returned", "已退回"

    content_type = models.ForeignKey(ContentType, verbose_name="记录类型", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField("记录编号")
    record = GenericForeignKey("content_type", "object_id")
    township = models.ForeignKey(
        "bureau.Township",
        verbose_name="乡镇（街道）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # {field name: {"old": value, "new": value}}: the approved value when proposed, and the proposal.
    changes = models.JSONField("修改内容")
    base_version = models.PositiveIntegerField("提议时的记录版本")
    status = models.CharField("审核状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提议人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField("提议时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)

    township_lookup = "township"
    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = "待审核修改"
        verbose_name_plural = "待审核修改"
        indexes = [models.Index(fields=["content_type", "object_id"]), models.Index(fields=["status", "township"])]
        constraints = [
            # One proposal waits per record at a time; proposing again replaces it.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status="pending"),
                name="one_pending_change_per_record",
                violation_error_message="该记录已有一项待审核的修改，请等待审核后再提交。",
            )
        ]

    def __str__(self):
        return f"{self.content_type.name}「{self.record_label}」的修改"

    @property
    def record_label(self) -> str:
        record = self.record
        return str(record) if record is not None else f"#{self.object_id}（已删除）"

    @property
    def model(self):
        return self.content_type.model_class()

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def new_values(self) -> dict:
        """{attname: python value} of the proposal, as the record's fields read them."""
        values = {}
        for name, change in self.changes.items():
            field = self.field(name)
            values[field.attname] = None if change["new"] is None else field.to_python(change["new"])
        return values

    def rows(self, user) -> list[dict]:
        """
        The fields side by side for the reviewer and the station: label, approved value,
        proposed value; sensitive values (a phone) masked for a user without the right.
        """
        return [
            {
                "name": name,
                "label": self.field(name).verbose_name,
                "old": self.in_words(user, name, change["old"]),
                "new": self.in_words(user, name, change["new"]),
            }
            for name, change in self.changes.items()
        ]

    def in_words(self, user, name: str, value) -> str:
        """A stored value in words: a choice's label, a related record's name, "（空）" for nothing."""
        if value in (None, ""):
            return "（空）"
        mask = mask_for(self.model, name)
        if mask is not None:
            return shown(user, str(value), mask)
        field = self.field(name)
        value = field.to_python(value)
        if field.is_relation:
            related = field.related_model._base_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)
