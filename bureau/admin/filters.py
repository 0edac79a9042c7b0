"""List filters the admin's lists share."""

import datetime
import re

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bureau.roles import portal_apps


def project_content_types() -> list[tuple[int, str]]:
    """
    (id, Chinese name) of the portal's own record types: the core's, the areas' and the report's,
    without the history twins and the libraries' (django-axes, tokens, sessions). A name two apps
    share is told apart by its app's name.
    """
    own = [
        model
        for label in sorted(portal_apps())
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    types = ContentType.objects.get_for_models(*own, for_concrete_models=False)
    names = [str(model._meta.verbose_name) for model in own]
    choices = []
    for model in own:
        name = str(model._meta.verbose_name)
        if names.count(name) > 1:
            name = f"{name}（{model._meta.app_config.verbose_name}）"
        choices.append((types[model].pk, name))
    return sorted(choices, key=lambda choice: choice[1])


class ProjectContentTypeFilter(admin.RelatedFieldListFilter):
    """The 对象类型 filter, offering the portal's own record types by their Chinese names only."""

    def field_choices(self, field, request, model_admin):
        return project_content_types()


class UserTownshipFilter(admin.SimpleListFilter):
    """
    乡镇 of the audit trail: the events of the accounts that work for a township (its station
    staff); bureau-wide accounts have none. An unknown township is told, not a 500.
    """

    title = "乡镇（操作人所属）"
    parameter_name = "township"

    def lookups(self, request, model_admin):
        from bureau.models import Township

        return [(str(township.pk), township.name) for township in Township.objects.order_by("order", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            messages.error(request, "乡镇选择无效，请在右侧重新选择。")
            return queryset.none()
        return queryset.filter(user__township_id=int(value))


DATE_FORMAT_HINT = "应为 2026-12-01 这样的日期"
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> datetime.date:
    """A date as a clerk types it: 2026-12-01, 2026/12/1, 2026.12.1 or 2026年12月1日 (ValueError otherwise)."""
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(part) for part in match.groups()))


class DateRange:
    """The 起止日期 of a list, from `?date_from=` and `?date_to=` (both days included), with its errors in Chinese."""

    FROM, TO = "date_from", "date_to"
    LABELS = {FROM: "起始日期", TO: "截止日期"}

    def __init__(self, params):
        self.text = {name: (params.get(name) or "").strip() for name in (self.FROM, self.TO)}
        self.dates = {}
        self.errors = []
        for name, text in self.text.items():
            if not text:
                continue
            try:
                self.dates[name] = parse_date(text)
            except ValueError:
                self.errors.append(f"{self.LABELS[name]}「{text}」格式不正确（{DATE_FORMAT_HINT}）。")
        start, end = self.dates.get(self.FROM), self.dates.get(self.TO)
        if start and end and start > end:
            self.errors.append(f"起始日期 {start:%Y-%m-%d} 晚于截止日期 {end:%Y-%m-%d}。")

    def filter(self, queryset, field: str):
        """The rows whose `field` (a date-time) falls within the range, in the portal's time zone."""
        if self.errors:
            return queryset.none()
        if start := self.dates.get(self.FROM):
            queryset = queryset.filter(**{f"{field}__gte": _day_start(start)})
        if end := self.dates.get(self.TO):
            queryset = queryset.filter(**{f"{field}__lt": _day_start(end + datetime.timedelta(days=1))})
        return queryset


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DateRangeFilter(admin.ListFilter):
    """
    起止日期: two date inputs on the change list (`?date_from=&date_to=`, both days included).
    A date that is no date shows a Chinese message and an empty list (never a 500 nor everything).
    The model admin names the date-time field: `date_range_field = "created_at"`.
    """

    title = "起止日期"
    template = "admin/date_range_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.field = model_admin.date_range_field
        given = {}
        for name in (DateRange.FROM, DateRange.TO):
            if name in params:
                # Django passes each parameter as a list of its values; the last one counts.
                given[name] = params.pop(name)[-1]
        self.used_parameters = given
        self.range = DateRange(given)
        for error in self.range.errors:
            messages.error(request, error)

    def has_output(self):
        return True

    def expected_parameters(self):
        return [DateRange.FROM, DateRange.TO]

    def queryset(self, request, queryset):
        return self.range.filter(queryset, self.field)

    def choices(self, changelist):
        # One "choice": the form, carrying the list's other parameters (filters, search, order) along.
        kept = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in self.expected_parameters()
            for value in values
        ]
        yield {"kept": kept, "date_from": self.range.text[DateRange.FROM], "date_to": self.range.text[DateRange.TO]}
