"""
A year whose report is final (定稿): its records refuse changes in every path until it is reopened.

The lock is here, below the rules, since the records ask it themselves: every record with a year
(`record_year`, see `record_year_path`) is checked by `closed_year_check` in `full_clean()`, `save()`
and `delete()` (`VersionedModel`, `Payment`). `bureau.rules.closing` closes and reopens a year (audited)
and says these names too. The final report's files and figures are the report app's
(`reports.models.FinalReport`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

CLOSED_MESSAGE = "{year}年已定稿，该年度的记录不能再新增、修改或删除；如需更正，请由有权限的人员解锁该年度。"


class ClosedYearError(ValidationError):
    """A write to a record of a closed year; a ValidationError, so every path shows it as its own error."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(CLOSED_MESSAGE.format(year=year), code="closed_year")


def closed_years() -> set[int]:
    """The years closed now (one small query)."""
    return set(ClosedYear.objects.filter(closed=True).values_list("year", flat=True))


class ClosedYear(models.Model):
    """One year's closing: in force while `closed`; reopening keeps the row, with who, when and why."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    closed = models.BooleanField("已定稿", default=True)
    closed_at = models.DateTimeField("定稿时间")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="定稿人", on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField("解锁时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解锁人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField("解锁原因", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度定稿"
        verbose_name_plural = "年度定稿"
        permissions = [
            ("close_year", "年度定稿（锁定该年度记录）"),
            ("reopen_year", "解锁已定稿的年度"),
        ]

    def __str__(self):
        return f"{self.year}年（{'已定稿' if self.closed else '已解锁'}）"


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
