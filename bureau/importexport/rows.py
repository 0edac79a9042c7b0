"""
Two shapes of resource area apps declare most often: rows about a person of the
registry (attendees, trainees, recipients), and export-only lists of records; and the
columns most of their resources share (review state, township, a choice by its label).
"""

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from bureau.importexport.resources import PortalResource
from bureau.importexport.widgets import (
    ChoiceLabelWidget,
    DateWidget,
    LabelWidget,
    NameForeignKeyWidget,
    PersonByIdNumberWidget,
    TextWidget,
    YesNoWidget,
)
from bureau.models import Township


def review_status_column(model) -> fields.Field:
    """The record's review state, shown in exports; the import sets it (approved or submitted)."""
    choices = model._meta.get_field("review_status").choices
    return fields.Field("review_status", "审核状态", widget=ChoiceLabelWidget(choices), readonly=True)


def township_column(column: str = "乡镇（街道）") -> fields.Field:
    """The township of a record of a place (an activity, a facility, a point); blank for the district's own."""
    return fields.Field("township", column, widget=NameForeignKeyWidget(Township, "name"))


def township_shown() -> fields.Field:
    """The township a record takes from what it is about (a person, a facility): shown, never read."""
    return fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)


def choice_column(model, name: str, column: str) -> fields.Field:
    """A choice by its Chinese label; blank keeps the model's default (a new record) or the stored value."""
    widget = ChoiceLabelWidget(model._meta.get_field(name).choices, empty_value=None)
    return fields.Field(name, column, widget=widget, saves_null_values=False)


class PersonRowResource(PortalResource):
    """
    Rows naming a person by ID number and name: the name must match the registry,
    so that a mistyped number cannot attach someone else. The model has a
    `person` foreign key; a subclass adds its own columns and lists them in
    `Meta.fields` with "person" and "person_name".
    """

    person = fields.Field("person", "身份证号", widget=PersonByIdNumberWidget())
    person_name = fields.Field(column_name="姓名", widget=TextWidget())

    def dehydrate_person_name(self, record):
        return record.person.name

    def get_instance(self, instance_loader, row):
        # An unreadable key cell is reported by the row's own validation, with the row number.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        name = TextWidget().clean(row.get(self.fields["person_name"].column_name))
        if "person" not in errors and instance.person_id:
            if not name:
                errors["person_name"] = [ValidationError("请填写姓名。")]
            elif name != instance.person.name:
                errors["person_name"] = [
                    ValidationError(f"姓名“{name}”与人员库中该身份证号登记的姓名“{instance.person.name}”不一致。")
                ]
        if errors:
            raise ValidationError(errors)

    def column_name_for(self, key):
        # Messages about the person name them already (身份证号 …, 张三不是…).
        if key == "person":
            return None
        return super().column_name_for(key)


def export_resource(model, names: list[str], **extra_fields) -> type[PortalResource]:
    """
    An export-only resource whose columns are the model fields' Chinese names:
    choices by label, yes/no as 是/否, related records as the portal names them.
    `extra_fields` are further `fields.Field`s, appended after `names`.
    """
    attrs = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.choices:
            widget = ChoiceLabelWidget(field.choices)
        elif field.get_internal_type() == "BooleanField":
            widget = YesNoWidget()
        elif field.get_internal_type() == "DateField":
            widget = DateWidget()
        elif field.is_relation:
            widget = LabelWidget()
        else:
            widget = widgets.Widget()
        attrs[name] = fields.Field(name, str(field.verbose_name), widget=widget, readonly=True)
    attrs.update(extra_fields)
    meta = type("Meta", (), {"model": model, "fields": [*names, *extra_fields]})
    return type(f"{model.__name__}Resource", (PortalResource,), {**attrs, "Meta": meta})
