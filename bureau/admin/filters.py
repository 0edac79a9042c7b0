"""List filters the admin's lists share."""

import datetime
import re

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import get_last_value_from_parameters, reverse_field_path
from django.contrib.contenttypes.models import ContentType
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import Max, Min
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


# Choices read from a big table, kept a few minutes in each process (no query, no network on a hit):
# a list's filters then cost nothing that grows with its table when the list renders.
CHOICES_SECONDS = 300
choices_cache = LocMemCache(
    "bureau-admin-filter-choices", {"TIMEOUT": CHOICES_SECONDS, "OPTIONS": {"MAX_ENTRIES": 10_000}}
)


class CachedValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """
    The kit's filter on a plain field without choices (a year, a channel): Django's reads the
    field's distinct values over every visible row each time the list renders; here they are read
    once in a few minutes per user (a value added since shows up then; filtering by it works at once).
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = field_path
        self.lookup_kwarg_isnull = f"{field_path}__isnull"
        self.lookup_val = params.get(self.lookup_kwarg)
        self.lookup_val_isnull = get_last_value_from_parameters(params, self.lookup_kwarg_isnull)
        self.empty_value_display = model_admin.get_empty_value_display()
        key = f"values:{model._meta.label_lower}:{field_path}:{request.user.pk}"
        self.lookup_choices = choices_cache.get(key)
        if self.lookup_choices is None:
            parent_model, _ = reverse_field_path(model, field_path)
            rows = model_admin.get_queryset(request) if model == parent_model else parent_model._default_manager.all()
            self.lookup_choices = list(rows.distinct().order_by(field.name).values_list(field.name, flat=True))
            choices_cache.set(key, self.lookup_choices)
        admin.FieldListFilter.__init__(self, field, request, params, model, model_admin, field_path)


def cached_list_filters(model, list_filter) -> list:
    """`list_filter` with each plain field Django would filter by its distinct values made cached."""
    from django.contrib.admin.utils import get_fields_from_path

    safe = []
    for entry in list_filter:
        if isinstance(entry, str):
            field = get_fields_from_path(model, entry)[-1]
            chosen = next(cls for test, cls in admin.FieldListFilter._field_list_filters if test(field))
            if chosen is admin.AllValuesFieldListFilter:
                entry = (entry, CachedValuesFieldListFilter)
        safe.append(entry)
    return safe


def ledger_years() -> tuple[int, int] | None:
    """
    The first and last year of the ledger's payment dates (a period's year lies within a year of
    them), from the date index's two ends, kept a few minutes; None for an empty ledger.
    """
    from bureau.models import Payment

    years = choices_cache.get("ledger-years")
    if years is None:
        ends = Payment.objects.aggregate(first=Min("paid_on"), last=Max("paid_on"))
        years = (ends["first"].year, ends["last"].year) if ends["first"] else ()
        choices_cache.set("ledger-years", years)
    return tuple(years) or None


class PeriodFilter(admin.SimpleListFilter):
    """
    期间 of the ledger: the periods the programmes' frequencies make (a year for 按年, its months
    for 按月 and 按次, none for 一次性) over the years paid, never a `DISTINCT` over the ledger.
    The parameter is the field's own (`?period=2021-03`), as before.
    """

    title = "期间"
    parameter_name = "period"

    def lookups(self, request, model_admin):
        from bureau.models import PaymentProgramme
        from bureau.models.payments import period_display

        years = ledger_years()
        frequencies = choices_cache.get("programme-frequencies")
        if frequencies is None:
            frequencies = set(PaymentProgramme.objects.values_list("frequency", flat=True))
            choices_cache.set("programme-frequencies", frequencies)
        choices = []
        if years:
            Frequency = PaymentProgramme.Frequency
            monthly = bool(frequencies & {Frequency.MONTHLY, Frequency.PER_OCCASION})
            # A January payment may be for last December, a cohort's grant for the cohort's year.
            for year in range(years[1], years[0] - 2, -1):
                if Frequency.ANNUAL in frequencies:
                    choices.append((str(year), period_display(str(year))))
                if monthly:
                    choices += [
                        (f"{year}-{month:02d}", period_display(f"{year}-{month:02d}")) for month in range(12, 0, -1)
                    ]
        if PaymentProgramme.Frequency.ONCE in frequencies:
            choices.append(("-", "无期间（一次性发放）"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(period="" if value == "-" else value)
