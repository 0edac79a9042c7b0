"""Writes of the shared core that span models or carry a rule; views, admin and API call these."""

from django.db import transaction

from bureau.models import Payment, Person, TownshipRecord
from bureau.roles import reviews_records
from bureau.scoping import sees_all_townships, township_of, township_of_record


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
    else's (a station's) is a submission to the bureau. Either must stay in scope.
    """
    check_write_allowed(user=by, record=record)
    if reviews_records(by):
        record.approve(by=by)
    else:
        record.submit(by=by)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_review(*, record: TownshipRecord, by, approve: bool, reason: str = "") -> TownshipRecord:
    """Approve a submitted record, or return it to the station with a reason."""
    if approve:
        record.approve(by=by)
    else:
        record.return_to_station(by=by, reason=reason)
    record.save(update_fields=["review_status", "return_reason", "reviewed_by", "reviewed_at", "updated_at"])
    return record


def person_save(*, person: Person, by) -> Person:
    return record_save(record=person, by=by)


@transaction.atomic
def payment_create(*, person: Person, programme, amount, period: str, paid_on, by=None, **extra) -> Payment:
    """Record one payment; the ledger refuses a second one for the same person, programme and period."""
    payment = Payment(person=person, programme=programme, amount=amount, period=period, paid_on=paid_on, **extra)
    payment.full_clean()
    payment.save()
    return payment
