"""
The audit trail (MLPS level 3 安全审计, PIPL Art. 51/55): one call, `record()`, writes an event.

    audit.record(AuditEvent.Kind.SENSITIVE_VIEW, request=request, obj=person, fields=["id_number"])

Who comes from `user` or the request's user, where from the request (the client address as
django-axes counts it, the path without its query string, which may hold search text). An
event never carries a sensitive value: `fields` names the fields, `detail` is free text the
caller keeps free of personal data. Events are append-only (`bureau.models.AuditEvent`) and
kept AUDIT_RETENTION_DAYS (at least 183) days; `manage.py purge_audit` removes older ones.
"""

from collections import Counter
from contextvars import ContextVar
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bureau.base.bulk import insert_values
from bureau.base.client_address import client_ip_address
from bureau.base.logs import mask_personal_numbers
from bureau.models import AuditEvent

# The legal floor (six months); the database trigger of migration 0008 holds the same number.
MINIMUM_RETENTION_DAYS = 183
Kind = AuditEvent.Kind
# The request being answered, for events recorded where no request is at hand (a signal, a service).
_current_request: ContextVar = ContextVar("audit_request", default=None)


class AuditRequestMiddleware:
    """Makes the request known to `record()` wherever it is called while the request is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            # Here, after the view: under ATOMIC_REQUESTS an event the view wrote before raising
            # PermissionDenied would be rolled back with the rest of its transaction.
            if response.status_code == 403:
                record(Kind.DENIED, request=request, detail=request.method)
            return response
        finally:
            _current_request.reset(token)


def current_request():
    """The request being answered, where AuditRequestMiddleware made it known; None outside a request."""
    return _current_request.get()


def retention_days() -> int:
    return max(int(getattr(settings, "AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS)), MINIMUM_RETENTION_DAYS)


def _client_address(request) -> str | None:
    address = client_ip_address(request) if request is not None else None
    return address or None


def record(kind, *, request=None, user=None, username: str = "", obj=None, fields=(), detail: str = "") -> AuditEvent:
    """
    Append one event. `request` defaults to the request being answered, `user` to its user;
    `username` names the account of a failed login.
    """
    event = _event(kind, request=request, user=user, username=username, obj=obj, fields=fields, detail=detail)
    event.save()
    return event


def request_user():
    """The signed-in user of the request being answered, or None (a task, a command)."""
    request = _current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def record_many(kind, *, objs, user=None, fields=()) -> None:
    """
    One event per record, written together: the writes of an import, made in batches, or the
    whole sensitive values of several records shown on one page (`fields` names them).
    """
    objs = list(objs)
    if not objs:
        return
    # What the events share, read once; then each record's own columns.
    common = {
        field.attname: getattr(_event(kind, user=user, fields=fields), field.attname)
        for field in AuditEvent._meta.concrete_fields
        if not field.primary_key
    }
    common["created_at"] = timezone.now()
    content_types = {}
    rows = []
    for obj in objs:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(obj, for_concrete_model=False).pk
        rows.append(
            {
                **common,
                "content_type_id": content_types[model],
                "object_id": str(obj.pk)[:64],
                "object_repr": str(obj)[:200],
            }
        )
    insert_values(AuditEvent, rows)


def record_batch(kind, *, user=None, obj, what: str, lines) -> AuditEvent:
    """
    One event for a batch of records written together (a payroll's part of the ledger), in place of
    one per record: `obj` is what they belong to (the batch), `lines` their (person id, amount)
    pairs, summarised in the detail — how many, the total, the amounts and the range of person ids
    (no names, ID or bank numbers).
    """
    groups: dict = {}
    for person_id, amount in lines:
        count, low, high = groups.get(amount, (0, person_id, person_id))
        groups[amount] = (count + 1, min(low, person_id), max(high, person_id))
    amounts = [(amount, count, low, high) for amount, (count, low, high) in groups.items()]
    return record_batch_summary(kind, user=user, obj=obj, what=what, amounts=amounts)


def record_batch_summary(kind, *, user=None, obj, what: str, amounts) -> AuditEvent:
    """
    `record_batch` of records the database summarised itself: `amounts` holds (amount, how many,
    lowest person id, highest person id) per amount (one `GROUP BY amount` of the rows written).
    """
    count, total, spread, low, high = 0, Decimal("0"), Counter(), None, None
    for amount, n, first, last in amounts:
        count, total = count + n, total + amount * n
        spread[amount] += n
        low = first if low is None or first < low else low
        high = last if high is None or last > high else high
    listed = "、".join(f"{amount} 元×{n}" for amount, n in sorted(spread.items())[:10])
    more = f" 等 {len(spread)} 种" if len(spread) > 10 else ""
    people = f"；人员编号 {low}–{high}" if count else ""
    detail = f"{what}：{count} 笔，合计 {total} 元（{listed}{more}）{people}"
    return record(kind, user=user, obj=obj, detail=detail)


def _event(kind, *, request=None, user=None, username: str = "", obj=None, fields=(), detail: str = "") -> AuditEvent:
    if request is None:
        request = _current_request.get()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        user = request_user if request_user is not None and request_user.is_authenticated else None
    event = AuditEvent(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else mask_personal_numbers(username))[:150],
        ip_address=_client_address(request),
        path=mask_personal_numbers(request.path if request is not None else "")[:300],
        fields=",".join(fields)[:300],
        detail=str(detail)[:500],
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk)[:64]
        event.object_repr = str(obj)[:200]
    return event


def purge(now=None) -> int:
    """Delete the events older than the retention period; younger ones are never touched."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    return AuditEvent.objects.purge(cutoff)
