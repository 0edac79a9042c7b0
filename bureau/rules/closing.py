"""
Closing a year (定稿): once the bureau marks a year's report final, the year's records refuse every
change (admin, station, API, import, pending changes, deletion, the ledger) with one Chinese message
naming the year, until a user with the right reopens it with a reason. Both steps are audited.

The year of a record is declared on its model, `record_year = "visited_on"` (a field or a path to a
date or a year: "merit__year", "period"), or defaults (see `record_year_path`); a model declaring
`record_year = ""` belongs to no year (the registry of persons, standing facilities). A record is
refused when its stored year or its new year is closed: nothing moves into or out of a closed year.

`manage.py close_year` / `reopen_year` and the report's 定稿 page call `year_close` / `year_reopen`;
the report app keeps the final files and figures (`reports.models.FinalReport`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bureau.models import AuditEvent, ClosedYear
from bureau.rules import audit

CLOSED_MESSAGE = "{year}年已定稿，该年度的记录不能再新增、修改或删除；如需更正，请由有权限的人员解锁该年度。"


class ClosedYearError(ValidationError):
    """A write to a record of a closed year; a ValidationError, so every path shows it as its own error."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(CLOSED_MESSAGE.format(year=year), code="closed_year")


def closed_years() -> set[int]:
    """The years closed now (one small query)."""
    return set(ClosedYear.objects.filter(closed=True).values_list("year", flat=True))


def is_closed(year: int) -> bool:
    return ClosedYear.objects.filter(year=year, closed=True).exists()


@transaction.atomic
def year_close(*, year: int, by) -> ClosedYear:
    """Close a year (audited). Closing a closed year again is refused."""
    closing = ClosedYear.objects.select_for_update().filter(year=year).first()
    if closing is not None and closing.closed:
        raise ValidationError(f"{year}年已于{timezone.localtime(closing.closed_at):%Y年%m月%d日}定稿。")
    closing = closing or ClosedYear(year=year)
    closing.closed, closing.closed_at, closing.closed_by = True, timezone.now(), by
    closing._history_user = by
    closing.save()
    audit.record(AuditEvent.Kind.YEAR_CLOSE, user=by, obj=closing, detail=f"{year}年定稿")
    return closing


@transaction.atomic
def year_reopen(*, year: int, by, reason: str) -> ClosedYear:
    """Reopen a closed year with a reason (audited, the reason in the event's detail)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "解锁已定稿的年度必须填写原因。"})
    closing = ClosedYear.objects.select_for_update().filter(year=year, closed=True).first()
    if closing is None:
        raise ValidationError(f"{year}年未定稿，无需解锁。")
    closing.closed, closing.reopened_at, closing.reopened_by, closing.reopen_reason = False, timezone.now(), by, reason
    closing._history_user = by
    closing.save()
    audit.record(AuditEvent.Kind.YEAR_REOPEN, user=by, obj=closing, detail=f"{year}年解锁：{reason}"[:500])
    return closing


def record_year_path(model) -> str:
    """
    The path of a model's year (`record_year`), declared or by default: an activity's `start_date`,
    else the first of `event_dates`, else a field `year`; "" for none. (To be completed: issue 27.)
    """
    raise NotImplementedError


def closed_year_check(record) -> None:
    """Raise ClosedYearError when the record's stored or new year is closed. (To be completed: issue 27.)"""
    raise NotImplementedError
