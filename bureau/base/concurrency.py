"""
No lost updates: every versioned record (`bureau.models.VersionedModel`) carries a
version number that each save increments. A write names the version it read (a
hidden form field, the API's `version` or `If-Match`, an import's 版本 column);
if the record has changed since, the write is refused with a message that says
who changed it and when, and what the user typed is kept for them to compare.

The check is made twice: early (`version_check`, in form and import validation,
so the user sees the message next to what they typed) and atomically by the
model's save (a conditional UPDATE), which settles two writes racing each other.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

STALE_MESSAGE = (
    "该记录已于 {when} 被 {who} 修改，您看到的是修改前的内容。为免覆盖他人的修改，本次保存未生效；"
    "请刷新页面查看最新内容后重新填写。"
)
DELETED_MESSAGE = "该记录已被删除，本次保存未生效。"


class StaleWriteError(ValidationError):
    """The record changed (or was deleted) after the user read it; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message, code="stale")


def last_change(record) -> tuple[str, str]:
    """(who, when) of the record's latest change, in words, from its history when it has one."""
    entry = None
    if hasattr(type(record), "history"):
        entry = type(record).history.filter(id=record.pk).select_related("history_user").order_by("-history_id").first()
    if entry is not None:
        user, moment = entry.history_user, entry.history_date
    else:
        user, moment = None, getattr(record, "updated_at", None)
    who = (user.get_full_name() or user.username) if user is not None else "他人"
    when = f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""
    return who, when


def stale_error(model, pk) -> StaleWriteError:
    current = model._base_manager.filter(pk=pk).first()
    if current is None:
        return StaleWriteError(DELETED_MESSAGE)
    who, when = last_change(current)
    if not when:
        # A record older than its history table (and without updated_at): who and when are unknown.
        return StaleWriteError(STALE_MESSAGE.replace("已于 {when} 被 {who} 修改", "已被他人修改"))
    return StaleWriteError(STALE_MESSAGE.format(who=who, when=when))


def current_version(record) -> int | None:
    return type(record)._base_manager.filter(pk=record.pk).values_list("version", flat=True).first()


def version_check(record, read_version: int | None = None) -> None:
    """
    Raise StaleWriteError unless the record is still at the version the user read
    (`read_version`, or the version the instance carries). New records pass.
    """
    if record.pk is None or record._state.adding:
        return
    read = record.version if read_version is None else read_version
    if current_version(record) != read:
        raise stale_error(type(record), record.pk)


EXPIRED_FORM_MESSAGE = "页面已过期，请刷新后重新填写。"


class VersionFormMixin:
    """
    A form that edits a versioned record carries the version it was filled from (a
    hidden `version` field) and refuses, in `clean()`, a save on top of a newer one.
    The admin kit and the station kit mix it into every form; `version_instance` is
    the record being edited (the form's `instance`).
    """

    def add_version_field(self, instance) -> None:
        if instance is None or getattr(instance, "pk", None) is None or not hasattr(instance, "version"):
            return
        self.version_instance = instance
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=instance.version,
            error_messages={"required": EXPIRED_FORM_MESSAGE, "invalid": EXPIRED_FORM_MESSAGE},
        )

    def check_version(self, cleaned_data: dict) -> None:
        instance = getattr(self, "version_instance", None)
        read = cleaned_data.get("version")
        if instance is None or read is None:
            return
        try:
            version_check(instance, read)
        except StaleWriteError as error:
            self.add_error(None, error)
            return
        # The save compares the version it was read at, atomically (VersionedModel.save).
        instance.version = read
