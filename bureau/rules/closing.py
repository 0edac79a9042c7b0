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

import datetime

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
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
    The path of a model's year: its declared `record_year` ("" for none), else, for a child row
    (`scope_through`), its parent's year through the relation; else an activity's `start_date`,
    the first of `event_dates`, a field `year`; "" for none.
    """
    declared = getattr(model, "record_year", None)
    if declared is not None:
        return declared
    parent_name = getattr(model, "scope_through", "")
    if parent_name:
        parent_path = record_year_path(model._meta.get_field(parent_name).related_model)
        return f"{parent_name}__{parent_path}" if parent_path else ""
    from bureau.models.records import ActivityRecord

    if issubclass(model, ActivityRecord):
        return "start_date"
    event_dates = tuple(getattr(model, "event_dates", ()))
    if event_dates:
        return event_dates[0]
    if any(field.name == "year" for field in model._meta.concrete_fields):
        return "year"
    return ""


def year_path_problem(model) -> str:
    """Why a model's year path does not resolve ("" when it does): the check `bureau.E109`."""
    path = record_year_path(model)
    if not path:
        return ""
    current = model
    names = path.split("__")
    for position, name in enumerate(names):
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return f"“{name}” is no field of {current._meta.label}"
        last = position == len(names) - 1
        if last and field.is_relation:
            return f"“{name}” of {current._meta.label} is a relation, not a date or a year"
        if not last:
            if not field.is_relation or field.many_to_many or field.one_to_many:
                return f"“{name}” of {current._meta.label} is no foreign key to follow"
            current = field.related_model
    return ""


def year_of(value) -> int | None:
    """A year from a stored value: a date's, an int as is, a period's ("2021-03", "2021"); None for none."""
    if isinstance(value, datetime.date):  # a datetime is a date too
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value[:4].isdigit():
        return int(value[:4])
    return None


def _value_on(record, path: str):
    """The value at `path` on the instance (relations followed, None where one is missing)."""
    value = record
    for name in path.split("__"):
        if value is None:
            return None
        try:
            value = getattr(value, name)
        except ObjectDoesNotExist:
            return None
    return value


def record_years(record, *, closed: set[int] | None = None) -> set[int]:
    """
    The years a write of `record` touches: its new year (on the instance) and its stored one (one
    small query, a saved record). Without any closed year (`closed_years()`, asked when not given)
    nothing more is read and the answer is empty: the common case costs one tiny query.
    """
    path = record_year_path(type(record))
    if not path:
        return set()
    if closed is None:
        closed = closed_years()
    if not closed:
        return set()
    years = {year_of(_value_on(record, path))}
    if record.pk is not None and not record._state.adding:
        stored = type(record)._base_manager.filter(pk=record.pk).values_list(path, flat=True).first()
        years.add(year_of(stored))
    return {year for year in years if year is not None}


def closed_year_check(record) -> None:
    """Raise ClosedYearError when the record's stored or new year is closed."""
    if not record_year_path(type(record)):
        return
    closed = closed_years()
    if not closed:
        return
    touched = sorted(record_years(record, closed=closed) & closed)
    if touched:
        raise ClosedYearError(touched[0])


def closed_rows_check(queryset) -> None:
    """Raise ClosedYearError when any row of `queryset` (a bulk delete's) belongs to a closed year."""
    path = record_year_path(queryset.model)
    if not path:
        return
    closed = closed_years()
    if not closed:
        return
    touched = sorted({year_of(value) for value in queryset.order_by().values_list(path, flat=True).distinct()} & closed)
    if touched:
        raise ClosedYearError(touched[0])


def closed_periods_check(periods, *, paid_on=None) -> None:
    """Raise ClosedYearError when a payment period ("2021-03", "2021"; "": the year of `paid_on`) is of a closed year."""
    years = {year_of(period) if period else (paid_on.year if paid_on else None) for period in periods}
    years.discard(None)
    if not years:
        return
    touched = sorted(years & closed_years())
    if touched:
        raise ClosedYearError(touched[0])
