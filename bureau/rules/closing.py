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
from bureau.models.closing import (  # the lock itself is the records' (models save through it): said here too
    CLOSED_MESSAGE,
    ClosedYearError,
    closed_periods_check,
    closed_rows_check,
    closed_year_check,
    closed_years,
    record_year_path,
    record_years,
    year_of,
    year_path_problem,
)
from bureau.rules import audit

__all__ = [
    "CLOSED_MESSAGE",
    "ClosedYearError",
    "closed_periods_check",
    "closed_rows_check",
    "closed_year_check",
    "closed_years",
    "is_closed",
    "record_year_path",
    "record_years",
    "year_close",
    "year_of",
    "year_path_problem",
    "year_reopen",
]


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
