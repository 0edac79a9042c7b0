"""
Registration without an oracle: a station's new registration of an ID number the district
already holds becomes a transfer request (迁入申请) for the bureau, and the station is answered
exactly as for a new person. Bureau staff (who may see the whole registry) still get the
registry's "already registered" error.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bureau.models import Person, TransferRequest
from bureau.roles import reviews_records
from bureau.rules import audit
from bureau.rules.services import check_write_allowed, person_save


def registers_existing_number(*, person: Person, by) -> bool:
    """Whether this save is a station's new registration, whose number must not be checked against the district."""
    return person.pk is None and not reviews_records(by)


@transaction.atomic
def person_register(*, person: Person, by) -> Person | TransferRequest:
    """
    A new registration. For a station, a number already in the district (another township's or
    its own) is validated like a new person (same errors, same answer) and becomes a transfer
    request naming both townships; the caller answers both alike. Otherwise `person_save`.
    """
    if not registers_existing_number(person=person, by=by):
        return person_save(person=person, by=by)
    check_write_allowed(user=by, record=person)
    # The registry's own checks, but for the number's uniqueness: a new person's errors, no more.
    person.full_clean(validate_unique=False)
    existing = Person.objects.select_for_update().filter(id_number=person.id_number).first()
    if existing is None:
        return person_save(person=person, by=by)
    return transfer_request_create(person=existing, to_township=person.township, by=by, submitted_name=person.name)


def transfer_request_create(*, person: Person, to_township, by, submitted_name: str = "") -> TransferRequest:
    """One pending request per person and township: a second registration adds nothing the bureau needs."""
    pending = TransferRequest.objects.pending().filter(person=person, to_township=to_township).first()
    if pending is not None:
        return pending
    transfer = TransferRequest(
        person=person,
        from_township=person.township,
        to_township=to_township,
        submitted_name=submitted_name[:50],
        requested_by=by,
    )
    transfer.full_clean()
    transfer.save()
    return transfer


@transaction.atomic
def transfer_request_decide(*, transfer: TransferRequest, by, approve: bool, reason: str = "") -> TransferRequest:
    """
    The bureau's decision. Approving moves the person to the requesting township, saved as a change
    of the person (their history names the transfer and who approved it); rejecting keeps them.
    """
    if not reviews_records(by):
        raise PermissionDenied("只有局机关工作人员可以审核迁入申请。")
    transfer = TransferRequest.objects.select_for_update().select_related("person").get(pk=transfer.pk)
    if transfer.state != TransferRequest.State.PENDING:
        raise ValidationError("该迁入申请已审核，不能重复审核。")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "不同意迁入时必须填写原因。"})
    transfer.state = TransferRequest.State.APPROVED if approve else TransferRequest.State.REJECTED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.reason = "" if approve else reason.strip()
    if approve and not transfer.within_township:
        person = Person.objects.select_for_update().get(pk=transfer.person_id)
        if person.township_id != transfer.from_township_id:
            raise ValidationError("该人员的登记乡镇（街道）已变更，请退回后由服务站重新提交。")
        person.township = transfer.to_township
        person._history_user = by
        person._change_reason = f"迁入：由{transfer.from_township}迁至{transfer.to_township}（迁入申请 {transfer.pk}）"
        person.full_clean()
        person.save()
    transfer.save()
    audit.record(
        audit.Kind.APPROVE if approve else audit.Kind.RETURN,
        user=by,
        obj=transfer,
        detail=f"{'同意' if approve else '不同意'}迁入：{transfer.from_township} → {transfer.to_township}",
    )
    return transfer
