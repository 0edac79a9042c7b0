"""
What a list costs does not grow with its table (`ListCostMixin`, on every kit admin): the rows are
counted up to a cap (bureau.admin.paging: 「超过 10000 条」 beyond it, pages still reachable), the
whole table is never counted, a filter on a plain field reads its values once in a few minutes (bureau.admin.filters),
a filter spanning a to-many relation narrows by a semi-join rather than a `DISTINCT` over the rows,
and a row's link is made from the URL pattern reversed once, not by a `reverse()` per row.
"""

import contextlib
import functools
from contextvars import ContextVar

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

from bureau.admin.filters import cached_list_filters
from bureau.admin.paging import CappedPaginator, count_cap

# Reversed in the key's place once: digits, so that an `<int:…>` pattern takes it too.
PK_PLACEHOLDER = "918273645546372819"


@functools.lru_cache(maxsize=256)
def _url_pattern(name: str, current_app: str | None, prefix: str, resolver) -> str:
    return reverse(name, args=[PK_PLACEHOLDER], current_app=current_app)


# The patterns of the list whose rows are being rendered (`rows_patterns`), by name and app.
_rows_patterns: ContextVar[dict | None] = ContextVar("admin_rows_url_patterns", default=None)


@contextlib.contextmanager
def rows_patterns():
    """
    While one list's rows render: each pattern `admin_url` uses is looked up once, not once per row
    (the request's script prefix and URLconf, read from thread locals, do not change within it).
    """
    token = _rows_patterns.set({})
    try:
        yield
    finally:
        _rows_patterns.reset(token)


def admin_url(name: str, pk, current_app: str | None = None) -> str:
    """
    `reverse(name, args=[pk])` for an integer key, from the pattern reversed once per URLconf and
    script prefix: a list of 100 rows makes its links without 100 reverses per column.
    """
    if not isinstance(pk, int):
        return reverse(name, args=[pk], current_app=current_app)
    held = _rows_patterns.get()
    pattern = held.get((name, current_app)) if held is not None else None
    if pattern is None:
        pattern = _url_pattern(name, current_app, get_script_prefix(), get_resolver(get_urlconf()))
        if held is not None:
            held[(name, current_app)] = pattern
    return pattern.replace(PK_PLACEHOLDER, str(pk), 1)


class KitChangeList(ChangeList):
    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        if isinstance(pk, int):
            return admin_url(name, pk, current_app=self.model_admin.admin_site.name)
        return reverse(name, args=[quote(pk)], current_app=self.model_admin.admin_site.name)

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if not queryset.query.distinct or queryset.query.distinct_fields:
            return queryset
        # A filter or search across a to-many relation: Django removes the duplicate rows by a
        # DISTINCT over every matching row (then sorts them all); keep the rows whose key matches
        # instead (a semi-join), ordered and joined as the list is.
        matching = queryset._chain()
        matching.query.distinct = False
        narrowed = self.root_queryset.filter(pk__in=matching.order_by().values("pk"))
        narrowed.query.select_related = queryset.query.select_related
        return narrowed.order_by(*queryset.query.order_by)

    def get_results(self, request):
        super().get_results(request)
        self.count_capped = getattr(self.paginator, "capped", False)


class ListCostMixin:
    """
    What every kit list shares so that its cost does not grow with the table: no count of the
    whole table, a capped count of the filtered rows, the kit's change list (above).
    """

    show_full_result_count = False
    # Facet counts are a count per choice over every filtered row.
    show_facets = admin.ShowFacets.NEVER

    def get_list_filter(self, request):
        return cached_list_filters(self.model, super().get_list_filter(request))

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Past the cap a list is paginated and has no 显示全部, so the cap is at least what a page may show.
        cap = max(count_cap(), per_page, self.list_max_show_all)
        return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, KitChangeList):
            return changelist
        return (
            KitChangeList
            if changelist is ChangeList
            else type(f"Kit{changelist.__name__}", (KitChangeList, changelist), {})
        )
