"""
The change list's columns: a declared column on a related field (`person__township`) shown under
the field's Chinese name and sortable on it (an attribute `path_<path>` of the admin, set
explicitly), and every relation the columns name joined in the list's one query. The query
parameters a list takes are the allow-list's (bureau.admin.lookups); what a list costs, the
`listcost` concern's.
"""

from django.contrib import admin

from bureau.admin.masking import path_label
from bureau.base import masking


def path_display(model, path: str):
    """
    A column of a related field (`person__township`) headed with the field's Chinese
    name and sortable on it; Django's own header for such a path is the path in English.
    """

    def display(obj):
        value = obj
        for attribute in path.split("__"):
            value = getattr(value, attribute, None) if value is not None else None
        return value

    display.short_description = path_label(model, path)
    display.admin_order_field = path
    display.__name__ = f"path_{path}"
    return display


class ChangeListMixin:
    """
    Comes before `MaskingMixin` in the kit's MRO: masking turns a sensitive column into its
    `masked_` attribute first, then a related field's column not yet an attribute becomes `path_`.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for column in self.list_display:
            if not (isinstance(column, str) and masking.mask_for(model, column)):
                self.path_column(column)

    def path_column(self, column):
        """`path_<path>` for a column on a related field (set on the admin once), else the column itself."""
        if not isinstance(column, str) or "__" not in column or hasattr(self, column):
            return column
        name = f"path_{column}"
        if name not in self.__dict__:
            setattr(self, name, path_display(self.model, column))
        return name

    def get_list_display(self, request):
        return [self.path_column(column) for column in super().get_list_display(request)]

    def get_list_select_related(self, request):
        # Without a list, Django joins only the non-null foreign keys of list_display: a nullable
        # township, founder or batch cost one query per row. Join every relation the columns name.
        declared = super().get_list_select_related(request)
        if declared is True:
            return declared
        related = list(declared or ())
        # The columns as declared: `person__township`, not the `path_…` / `masked_…` columns shown.
        for column in admin.ModelAdmin.get_list_display(self, request):
            opts, path = self.model._meta, []
            for name in str(column).split("__"):
                field = next((f for f in opts.concrete_fields if f.name == name and f.is_relation), None)
                if field is None:
                    break
                path.append(name)
                opts = field.related_model._meta
            if path and "__".join(path) not in related:
                related.append("__".join(path))
        return related
