"""
Query parameters by allow-list: a list (admin change list, history list, API list) answers
only the filters, searches, orderings and paging parameters it declares. Anything else, an
undeclared lookup (`?changes__phone__old__startswith=195`), a lookup through a relation, a
JSON key, a typo, is a Chinese 400 for every role, superusers included: a list is never an
oracle for a value it does not offer to filter on, whatever fields the model gains later.

Declarations: the admin's `list_filter`, `date_hierarchy`, `search_fields` (`q`), columns
(`o`), Django's own paging and popup parameters, and `extra_lookups` for the links a page
of the portal makes itself (`?batch__id__exact=`); the API's filter set, the paginator's
parameters and `format`. Hooked once: `bureau.admin.lookups.QueryAllowListMixin` (every admin of
the site, see `enforce_query_allow_list`) and `bureau.api.filters.DeclaredQueryFilter` (the
default filter backend of every API view).
"""

UNDECLARED_QUERY_REFUSED = "该列表不接受查询参数“{name}”：只能使用列表提供的筛选、搜索、排序和翻页条件。"
# Shown instead of the name when it is too long to be worth echoing.
NAME_SHOWN_MAX = 60


def undeclared_message(name: str) -> str:
    """The Chinese refusal of an undeclared query parameter, naming it (shortened)."""
    shown = name if len(name) <= NAME_SHOWN_MAX else f"{name[:NAME_SHOWN_MAX]}…"
    return UNDECLARED_QUERY_REFUSED.format(name=shown)
