"""Writes of the shared core that span models or carry a rule; views, admin and API call these."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bureau.base.concurrency import version_check
from bureau.base.scoping import sees_all_townships, township_of, township_of_record
from bureau.models import (
    PendingChange,
    Person,
    ReviewStatus,
    TownshipRecord,
)
from bureau.models.changes import proposable_fields, stored
from bureau.models.rules import decided_field_errors, decided_fields, decided_message
from bureau.roles import reviews_records
from bureau.rules import audit, notices
from bureau.rules.todo import completion_notices_later


class ScopeError(Exception):
    """The user tried to write a record outside the townships they may see."""


def check_township_allowed(*, user, township) -> None:
    if sees_all_townships(user):
        return
    own = township_of(user)
    if own is None or township is None or township.pk != own.pk:
        raise ScopeError("只能登记或修改本乡镇（街道）的记录。")


def check_write_allowed(*, user, record) -> None:
    """
    The one rule for writes: may this user write this record, whatever its township
    lookup (`township`, `person__township`, `park__township` …)? Raises ScopeError.
    The admin, the station portal, the API and imports all call it. Records without a
    township lookup (programmes, townships themselves) are guarded by permissions alone.
    """
    through = getattr(record, "scope_through", None)
    if through:
        # A child row (a fair's enterprise) may be written by whoever may write its parent.
        parent = getattr(record, through, None)
        if parent is None:
            raise ScopeError("只能登记或修改本乡镇（街道）的记录。")
        check_write_allowed(user=user, record=parent)
        return
    if getattr(record, "township_lookup", None) is None:
        return
    if hasattr(record, "assign_township"):
        record.assign_township()
    check_township_allowed(user=user, township=township_of_record(record))


@transaction.atomic
def record_save(*, record: TownshipRecord, by) -> TownshipRecord:
    """
    Validate and save a workflow record for a user.

    A write by a user who reviews records (bureau staff) is approved on save; anyone
    else's (a station's) is a submission to the bureau. A station's edit of an approved
    record is not saved but proposed (`change_propose`): the approved values stay in
    force until the bureau approves the change. Either must stay in scope, and a write
    based on an old version of the record is refused (StaleWriteError).
    """
    township_default(record=record, by=by)
    check_write_allowed(user=by, record=record)
    version_check(record)
    if proposes_change(record=record, by=by):
        current = type(record)._base_manager.select_for_update().get(pk=record.pk)
        return change_propose(record=record, current=current, by=by)
    bureau_decided_check(record=record, by=by)
    # Validated before the review state moves, so a refused save leaves the form's record as it was
    # (a returned record keeps showing its return reason next to the errors).
    record.full_clean()
    if reviews_records(by):
        record.approve(by=by)
    else:
        record.submit(by=by)
    # The history names the user also when no request does (a service called by a task or a command).
    record._history_user = by
    record.save()
    if record.township_id is not None and not reviews_records(by):
        # A station's submission may complete one of its expectations: the bureau's notice, once committed.
        completion_notices_later(township_id=record.township_id)
    return record


def township_default(*, record: TownshipRecord, by) -> None:
    """
    A record without a township takes the one of what it is about (`township_from`), or else, saved
    by a station, the station's own: a station's record always belongs to its township.
    """
    if record.township_id is not None:
        return
    record.assign_township()
    if record.township_id is None and not record.township_from and not sees_all_townships(by):
        record.township = township_of(by)


def bureau_decided_check(*, record: TownshipRecord, by, current: TownshipRecord | None = None) -> None:
    """
    Refuse a station's write that sets or changes a field only the bureau decides (the model's
    `bureau_decided_fields`): compared with the record as stored, or, for a new record, with the
    model's defaults. Bureau staff decide them; nothing to check. (The review fields are the
    workflow's: `record_save` sets them, and a proposed change never holds them.)
    """
    if reviews_records(by):
        return
    declared = getattr(type(record), "bureau_decided_fields", ())
    if not declared:
        return
    if current is None and record.pk is not None and not record._state.adding:
        current = type(record)._base_manager.filter(pk=record.pk).first()
    # The review fields need no comparison: whatever the record held, `submit` sets them here.
    errors = decided_field_errors(record, current=current, names=declared)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_review(*, record: TownshipRecord, by, approve: bool, reason: str = "") -> TownshipRecord:
    """
    Approve a submitted record, or return it to the station with a reason. A station's submission
    holding a value the bureau decides (sent before the rule, or written around it) is not approved
    as it stands: the bureau sets those fields on the record's page, which approves it.
    """
    if approve:
        if record.submitted_by_id and not reviews_records(record.submitted_by):
            decided = decided_field_errors(record, names=getattr(type(record), "bureau_decided_fields", ()))
            if decided:
                names = "、".join(str(type(record)._meta.get_field(name).verbose_name) for name in decided)
                raise ValidationError(
                    f"“{record}”的{names}是服务站填写的，须由区局决定：请在记录页修改后保存，不能直接审核通过。"
                )
        record.approve(by=by)
    else:
        record.return_to_station(by=by, reason=reason)
    record._history_user = by
    record.save(update_fields=["review_status", "return_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(audit.Kind.APPROVE if approve else audit.Kind.RETURN, user=by, obj=record)
    notices.record_reviewed(record, approve=approve)
    return record


def proposes_change(*, record: TownshipRecord, by) -> bool:
    """Would this user's save of the record be a proposed change (a station editing an approved record)?"""
    if record.pk is None or record._state.adding or reviews_records(by):
        return False
    stored_status = type(record)._base_manager.filter(pk=record.pk).values_list("review_status", flat=True).first()
    return stored_status == ReviewStatus.APPROVED


def change_propose(*, record: TownshipRecord, current: TownshipRecord, by) -> TownshipRecord:
    """
    Store a station's edit of an approved record as a proposed change (old → new per
    field) and leave the record as it is; returns the record as stored, with the
    change as `proposed_change`. Proposing again replaces the change that waits.
    """
    record.full_clean()
    bureau_decided_check(record=record, by=by, current=current)
    changes = {}
    for field in proposable_fields(type(record)):
        old, new = field.value_from_object(current), field.value_from_object(record)
        if old != new:
            changes[field.name] = {"old": stored(old), "new": stored(new)}
    if not changes:
        raise ValidationError("没有修改任何内容。")
    change, _ = PendingChange.objects.select_for_update().update_or_create(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=record.pk,
        status=PendingChange.Status.PENDING,
        defaults={
            "township": township_of_record(current),
            "changes": changes,
            "base_version": current.version,
            "proposed_by": by,
            "proposed_at": timezone.now(),
        },
    )
    current.proposed_change = change
    return current


@transaction.atomic
def change_review(*, change: PendingChange, by, approve: bool, reason: str = "") -> PendingChange:
    """
    Approve a proposed change (applied to the record, which stays approved; the history
    records the reviewer and the proposer) or return it with a reason (discarded).

    A field the bureau changed after the proposal is not overwritten: the change is
    refused and must be returned, so that the station proposes again from what is in force.
    """
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.status != PendingChange.Status.PENDING:
        raise ValidationError("该修改已审核，不能重复审核。")
    if approve:
        record = change.model._base_manager.select_for_update().filter(pk=change.object_id).first()
        if record is None:
            raise ValidationError("该记录已被删除，修改无法应用，请退回。")
        check_write_allowed(user=by, record=record)
        moved = [
            str(change.field(name).verbose_name)
            for name, values in change.changes.items()
            if stored(change.field(name).value_from_object(record)) != values["old"]
        ]
        decided = [name for name in change.changes if name in decided_fields(change.model)]
        if decided:
            # Proposed before the rule held: a station's value is never the bureau's decision.
            raise ValidationError(
                "；".join(decided_message(change.model, name) for name in decided) + "该修改不能审核通过，请退回。"
            )
        if moved:
            raise ValidationError(
                f"提议修改后，{'、'.join(moved)}已被他人修改，不能直接应用，以免覆盖；请退回，由服务站按最新内容重新提交。"
            )
        for attname, value in change.new_values().items():
            setattr(record, attname, value)
        record.approve(by=by)
        record.full_clean()
        proposer = change.proposed_by
        record._history_user = by
        record._change_reason = (
            f"审核通过{proposer.get_full_name() or proposer.username if proposer else '服务站'}提议的修改"
        )
        record.save()
        change.status = PendingChange.Status.APPROVED
    else:
        if not (reason or "").strip():
            raise ValidationError({"return_reason": "退回时必须填写原因。"})
        change.status = PendingChange.Status.RETURNED
        change.return_reason = reason.strip()
    change.reviewed_by = by
    change.reviewed_at = timezone.now()
    change.save()
    audit.record(audit.Kind.APPROVE if approve else audit.Kind.RETURN, user=by, obj=change)
    notices.change_reviewed(change, approve=approve)
    return change


def person_save(*, person: Person, by) -> Person:
    return record_save(record=person, by=by)
