"""
A kit list's rows rendered lean (`{% kit_result_list cl %}`, templates/admin/change_list.html): each
column's way to its value and its display is prepared once per list, the rows' HTML built in
Python, one string per row, the table's body one string (templates/admin/kit_change_list_results.html). The HTML is Django's (`items_for_result`, cell for cell); what is done
once per list instead of per cell: the field lookup, the empty value, the column's classes, whether
it is the link, the link's URL with the list's preserved filters (the pattern reversed once) and the
actions checkbox (one widget rendered, the row's key and name put in its place).

Django's renderer stays for what the lean one does not do: a list with `list_editable` (a formset),
a popup (`_popup`, `_to_field`), and lists that are not the kit's.
"""

import datetime
from decimal import Decimal
from html import escape as html_escape
from types import SimpleNamespace

from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_list import _coerce_field_name, result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from bureau.admin.listcost import PK_PLACEHOLDER, KitChangeList, rows_patterns

# Stand-ins for the row's name and key in the actions checkbox rendered once (escaping leaves them as they are).
NAME_TOKEN = "kitrowname5f3a9c"
KEY_TOKEN = "kitrowkey7b2e4d"


class _Named:
    def __str__(self):
        return NAME_TOKEN


class _Stand(_Named):
    pk = KEY_TOKEN


def lean_rows_apply(cl) -> bool:
    """Whether the kit's renderer draws this list's rows (else Django's `items_for_result` does)."""
    return isinstance(cl, KitChangeList) and not getattr(cl, "formset", None) and not cl.is_popup and not cl.to_field


def _lookup(cl, field_name):
    """`(obj) -> (field, attr, value)` as `lookup_field` answers, with what does not depend on the row found once."""
    model_admin = cl.model_admin
    if isinstance(field_name, str):
        try:
            field = _get_non_gfk_field(cl.lookup_opts, field_name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        else:
            return lambda obj: (field, None, getattr(obj, field_name))
    if callable(field_name):
        return lambda obj: (None, field_name, field_name(obj))
    if field_name == "action_checkbox" and type(model_admin).action_checkbox is ModelAdmin.action_checkbox:
        attr = model_admin.action_checkbox
        # Django's widget, rendered once with stand-ins for the row's name and key.
        html = _checkbox_widget(model_admin)
        # html.escape is Django's `escape` without its lazy-argument wrapper.
        return lambda obj: (
            None,
            attr,
            mark_safe(html.replace(NAME_TOKEN, html_escape(str(obj))).replace(KEY_TOKEN, html_escape(str(obj.pk)))),
        )
    if field_name != "__str__" and hasattr(model_admin, field_name):
        attr = getattr(model_admin, field_name)
        return lambda obj: (None, attr, attr(obj))
    return lambda obj: lookup_field(field_name, obj, model_admin)


class _Column:
    def __init__(self, cl, field_name, index, is_link, first):
        self.lookup = _lookup(cl, field_name)
        self.field_name = field_name
        self.name = _coerce_field_name(field_name, index)
        self.is_link = is_link
        self.tag = "th" if first else "td"
        self.shown = {}
        self.format_date = _date_column_format(cl, field_name)
        self.field = _plain_field(cl, field_name)
        if self.field is not None and not is_link:
            # What `cell` writes for a field's column, with what does not depend on the row found once.
            nowrap = isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey))
            self.open_tag = f'<td class="field-{self.name}{" nowrap" if nowrap else ""}">'
            self.missing_tag = f'<td class="field-{self.name}">'
            self.shown_html = {}
            self.cell = self.field_cell
        elif not is_link:
            self.open_tag = f'<td class="field-{self.name}">'
            self.checkbox_html = _default_checkbox(cl, field_name)
            self.attr = _column_method(cl, field_name)
            self.relation = _relation_field(cl, field_name)
            if self.checkbox_html is not None:
                self.cell = self.checkbox_cell
            elif self.attr is not None:
                self.boolean = getattr(self.attr, "boolean", False)
                self.cell = self.method_cell
            elif self.relation is not None:
                self.nowrap_tag = f'<td class="field-{self.name} nowrap">'
                self.cell = self.relation_cell
        else:
            self.relation = _relation_field(cl, field_name)
            if self.field is not None or self.relation is not None:
                field = self.field or self.relation
                nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
                self.link_open = f'<{self.tag} class="field-{self.name}{" nowrap" if nowrap else ""}">'
                self.cell = self.link_cell

    def link_cell(self, obj, empty_value_display, link):
        """`cell` of the link column on a field or foreign key of the row: the value as `cell` shows it, in the row's link."""
        try:
            value = getattr(obj, self.field_name)
        except ObjectDoesNotExist:
            return _Column.cell(self, obj, empty_value_display, link)
        if self.relation is not None:
            shown = html(empty_value_display if value is None else value)
        else:
            if isinstance(value, str) and value.strip() == "":
                value = ""
            shown = html(self.field_display(value, self.field, empty_value_display))
        url = link(obj)
        inner = shown if url is None else f'<a href="{url}">{shown}</a>'
        return f"{self.link_open}{inner}</{self.tag}>"

    def checkbox_cell(self, obj, empty_value_display, link):
        """`cell` of Django's actions checkbox: its widget rendered once, the row's name and key put in."""
        try:
            name, key = html_escape(str(obj)), html_escape(str(obj.pk))
        except ObjectDoesNotExist:
            return f"{self.open_tag}{html(empty_value_display)}</td>"
        return (
            '<td class="action-checkbox">'
            + self.checkbox_html.replace(NAME_TOKEN, name).replace(KEY_TOKEN, key)
            + "</td>"
        )

    def method_cell(self, obj, empty_value_display, link):
        """`cell` of a column shown by a method (not a link): text and safe HTML directly, the rest as `cell` does."""
        try:
            value = self.attr(obj)
        except ObjectDoesNotExist:
            return f"{self.open_tag}{html(empty_value_display)}</td>"
        kind = type(value)
        if (kind is str or kind is SafeString) and value and not value.isspace() and not self.boolean:
            # What `display_for_value` and `conditional_escape` make of a non-blank text or safe string.
            return self.open_tag + (value if kind is SafeString else html_escape(value)) + "</td>"
        return self.cell_of(obj, None, self.attr, value, empty_value_display, link)

    def relation_cell(self, obj, empty_value_display, link):
        """`cell` of a column on a foreign key of the row (not a link): the related row's name, else the empty value."""
        try:
            value = getattr(obj, self.field_name)
        except ObjectDoesNotExist:
            return f"{self.open_tag}{html(empty_value_display)}</td>"
        return self.nowrap_tag + html(empty_value_display if value is None else value) + "</td>"

    def field_cell(self, obj, empty_value_display, link):
        """`cell` of a column on a field of the row itself (not a link, not a reverse relation)."""
        try:
            value = getattr(obj, self.field_name)
        except ObjectDoesNotExist:
            return f"{self.missing_tag}{html(empty_value_display)}</td>"
        if isinstance(value, str) and value.strip() == "":
            value = ""
        key = (value, str(value)) if isinstance(value, (Decimal, float)) else value
        try:
            return self.open_tag + self.shown_html[key] + "</td>"
        except KeyError:
            shown = self.shown_html[key] = html(self.field_display(value, self.field, empty_value_display))
        except TypeError:
            shown = html(self.field_display(value, self.field, empty_value_display))
        return self.open_tag + shown + "</td>"

    def field_display(self, value, f, empty):
        # A field's display depends on its value only (the list's language and time zone are fixed):
        # a date or an amount repeated down the list is formatted once.
        # Equal numbers may differ in writing (Decimal("0.0") and Decimal("-0.00")): those keyed on their text too.
        key = (value, str(value)) if isinstance(value, (Decimal, float)) else value
        try:
            return self.shown[key]
        except KeyError:
            if self.format_date is not None and type(value) is datetime.date:
                shown = self.shown[key] = self.format_date(value)
            else:
                shown = self.shown[key] = display_for_field(value, f, empty, avoid_link=self.is_link)
            return shown
        except TypeError:
            return display_for_field(value, f, empty, avoid_link=self.is_link)

    def cell(self, obj, empty_value_display, link):
        try:
            f, attr, value = self.lookup(obj)
        except ObjectDoesNotExist:
            return self.cell_of(obj, None, None, None, empty_value_display, link, missing=True)
        return self.cell_of(obj, f, attr, value, empty_value_display, link)

    def cell_of(self, obj, f, attr, value, empty_value_display, link, missing=False):
        """What Django's `items_for_result` writes for one cell, given the column's lookup of the row."""
        row_classes = [f"field-{self.name}"]
        if missing:
            result_repr = empty_value_display
        else:
            empty = (
                getattr(attr, "empty_value_display", empty_value_display) if attr is not None else empty_value_display
            )
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if f is None or f.auto_created:
                if self.field_name == "action_checkbox":
                    row_classes = ["action-checkbox"]
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                # A non-empty string (most method columns) is shown as it is (what display_for_value does).
                result_repr = str(value) if type(value) is str and value and not boolean else None
                if result_repr is None:
                    result_repr = display_for_value(value, empty, boolean)
                if isinstance(value, (datetime.date, datetime.time)):
                    row_classes.append("nowrap")
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_val = getattr(obj, f.name)
                    result_repr = empty if field_val is None else field_val
                else:
                    result_repr = self.field_display(value, f, empty)
                if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                    row_classes.append("nowrap")
        row_class = f' class="{" ".join(row_classes)}"'
        if self.is_link:
            url = link(obj)
            inner = html(result_repr) if url is None else f'<a href="{url}">{html(result_repr)}</a>'
            return f"<{self.tag}{row_class}>{inner}</{self.tag}>"
        return f"<td{row_class}>{html(result_repr)}</td>"


# Format characters of a date written without Django's Formatter (the rest are asked of DateFormat).
DATE_PARTS = {
    "Y": lambda day: f"{day.year:04d}",
    "y": lambda day: f"{day.year % 100:02d}",
    "m": lambda day: f"{day.month:02d}",
    "n": lambda day: str(day.month),
    "d": lambda day: f"{day.day:02d}",
    "j": lambda day: str(day.day),
}


def date_formatter(format_string: str):
    """
    `(date) -> text`, what `dateformat.format(date, format_string)` writes, with the format split once
    (a list of 100 birth dates formats 100 different dates: Django splits the format for each).
    """
    parts = []
    for index, piece in enumerate(re_formatchars.split(str(format_string))):
        if index % 2:
            parts.append(DATE_PARTS.get(piece) or (lambda day, char=piece: str(getattr(DateFormat(day), char)())))
        elif piece:
            literal = re_escaped.sub(r"\1", piece)
            parts.append(lambda day, text=literal: text)
    return lambda day: "".join([part(day) for part in parts])


def _default_checkbox(cl, field_name) -> str | None:
    """Django's actions checkbox rendered once with stand-ins for the row's name and key, else None."""
    if field_name != "action_checkbox" or type(cl.model_admin).action_checkbox is not ModelAdmin.action_checkbox:
        return None
    return _checkbox_widget(cl.model_admin)


# Django's checkbox widget with the stand-ins, per admin class and language (its label is translated).
_checkbox_widgets: dict[tuple[type, str], str] = {}


def _checkbox_widget(model_admin) -> str:
    key = (type(model_admin), get_language())
    try:
        return _checkbox_widgets[key]
    except KeyError:
        html = _checkbox_widgets[key] = str(model_admin.action_checkbox(_Stand()))
        return html


def _column_method(cl, field_name):
    """The callable a column is shown by (a function or the admin's method, not a field), else None."""
    if callable(field_name):
        return field_name
    if not isinstance(field_name, str) or field_name in ("__str__", "action_checkbox") or _row_field(cl, field_name):
        return None
    attr = getattr(cl.model_admin, field_name, None)
    return attr if callable(attr) else None


def _row_field(cl, field_name):
    """The field a column names on the row itself (as `lookup_field` finds it), else None."""
    if not isinstance(field_name, str):
        return None
    try:
        return _get_non_gfk_field(cl.lookup_opts, field_name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        return None


def _relation_field(cl, field_name):
    """The foreign key a column names on the row itself, else None."""
    field = _row_field(cl, field_name)
    return field if isinstance(field, models.ForeignKey) and not field.auto_created else None


def _plain_field(cl, field_name):
    """The field of a column naming a field of the row itself (not auto-created, not a reverse relation), else None."""
    field = _row_field(cl, field_name)
    if field is None or field.auto_created or isinstance(field.remote_field, models.ManyToOneRel):
        return None
    return field


def _date_column_format(cl, field_name):
    """A date field's column (no choices): its dates' formatter in the list's language, else None."""
    field = _row_field(cl, field_name)
    if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
        return None
    if getattr(field, "flatchoices", None):
        return None
    # display_for_field writes a date by formats.localize: date_format with the language's DATE_FORMAT.
    return date_formatter(get_format("DATE_FORMAT"))


def html(value) -> str:
    """`conditional_escape` without its lazy-argument wrapper: an object's own HTML, else its text escaped."""
    own = getattr(value, "__html__", None)
    return own() if own is not None else html_escape(str(value))


def _link(cl):
    """`(obj) -> the escaped URL of the row's page with the list's filters, or None` (as `items_for_result` makes it)."""
    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}

    def each_row(obj):
        try:
            url = cl.url_for_result(obj)
        except NoReverseMatch:
            return None
        return escape(add_preserved_filters(context, url))

    if type(cl).url_for_result is not KitChangeList.url_for_result:
        return each_row
    try:
        pattern = escape(add_preserved_filters(context, cl.url_for_result(_placeholder_row(cl))))
    except NoReverseMatch:
        return each_row
    if pattern.count(PK_PLACEHOLDER) != 1:
        return each_row
    head, tail = pattern.split(PK_PLACEHOLDER)
    attname = cl.pk_attname

    def fast(obj):
        pk = getattr(obj, attname)
        return head + str(pk) + tail if isinstance(pk, int) else each_row(obj)

    return fast


def _placeholder_row(cl):
    # Only the key is read (KitChangeList.url_for_result); no model instance is made.
    return SimpleNamespace(**{cl.pk_attname: int(PK_PLACEHOLDER)})


def lean_rows(cl) -> list[str]:
    """Each row's cells as one HTML string."""

    def link_in_col(is_first, field_name):
        if cl.list_display_links is None:
            return False
        if is_first and not cl.list_display_links:
            return True
        return field_name in cl.list_display_links

    columns, first = [], True
    for index, field_name in enumerate(cl.list_display):
        is_link = link_in_col(first, field_name)
        columns.append(_Column(cl, field_name, index, is_link, first and is_link))
        if is_link:
            first = False
    empty_value_display = cl.model_admin.get_empty_value_display()
    link = _link(cl) if any(column.is_link for column in columns) else None
    with rows_patterns():
        return ["".join([column.cell(obj, empty_value_display, link) for column in columns]) for obj in cl.result_list]


def lean_result_list(cl) -> dict:
    """
    The context of admin/kit_change_list_results.html: Django's `result_list`'s, with the body's rows
    as one string (`kit_rows`), what Django's loop over `results` in admin/change_list_results.html writes.
    """
    headers = list(result_headers(cl))
    rows = lean_rows(cl)
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
        "kit_rows": mark_safe("".join([f"\n\n<tr>{row}</tr>\n" for row in rows])),
    }
