"""
One placeholder in the admin's drop-down lists: 「请选择」, as the station's forms say, instead of
Django's 「---------」 (a foreign key, a field with choices, the list's action menu).

The kit's admins and inlines have it through `ScopedChoicesMixin`; every other admin of the site
(area settings, Django's users and groups, other packages' lists) is given it by
`use_placeholders_everywhere`, called by `BureauConfig.ready()` as `enforce_query_allow_list` is.
"""

from django import forms
from django.contrib import admin

EMPTY_CHOICE = "请选择"
DJANGO_DASHES = "---------"


def with_placeholder(formfield):
    """The form field with 「请选择」 where Django would show dashes."""
    if isinstance(formfield, forms.ModelChoiceField):
        if formfield.empty_label == DJANGO_DASHES:
            formfield.empty_label = EMPTY_CHOICE
    elif isinstance(formfield, forms.ChoiceField):
        choices = list(formfield.choices)
        if choices and choices[0] == ("", DJANGO_DASHES):
            formfield.choices = [("", EMPTY_CHOICE), *choices[1:]]
    return formfield


def _placeholder_formfields(formfield_for_dbfield):
    def with_placeholders(db_field, request, **kwargs):
        return with_placeholder(formfield_for_dbfield(db_field, request, **kwargs))

    return with_placeholders


class PlaceholderMixin:
    """For every admin and inline: 「请选择」 in its form's lists and in its action menu."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_placeholder(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, PlaceholderMixin):
                # An inline not built on the kit (Django's own InlineModelAdmin): its form fields likewise.
                inline.formfield_for_dbfield = _placeholder_formfields(inline.formfield_for_dbfield)
        return inlines

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", EMPTY_CHOICE)])


def use_placeholders_everywhere(site=admin.site) -> None:
    """Every admin of the site with `PlaceholderMixin` in front (re-registered as the query allow-list does)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, PlaceholderMixin):
            continue
        declared = type(model_admin)
        site.unregister(model)
        attributes = {"__module__": declared.__module__, "__qualname__": declared.__qualname__}
        site.register(model, type(declared.__name__, (PlaceholderMixin, declared), attributes))
