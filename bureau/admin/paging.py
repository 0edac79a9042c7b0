"""
A list's pages counted up to a cap (`CappedPaginator`, the kit's lists' paginator: bureau.admin.listcost):
「超过 10000 条」 beyond it, pages still reachable; a whole table on PostgreSQL not even counted
that far when its estimate is well past the cap.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.utils.functional import cached_property

# Rows a list counts at most: beyond it the list says 「超过 10000 条」 (settings.ADMIN_LIST_COUNT_CAP).
DEFAULT_COUNT_CAP = 10_000
# A whole table PostgreSQL estimates at more than this many times the cap is past it without counting.
ESTIMATE_MARGIN = 2


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
