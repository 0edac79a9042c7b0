"""
Masking: the sensitive fields a model declares (bureau.base.masking) are shown masked in every list,
and on the record's page to roles without `view_sensitive_person`; a page showing whole values
is an audit event. A masked column or field is an attribute of the admin, `masked_<path>`, set
explicitly (`masked_column`): for the model's own sensitive fields and its declared columns when
the admin is made, and for a column a `get_list_display` adds when it is first listed.
"""

from bureau.base import masking
from bureau.base.masking import can_view_sensitive
from bureau.rules import disclosure


def path_label(model, path: str) -> str:
    """The verbose name of the field a lookup path ends on: `person__id_number` is 身份证号."""
    target = masking.concrete_model(model)
    *relations, name = path.split("__")
    for relation in relations:
        target = target._meta.get_field(relation).related_model
    return str(target._meta.get_field(name).verbose_name)


def masked_display(model, path: str):
    """
    A list column (or a detail field, for roles without the permission) showing a sensitive
    field masked; no `ordering`, so the column cannot be sorted on the hidden value.
    """

    # The mask per class of row (a model's declaration does not change): found once, not per cell.
    masks: dict[type, masking.Mask | None] = {}

    def display(obj):
        kind = type(obj)
        try:
            mask = masks[kind]
        except KeyError:
            mask = masks[kind] = masking.mask_for(kind, path)
        # No user: always the masked value, for every role (a list never shows a whole value).
        return masking.shown_field(None, obj, path, mask=mask)

    display.short_description = path_label(model, path)
    display.__name__ = f"masked_{path}"
    return display


class MaskingMixin:
    """
    The model's sensitive fields left out of the form and shown masked (read-only) for roles
    without the permission; list columns masked for every role; whole values on a change page
    or an old version's page recorded in the audit trail.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for name in masking.sensitive_fields(model):
            self.masked_column(name)
        for column in self.list_display:
            if isinstance(column, str) and masking.mask_for(model, column):
                self.masked_column(column)

    def masked_column(self, path: str) -> str:
        """The name of the masked column (or read-only field) of a sensitive path, set on the admin once."""
        name = f"masked_{path}"
        if name not in self.__dict__:
            setattr(self, name, masked_display(self.model, path))
        return name

    @property
    def sensitive_fields(self) -> tuple[str, ...]:
        """Fields of this model declared sensitive (`Model.sensitive_fields`)."""
        return tuple(masking.sensitive_fields(self.model))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not can_view_sensitive(request.user):
            exclude += [f for f in self.sensitive_fields if f not in exclude]
        return exclude

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not can_view_sensitive(request.user):
            fields = [f for f in fields if f not in self.sensitive_fields]
            fields += [f"masked_{f}" for f in self.sensitive_fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_view_sensitive(request.user) or not self.sensitive_fields:
            return fieldsets
        masked = []
        for name, options in fieldsets:
            fields = []
            for field in options.get("fields", ()):
                fields.append(f"masked_{field}" if field in self.sensitive_fields else field)
            masked.append((name, {**options, "fields": fields}))
        return masked

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_view_sensitive(request.user):
            readonly += [f"masked_{f}" for f in self.sensitive_fields]
        return readonly

    def get_list_display(self, request):
        # Every role sees lists masked; the whole value is on the record's own page.
        return [
            self.masked_column(column) if isinstance(column, str) and masking.mask_for(self.model, column) else column
            for column in super().get_list_display(request)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self.audit_sensitive_view(request, response)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self.audit_sensitive_view(request, response)
        return response

    def audit_sensitive_view(self, request, response) -> None:
        """A change page showing whole sensitive values (the role has the permission) is an audit event."""
        if request.method != "GET" or response.status_code != 200 or not self.sensitive_fields:
            return
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            disclosure.record_sensitive_view(request, original, self.sensitive_fields)
