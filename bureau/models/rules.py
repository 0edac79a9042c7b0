"""
Rules a model declares and the core applies in every path (forms, admin, API, import, services).

Declarations, as class attributes of a model:

- `bureau_decided_fields = ("result", "rank")`: what only the bureau decides. A station cannot set
  or change them through any path (`bureau.rules.services.bureau_decided_check`). A workflow record's
  review fields (`REVIEW_FIELDS`) are always among them (`decided_fields`): no station form offers
  them, no proposed change holds them, and `record_save` sets them whatever a record held.
- `event_dates = ("visited_on",)`: dates of something that happened, so not after today.
- `dates_within = {"checked_on": "batch"}`: a date that falls within the period of the record a
  foreign key points at. The parent tells its period by a `period_bounds() -> (first, last)`
  method (either end None: open), or else by a `year`.

The dates are checked by `declared_date_errors`, which `DeclaredDatesMixin.clean_fields` calls:
`full_clean()` runs it in every path, and a field a form leaves out is not checked (a record is
not refused for a field its user never touched).
"""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

# The workflow's own fields: set by submitting and reviewing, never by what a station sends.
REVIEW_FIELDS = ("review_status", "return_reason", "reviewed_by", "reviewed_at")
DECIDED_MESSAGE = "“{field}”由区局决定，服务站不能填写或修改。"
EVENT_DATE_MESSAGE = "{field}不能晚于今天。"
WITHIN_MESSAGE = "{field}应在所属{parent}的{period}内。"


def models_declaring(attribute: str) -> list:
    """The installed models that declare `attribute` (`"event_dates"`, `"dates_within"`, `"bureau_decided_fields"`)."""
    return [model for model in apps.get_models() if getattr(model, attribute, None)]


# --- decisions of the bureau -------------------------------------------------------------------


def decided_fields(model) -> tuple[str, ...]:
    """The fields only the bureau decides: the model's `bureau_decided_fields`, and a workflow record's review fields."""
    declared = tuple(getattr(model, "bureau_decided_fields", ()))
    names = {field.name for field in model._meta.concrete_fields}
    review = tuple(name for name in REVIEW_FIELDS if name in names)
    return review + tuple(name for name in declared if name not in review)


def decided_message(model, name: str) -> str:
    return DECIDED_MESSAGE.format(field=model._meta.get_field(name).verbose_name)


def decided_field_errors(record, *, current=None, names=None) -> dict[str, list[str]]:
    """
    `{field: [message]}` for each field the bureau decides whose value on `record` differs from
    `current` (the record as stored; for a new record, a fresh instance: the model's defaults).
    `names` limits the check to those fields (the declared ones: the review fields are the workflow's).
    """
    model = type(record)
    if current is None:
        current = model()
    errors = {}
    for name in decided_fields(model):
        if names is not None and name not in names:
            continue
        field = model._meta.get_field(name)
        if field.value_from_object(record) != field.value_from_object(current):
            errors[name] = [decided_message(model, name)]
    return errors


# --- dates ------------------------------------------------------------------------------------


def event_date_fields(model) -> tuple[str, ...]:
    return tuple(getattr(model, "event_dates", ()))


def period_of(parent) -> tuple[datetime.date | None, datetime.date | None] | None:
    """A parent record's period: its `period_bounds()`, or the whole of its `year`; None when it has none."""
    bounds = getattr(parent, "period_bounds", None)
    if callable(bounds):
        return bounds()
    year = getattr(parent, "year", None)
    if isinstance(year, int):
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return None


def period_text(first: datetime.date | None, last: datetime.date | None) -> str:
    """「年度（2021 年）」 for a calendar year, else 「期间（2021-03-01 至 2021-03-05）」."""
    if first and last and first.year == last.year and (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return f"年度（{first.year} 年）"
    start = f"{first:%Y-%m-%d}" if first else "不限"
    end = f"{last:%Y-%m-%d}" if last else "至今"
    return f"期间（{start} 至 {end}）"


def declared_date_errors(instance, *, exclude=(), today: datetime.date | None = None) -> dict[str, list[str]]:
    """
    The one check of declared dates: `{field: [message]}` for an event date after today
    (`event_dates`) and a date outside its parent's period (`dates_within`). Fields in
    `exclude` (not on the form, or already in error) are left alone.
    """
    model = type(instance)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name in event_date_fields(model):
        value = getattr(instance, name, None)
        if name in exclude or value is None:
            continue
        if value > today:
            errors.setdefault(name, []).append(
                EVENT_DATE_MESSAGE.format(field=model._meta.get_field(name).verbose_name)
            )
    for name, parent_name in getattr(model, "dates_within", {}).items():
        value = getattr(instance, name, None)
        if name in exclude or name in errors or value is None:
            continue
        relation = model._meta.get_field(parent_name)
        if getattr(instance, relation.attname, None) is None:
            continue
        period = period_of(getattr(instance, parent_name))
        if period is None:
            continue
        first, last = period
        if (first and value < first) or (last and value > last):
            errors.setdefault(name, []).append(
                WITHIN_MESSAGE.format(
                    field=model._meta.get_field(name).verbose_name,
                    parent=relation.verbose_name,
                    period=period_text(first, last),
                )
            )
    return errors


def future_event_dates(model, *, today: datetime.date) -> Q:
    """Rows of `model` with a declared event date after `today` (the data-quality check); an empty Q matches none."""
    condition = Q(pk__in=[])
    for name in event_date_fields(model):
        condition |= Q(**{f"{name}__gt": today})
    return condition


class DeclaredDatesMixin:
    """
    Applies a model's `event_dates` and `dates_within` in `full_clean()`. In `clean_fields`, not
    `clean`: it receives the fields a form leaves out, and its errors join the other field errors.
    """

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        dates = declared_date_errors(self, exclude={*(exclude or ()), *errors})
        for name, messages in dates.items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
