"""
`{% kit_result_list cl %}`: a kit list's rows by the lean renderer (bureau.admin.rows), others' by Django's;
`{% kit_list_filters cl %}`: a list's filter blocks, kept per list, user scope, query and choices (bureau.admin.filterblocks);
`{% kit_admin_actions %}`: Django's `{% admin_actions %}`, its HTML kept per list, actions offered and counts;
`{% kit_app_list %}`: the side menu rendered once per user's app list and current entry.
"""

from django import template
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.templatetags.admin_list import admin_actions, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template.defaultfilters import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from bureau.admin.filterblocks import Unkeyable, filter_blocks_html, frozen
from bureau.admin.rows import lean_result_list, lean_rows_apply
from bureau.sites import forget_oldest

register = template.Library()


class KitResultListNode(InclusionAdminNode):
    """A lean list's table from admin/kit_change_list_results.html (its body one string), others' as Django renders them."""

    def render(self, context):
        cl = self.args[0].resolve(context)
        if not lean_rows_apply(cl):
            return super().render(context)
        template = context.template.engine.get_template("admin/kit_change_list_results.html")
        return template.render(context.new(lean_result_list(cl)))


@register.tag(name="kit_result_list")
def kit_result_list_tag(parser, token):
    return KitResultListNode(
        parser, token, func=result_list, template_name="change_list_results.html", takes_context=False
    )


@register.simple_tag(takes_context=True)
def kit_list_filters(context, cl):
    return mark_safe(filter_blocks_html(cl, context.get("request")))


# Action bars a process keeps (lists × the actions a user is offered × counts); the oldest dropped beyond it.
ACTION_BARS_SIZE = 512
action_bars: dict[tuple, str] = {}


def action_bar_key(context, index: int) -> tuple | None:
    """What admin/actions.html writes from, or None when that is not known (a form of its own, a bound form)."""
    form, cl = context.get("action_form"), context.get("cl")
    if type(form) is not ActionForm or form.is_bound or form.prefix or form.initial or cl is None:
        return None
    try:
        choices = frozen(list(form.fields["action"].choices))
    except Unkeyable:
        return None
    return (
        type(cl.model_admin),
        cl.opts.label_lower,
        index,
        choices,
        form.auto_id,
        bool(context.get("actions_selection_counter")),
        frozen(context.get("selection_note")),
        frozen(context.get("selection_note_all")),
        frozen(context.get("module_name")),
        len(cl.result_list),
        cl.result_count,
        getattr(cl, "count_capped", False),
        getattr(getattr(cl, "paginator", None), "cap", None),
        get_language(),
    )


class KitActionsNode(InclusionAdminNode):
    def render(self, context):
        # What Django's `admin_actions` does: which of the page's action bars this is.
        index = context.get("action_index", -1) + 1
        key = action_bar_key(context, index)
        if key is None:
            return super().render(context)
        bar = action_bars.get(key)
        if bar is None:
            bar = super().render(context)
            if len(action_bars) >= ACTION_BARS_SIZE:
                forget_oldest(action_bars)
            action_bars[key] = bar
        else:
            context["action_index"] = index
        return bar


@register.tag(name="kit_admin_actions")
def kit_admin_actions_tag(parser, token):
    return KitActionsNode(parser, token, func=admin_actions, template_name="actions.html")


# Side menus a process keeps rendered (the user's app list × which entry is the current page's).
NAV_CACHE_SIZE = 256
nav_menus: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def kit_app_list(context, app_list, show_changelinks):
    """
    admin/app_list.html as `{% include … with app_list=… show_changelinks=… %}` renders it, kept per
    app list (bureau.sites: the user and their permissions) and the entries the page's path marks
    current: the side menu of a user's next page of the same list is not rendered again.
    """
    request = context.get("request")
    key_of = getattr(admin.site, "app_dict_key", None)
    key = key_of(request) if request is not None and key_of is not None else None
    if key is not None:
        path = urlencode(request.path)
        current = tuple(
            (
                bool(app.get("app_url")) and app["app_url"] in path,
                tuple(bool(row.get("admin_url")) and row["admin_url"] in path for row in app["models"]),
            )
            for app in app_list
        )
        key = (key, current, bool(show_changelinks), get_language())
        menu = nav_menus.get(key)
        if menu is not None:
            return mark_safe(menu)
    template = context.template.engine.get_template("admin/app_list.html")
    with context.push(app_list=app_list, show_changelinks=show_changelinks):
        menu = template.render(context)
    if key is not None:
        if len(nav_menus) >= NAV_CACHE_SIZE:
            forget_oldest(nav_menus)
        nav_menus[key] = menu
    return mark_safe(menu)
