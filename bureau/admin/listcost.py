"""
What a list costs does not grow with its table (`ListCostMixin`, on every kit admin): the rows are
counted up to a cap (「超过 10000 条」 beyond it, pages still reachable; a whole table on
PostgreSQL not even that when its estimate is well past the cap), the whole table is never counted, a filter on a plain field reads its values once in a few minutes (bureau.admin.filters),
a filter spanning a to-many relation narrows by a semi-join rather than a `DISTINCT` over the rows,
and a row's link is made from the URL pattern reversed once, not by a `reverse()` per row.
"""

import contextlib
import functools
from contextvars import ContextVar

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property

from bureau.admin.filters import cached_list_filters

# Rows a list counts at most: beyond it the list says 「超过 10000 条」 (settings.ADMIN_LIST_COUNT_CAP).
DEFAULT_COUNT_CAP = 10_000
# A whole table PostgreSQL estimates at more than this many times the cap is past it without counting.
ESTIMATE_MARGIN = 2
# Reversed in the key's place once: digits, so that an `<int:…>` pattern takes it too.
PK_PLACEHOLDER = "918273645546372819"


def count_cap() -> int:
    return getattr(settings, "ADMIN_LIST_COUNT_CAP", DEFAULT_COUNT_CAP)


class CappedPaginator(Paginator):
    """
    Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)`), exact below
    the cap; above it `capped` is true and pages past the counted ones are still served.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = count_cap() if cap is None else cap

    @cached_property
    def count(self):
        rows = self.object_list
        if not hasattr(rows, "query"):
            return len(rows)
        # Unordered and only the key: the database stops at the cap whichever way it reads.
        capped = rows.order_by().values("pk")[: self.cap + 1]
        if unfiltered_on_postgresql(rows):
            return estimated_or_counted(capped, self.cap)
        return capped.count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # The count stopped at the cap, the table did not: a later page is read, maybe empty.
            if self.capped and int(number) > 1:
                return int(number)
            raise

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if not self.capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        # The last page is not known: the first pages, those around this one, then "…".
        number = self.validate_number(number)
        start = max(number - on_each_side, 1)
        if start > on_ends + 2:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
        else:
            start = 1
        yield from range(start, number + on_each_side + 1)
        yield self.ELLIPSIS


def unfiltered_on_postgresql(rows) -> bool:
    """Whether `rows` is a whole table (no condition, grouping, DISTINCT or union) on PostgreSQL."""
    query = rows.query
    return (
        connections[rows.db].vendor == "postgresql"
        and not query.where
        and not query.distinct
        and query.group_by is None
        and query.combinator is None
        and not query.is_sliced
    )


def estimated_or_counted(capped, cap: int) -> int:
    """
    A whole table's rows up to the cap, in one statement: past the cap without counting when
    PostgreSQL's estimate of the table (`pg_class.reltuples`, kept by ANALYZE) is over
    ESTIMATE_MARGIN times the cap, else counted up to it as `capped.count()` does. The capped count
    of a whole table reads cap + 1 rows for every page (1.5 ms of the server's time at 10,000, half
    of what a list page costs it); the estimate is one catalog row. A table emptied since its last
    ANALYZE may say 「超过」 until autovacuum reads it again; its pages stay correct.
    """
    connection = connections[capped.db]
    rows_sql, params = capped.query.get_compiler(using=capped.db).as_sql()
    sql = (
        "SELECT CASE WHEN COALESCE((SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)), -1) > %s "
        f"THEN %s ELSE (SELECT COUNT(*) FROM ({rows_sql}) subquery) END"
    )
    table = connection.ops.quote_name(capped.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [table, ESTIMATE_MARGIN * cap, cap + 1, *params])
        return int(cursor.fetchone()[0])


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
