"""
Query filters of the API (django-filter). Every filter calls a queryset method of the
model, so a filter here means the same as the same words in the admin or a report.

Area apps base their filter sets on `TownshipFilterSet` to get `?township=` for free.

No query string filters or searches on a sensitive field, for any role: a URL (and so an
access log) never carries an ID number, and for a user who sees it masked the row count of
`?id_number__startswith=` would tell it digit by digit. A user without `view_sensitive_person`
cannot order on one either (`refuse_sensitive_query`, called by every viewset of the kit).
Users with the permission find a person by the full number with `POST persons/find/`.
"""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, status

from bureau.masking import SENSITIVE_QUERY_REFUSED, can_view_sensitive, is_sensitive_path
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
