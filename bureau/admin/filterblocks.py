"""
A list's filter blocks (the 筛选 sidebar) rendered once per list, user scope, query string and choices, and
kept in the process like the side menu (bureau.sites): the next page of the same list with the same
parameters takes the HTML it rendered before, instead of asking each filter for its choices' links and
rendering admin/filter.html once per filter.

What a block is made of is its key, so a kept block is never another's:
- the admin, the language and the script prefix;
- the user's scope (their township and whether they see every township) and permission set;
- every query parameter of the list (a choice's link keeps the others; the selected choice is a parameter);
- each filter's own choices as this request read them (`lookup_choices`: the townships, categories,
  statuses; a township added, renamed or out of the user's scope is another key), its title and template.

A filter whose choices Django does not make from those (a `choices()` of its own, facet counts, a date
filter's "today") is not kept: the list renders its blocks as Django does.
"""

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.urls import get_script_prefix
from django.utils.functional import Promise
from django.utils.translation import get_language

from bureau.admin.filters import DateRangeFilter
from bureau.sites import forget_oldest

# Filters whose blocks are a function of their choices and the list's parameters: Django's own `choices()`.
KEPT_CHOICES = {
    admin.SimpleListFilter.choices,
    admin.RelatedFieldListFilter.choices,
    admin.BooleanFieldListFilter.choices,
    admin.ChoicesFieldListFilter.choices,
    admin.AllValuesFieldListFilter.choices,
    admin.EmptyFieldListFilter.choices,
    DateRangeFilter.choices,
}

# Filter blocks a process keeps (lists × users' scopes × query strings); the oldest dropped beyond it.
FILTER_BLOCKS_SIZE = 512
filter_blocks: dict[tuple, str] = {}


class Unkeyable(Exception):
    pass


def frozen(value):
    """`value` as a key: lists as tuples, lazy texts as text; Unkeyable for anything else unhashable."""
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    if isinstance(value, Promise):
        return str(value)
    try:
        hash(value)
    except TypeError:
        raise Unkeyable from None
    return value


def filter_key(spec) -> tuple:
    """What one filter's block is made of besides the list's parameters (Unkeyable when that is not known)."""
    if type(spec).choices not in KEPT_CHOICES:
        raise Unkeyable
    field = getattr(spec, "field", None)
    return (
        type(spec),
        spec.template,
        frozen(spec.title),
        frozen(getattr(spec, "lookup_choices", None)),
        frozen(field.flatchoices) if isinstance(spec, admin.ChoicesFieldListFilter) else None,
        frozen(getattr(spec, "empty_value_display", None)),
    )


def user_scope(user) -> tuple:
    from bureau.base.scoping import sees_all_townships

    return (
        user.pk,
        getattr(user, "township_id", None),
        sees_all_townships(user),
        frozenset(user.get_all_permissions()),
    )


def blocks_key(cl, request) -> tuple | None:
    """The key of the list's filter blocks, or None when they are not kept."""
    if cl.add_facets or cl.is_popup or not getattr(request.user, "is_authenticated", False):
        return None
    try:
        specs = tuple(filter_key(spec) for spec in cl.filter_specs)
    except Unkeyable:
        return None
    return (
        type(cl.model_admin),
        cl.model._meta.label_lower,
        user_scope(request.user),
        tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
        get_language(),
        get_script_prefix(),
        specs,
    )


def render_blocks(cl) -> str:
    """The blocks as `{% for spec in cl.filter_specs %}{% admin_list_filter cl spec %}{% endfor %}` writes them."""
    return "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)


def filter_blocks_html(cl, request) -> str:
    key = blocks_key(cl, request) if request is not None else None
    if key is None:
        return render_blocks(cl)
    html = filter_blocks.get(key)
    if html is None:
        html = render_blocks(cl)
        if len(filter_blocks) >= FILTER_BLOCKS_SIZE:
            forget_oldest(filter_blocks)
        filter_blocks[key] = html
    return html
