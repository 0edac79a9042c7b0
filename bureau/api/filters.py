"""
Query filters of the API (django-filter). Every filter calls a queryset method of the
model, so a filter here means the same as the same words in the admin or a report.

Area apps base their filter sets on `TownshipFilterSet` to get `?township=` for free.

No query string filters or searches on a sensitive field, for any role: a URL (and so an
access log) never carries an ID number, and for a user who sees it masked the row count of
`?id_number__startswith=` would tell it digit by digit. A user without `view_sensitive_person`
cannot order on one either (`refuse_sensitive_query`, called by every viewset of the kit).
Users with the permission find a person by the full number with `POST persons/find/`.

Beyond that, an API list takes only the query parameters it declares (bureau.base.query_params):
its filter set's filters, the paginator's parameters (`page`, `cursor`), `format`, a search or
an ordering where the view has the backend and declares the fields, and a view's own
`extra_query_params`. Anything else is a 400 with a Chinese `detail`: `DeclaredQueryFilter`,
the first default filter backend, so every API view inherits it.
"""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, status
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

from bureau.base.masking import SENSITIVE_QUERY_REFUSED, can_view_sensitive, is_sensitive_path
from bureau.base.query_params import undeclared_message
from bureau.models import BankAccount, Enterprise, Payment, Person, PreferentialCategory, Township

# Query parameters that name fields to order by (DRF's OrderingFilter, and the admin's habit).
ORDERING_PARAMS = ("ordering", "o", "sort")


class SensitiveQueryRefused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = SENSITIVE_QUERY_REFUSED
    default_code = "sensitive_query"


def refuse_sensitive_query(request, model, filterset_class=None) -> None:
    """
    Raise `SensitiveQueryRefused` (400) when a query string filters on a sensitive field (a
    parameter named as a path, `?person__id_number=`, `?phone__endswith=`, or a declared filter
    on such a field), or when a user without the permission orders on one (`?ordering=id_number`).
    """
    may_order = can_view_sensitive(request.user)
    filters = getattr(filterset_class, "base_filters", {}) if filterset_class else {}
    for key in request.query_params:
        declared = filters.get(key)
        on_field = declared is not None and not declared.method and is_sensitive_path(model, declared.field_name)
        ordered_on = (
            not may_order
            and key in ORDERING_PARAMS
            and any(is_sensitive_path(model, name.strip()) for name in request.query_params.get(key, "").split(","))
        )
        if is_sensitive_path(model, key) or on_field or ordered_on:
            raise SensitiveQueryRefused()


class UndeclaredQueryRefused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "该列表不接受这个查询参数。"
    default_code = "undeclared_query"


# The attributes naming the query parameters of DRF's paginators and of KeysetPagination.
PAGINATOR_PARAMS = (
    "page_query_param",
    "page_size_query_param",
    "cursor_query_param",
    "limit_query_param",
    "offset_query_param",
)


def filterset_params(filterset_class) -> set[str]:
    """The query parameters a filter set reads: each filter's name, suffixed where its widget is split (`_after`)."""
    names = set()
    for name, declared in filterset_class.base_filters.items():
        widget = declared.field.widget
        suffixes = getattr(widget, "suffixes", None) or getattr(widget, "widgets_names", None)
        if suffixes:
            names |= {f"{name}_{suffix.lstrip('_')}" if suffix else name for suffix in suffixes}
        else:
            names.add(name)
    return names


def declared_query_params(request, queryset, view) -> set[str]:
    """Every query parameter the view's list declares (see the module's docstring)."""
    declared = set(getattr(view, "extra_query_params", ()))
    if api_settings.URL_FORMAT_OVERRIDE:
        declared.add(api_settings.URL_FORMAT_OVERRIDE)
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = backend.get_filterset_class(view, queryset)
            if filterset_class is not None:
                declared |= filterset_params(filterset_class)
        elif isinstance(backend, SearchFilter) and backend.get_search_fields(view, request):
            declared.add(backend.search_param)
        elif isinstance(backend, OrderingFilter) and getattr(view, "ordering_fields", None):
            declared.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    for attribute in PAGINATOR_PARAMS:
        name = getattr(paginator, attribute, None)
        if name:
            declared.add(name)
    return declared


def undeclared_orderings(request, queryset, view) -> list[str]:
    """Fields named by `?ordering=` that the view does not declare in `ordering_fields` (DRF drops them silently)."""
    for backend_class in getattr(view, "filter_backends", ()):
        if issubclass(backend_class, OrderingFilter):
            backend = backend_class()
            valid = {name for name, _ in backend.get_valid_fields(queryset, view, {"request": request})}
            asked = [name.strip() for name in request.query_params.get(backend.ordering_param, "").split(",")]
            return [name for name in asked if name and name.lstrip("-") not in valid]
    return []


class DeclaredQueryFilter(BaseFilterBackend):
    """
    The first filter backend of every API view: a query parameter the list does not declare
    (`?changes__contains=1`, `?person__phone__startswith=`, `?search=` where there is no search)
    is a 400 with a Chinese `detail`, for every role; a sensitive one says so (`refuse_sensitive_query`).
    """

    def filter_queryset(self, request, queryset, view):
        if not request.query_params:
            return queryset  # nothing to refuse
        filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
        refuse_sensitive_query(request, queryset.model, filterset_class)
        declared = declared_query_params(request, queryset, view)
        for key in request.query_params:
            if key not in declared:
                raise UndeclaredQueryRefused(undeclared_message(key))
        for name in undeclared_orderings(request, queryset, view):
            raise UndeclaredQueryRefused(undeclared_message(f"ordering={name}"))
        return queryset


def _inert_when_unasked(filterset_class) -> bool:
    """
    True when a filter set given none of its parameters leaves the queryset as it is: django-filter's
    own `__init__`, `qs` and `filter_queryset`, no required filter, and every filter a class of
    django-filter's or the kit's (each returns the queryset unchanged for an empty value).
    """
    inert = _inert.get(filterset_class)
    if inert is None:
        base = django_filters.FilterSet
        inert = (
            all(getattr(filterset_class, name) is getattr(base, name) for name in ("__init__", "filter_queryset"))
            and filterset_class.qs is base.qs
            and all(
                not declared.extra.get("required") and type(declared).filter.__module__.startswith("django_filters.")
                for declared in filterset_class.base_filters.values()
            )
        )
        _inert[filterset_class] = inert
    return inert


_inert: dict = {}


class FilterSetBackend(DjangoFilterBackend):
    """
    django-filter's backend, except that a list asked for with none of its filter set's parameters
    (the plain list, or only `?cursor=`) is not run through a filter set: building one (its form and
    a deep copy of every filter) cost about a tenth of an API list request, to filter nothing.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if _inert_when_unasked(filterset_class) and not filterset_params(filterset_class) & set(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter; a value beyond a 64-bit id is a 400, not a database overflow (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class TownshipFilterSet(django_filters.FilterSet):
    """
    `?township=` by code or id; every foreign key named in `Meta.fields` filters by a
    bounded integer id (`?person=12`), labelled from the field (人员 id).
    """

    township = django_filters.CharFilter(
        method="filter_township", label="乡镇（街道）", help_text="乡镇（街道）的代码或 id。"
    )

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if field.many_to_one and lookup_expr in (None, "exact"):
            return IntegerFilter(field_name=field_name, label=f"{field.verbose_name} id")
        return super().filter_for_field(field, field_name, lookup_expr)

    def filter_township(self, queryset, name, value):
        township = Township.objects.filter(code=value).first()
        # Codes come first: a code made of digits must not be mistaken for an id.
        if township is None and value.isdigit() and len(value) <= 18:
            township = Township.objects.filter(pk=int(value)).first()
        if township is None:
            return queryset.none()
        return queryset.in_township(township)


class YearFilterSet(TownshipFilterSet):
    """`?year=` on the record's main date (`year_lookup`), and `?township=` from the base."""

    year = IntegerFilter(method="filter_year", label="年度", min_value=1900, max_value=2100)
    year_lookup = "start_date__year"

    def filter_year(self, queryset, name, value):
        return queryset.filter(**{self.year_lookup: value})


class PersonFilterSet(TownshipFilterSet):
    category = django_filters.ChoiceFilter(
        choices=PreferentialCategory.choices,
        method="filter_category",
        label="优抚类别",
        help_text="今天持有该优抚类别的人员。",
    )
    q = django_filters.CharFilter(
        method="filter_search",
        label="搜索",
        help_text="姓名包含该文字。按完整身份证号查找请用 POST persons/find/（身份证号不放在网址中）。",
    )

    class Meta:
        model = Person
        fields = ["township", "status", "review_status", "category", "q"]

    def filter_category(self, queryset, name, value):
        return queryset.holding(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class PaymentFilterSet(TownshipFilterSet):
    programme = django_filters.CharFilter(method="filter_programme", label="资金项目代码")
    year = IntegerFilter(method="filter_year", label="年度", min_value=1900, max_value=2100)
    person = IntegerFilter(field_name="person", label="人员 id")

    class Meta:
        model = Payment
        fields = ["township", "programme", "year", "person"]

    def filter_programme(self, queryset, name, value):
        return queryset.of_programme(value)

    def filter_year(self, queryset, name, value):
        return queryset.in_year(value)


class EnterpriseFilterSet(TownshipFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label="企业名称包含")
    credit_code = django_filters.CharFilter(field_name="credit_code", lookup_expr="iexact", label="统一社会信用代码")

    class Meta:
        model = Enterprise
        fields = ["township", "sector", "veteran_founded", "credit_code", "q"]


class BankAccountFilterSet(TownshipFilterSet):
    person = IntegerFilter(field_name="person", label="人员 id")

    class Meta:
        model = BankAccount
        fields = ["township", "person", "active"]
