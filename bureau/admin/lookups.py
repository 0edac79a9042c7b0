"""
The change list's query allow-list (bureau.base.query_params): every list of the admin takes only the
query parameters it declares, and none that asks about a masked value. `QueryAllowListMixin`
answers `lookup_allowed` and `changelist_view` once for the kit (the concern's one override of
each); `enforce_query_allow_list` puts it in front of admins that do not build on the kit.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.admin.views.main import IGNORED_PARAMS, IS_POPUP_VAR, PAGE_VAR, ChangeList
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import render

from bureau.base import masking
from bureau.base.masking import can_view_sensitive
from bureau.base.query_params import undeclared_message
from bureau.models import TownshipRecord


class UndeclaredLookup(DisallowedModelAdminLookup):
    """A query parameter that the change list does not declare (bureau.base.query_params)."""

    def __init__(self, name: str):
        super().__init__(f"Filtering by {name} is not declared")
        self.name = name


def popup_lookup(model, key: str, values) -> bool:
    """A parameter Django's raw-id popup adds from a foreign key's `limit_choices_to`."""
    for fk_lookup in model._meta.related_fkey_lookups:
        if callable(fk_lookup):
            fk_lookup = fk_lookup()
        allowed = url_params_from_lookup_dict(fk_lookup).items()
        if any((key, value) in allowed for value in values):
            return True
    return False


class AllowListChangeList(ChangeList):
    """
    A change list answering only the parameters its admin declares: those its list filters and
    date hierarchy take (Django pops them from the parameters while building the filters) and the
    admin's `declared_lookups`. Django's own parameters (`q`, `o`, `p`, `all`, `e`, `_popup`,
    `_to_field`, `_facets`) are not lookups. Django itself allows any lookup on a local field,
    JSON keys included (`?changes__phone__old__startswith=`): a lookup is refused unless declared.
    """

    def get_filters(self, request):
        asked = self.get_filters_params()
        declared = self.model_admin.declared_lookups(request)
        undeclared = [
            key
            for key, values in asked.items()
            if key not in declared and not (IS_POPUP_VAR in request.GET and popup_lookup(self.model, key, values))
        ]
        try:
            filters = super().get_filters(request)
        except IncorrectLookupParameters as error:
            # A parameter naming no field: refused as undeclared, rather than Django's `?e=1` page.
            if isinstance(error.__cause__, FieldDoesNotExist):
                for key in undeclared:
                    try:
                        lookup_spawns_duplicates(self.lookup_opts, key)
                    except FieldDoesNotExist:
                        raise UndeclaredLookup(key) from None
            raise
        remaining = filters[2]
        for key in undeclared:
            if key in remaining:
                raise UndeclaredLookup(key)
        return filters


class QueryAllowListMixin:
    """
    Every change list (history lists and the audit lists too) takes only the query parameters
    it declares (bureau.base.query_params); anything else is a Chinese 400 page for every role.
    A page of the portal that links to a list with a lookup its filters do not name declares it
    on the list's admin: `extra_lookups = ("batch__id__exact",)`.
    """

    extra_lookups: tuple[str, ...] = ()

    def declared_lookups(self, request) -> set[str]:
        """The lookups this list takes besides those of its list filters and date hierarchy."""
        declared = set(self.extra_lookups)
        # The review inbox (bureau.rules.review) links to one township's submitted records through the
        # model's township lookup, also where that is a path (`person__township`) no filter names.
        township_lookup = getattr(self.model, "township_lookup", None)
        if township_lookup:
            declared |= {f"{township_lookup}__id__exact", f"{township_lookup}__isnull"}
        if issubclass(self.model, TownshipRecord):
            declared.add("review_status__exact")
        return declared

    def lookup_allowed(self, lookup, value, request=None):
        # A sensitive field is refused even where declared, with its own message (SensitiveQueryMixin).
        if masking.is_sensitive_path(self.model, lookup):
            return False
        if lookup in self.declared_lookups(request):
            return True
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, AllowListChangeList):
            return changelist
        return type(f"AllowList{changelist.__name__}", (AllowListChangeList, changelist), {})

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup as error:
            return self.query_refused(request, error)

    def query_refused(self, request, error: DisallowedModelAdminLookup):
        """The 400 page: Django's own answer is an English "Bad Request (400)" page."""
        asked = [key for key in request.GET if key not in IGNORED_PARAMS and key != PAGE_VAR]
        if any(masking.is_sensitive_path(self.model, key) for key in asked):
            message = masking.SENSITIVE_QUERY_REFUSED
        elif isinstance(error, UndeclaredLookup):
            message = undeclared_message(error.name)
        else:
            # Refused by Django's own rule (a relation path no filter names).
            refused = next((key for key in asked if not self.lookup_allowed(key, request.GET[key], request)), None)
            message = undeclared_message(refused) if refused else LOOKUP_REFUSED
        context = {
            **self.admin_site.each_context(request),
            "title": "查询条件无效",
            "message": message,
            "changelist_url": request.path,
            "opts": self.opts,
        }
        return render(request, "admin/query_refused.html", context, status=400)


LOOKUP_REFUSED = "不能按该条件筛选。"


class SensitiveQueryMixin(QueryAllowListMixin):
    """
    No change list answers a question about a value it masks, and no URL carries one.
    A filter on a sensitive field or a path ending on one (`?id_number__startswith=`,
    `?person__phone=`) is a Chinese 400 page for every role, the search leaves out
    sensitive search fields (`=id_number`), so it answers the same whatever the hidden
    value, and for a user without `view_sensitive_person` a column ordered by a sensitive
    field does not sort. Users with the permission find a record by the full ID number
    through `ScopedAdmin.find_view`, in a POST body.
    """

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return [field for field in fields if not masking.is_sensitive_search_field(self.model, field)]

    def get_changelist(self, request, **kwargs):
        if can_view_sensitive(request.user):
            return super().get_changelist(request, **kwargs)
        return type("MaskedChangeList", (UnsortableSensitiveChangeList, super().get_changelist(request, **kwargs)), {})


def enforce_query_allow_list(site=admin.site) -> None:
    """
    Every admin of the site takes only the query parameters its list declares: an admin that does
    not build on the kit (the user and group admins, the token and lockout lists of other
    packages, district settings) is registered again with `SensitiveQueryMixin` in front.
    Called by `BureauConfig.ready()`, after every app's admin module is imported.
    """
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, SensitiveQueryMixin):
            continue
        declared = type(model_admin)
        site.unregister(model)
        attributes = {"__module__": declared.__module__, "__qualname__": declared.__qualname__}
        site.register(model, type(declared.__name__, (SensitiveQueryMixin, declared), attributes))


class UnsortableSensitiveChangeList(ChangeList):
    """A change list for users without the permission: `?o=` on a column ordered by a sensitive field is ignored."""

    def get_ordering_field(self, field_name):
        order_field = super().get_ordering_field(field_name)
        if isinstance(order_field, str) and masking.is_sensitive_path(self.model, order_field):
            return None
        return order_field
