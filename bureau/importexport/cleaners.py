"""
The per-column work of an import's rows, made once per import instead of once a row
(`PortalResource.import_instance`, `validate_instance`): for each column, the cell's
reader (its widget's `clean`, the masked-value check, where the value goes); for the
model, the relation fields whose existence the widgets already checked, and how a new record
is made (its defaults copied, not computed field by field).

A reader does exactly what django-import-export's `Resource.import_field` → `Field.save`
→ `Field.clean` → `widget.clean` do for that column, with the lookups of the field, its
widget and its mask done when the reader is made, not for every cell.
"""

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields import NOT_PROVIDED
from import_export import widgets

from bureau.base.rowbuild import plain_init
from bureau.importexport.widgets import MASKED_VALUE

# (the error key: the field's attribute, read(instance, row, kwargs)), one per import column.
Reader = tuple[str, Callable]


def column_reader(field, masked_check: bool) -> Reader | None:
    """
    How one column's cell is read into the row's instance; None for a column it does not set.
    `masked_check`: the column's field is sensitive and its widget does not say masked values
    itself, so a value with * is refused with MASKED_VALUE (`PortalResource.import_field`).
    """
    if not field.attribute or isinstance(field.widget, widgets.ManyToManyWidget):
        return None
    column = field.column_name
    if field.readonly:
        if not masked_check:
            return None

        def read_only(instance, row, kwargs) -> None:
            value = row.get(column)
            if isinstance(value, str) and "*" in value:
                raise ValueError(MASKED_VALUE)

        return field.attribute, read_only
    *path, attribute = field.attribute.split("__")
    clean = field.widget.clean
    empty_values, default = field.empty_values, field.default
    has_default = default != NOT_PROVIDED
    saves_null = field.saves_null_values

    def read(instance, row, kwargs) -> None:
        if column not in row:
            return
        value = row[column]
        if masked_check and isinstance(value, str) and "*" in value:
            raise ValueError(MASKED_VALUE)
        target = instance
        for name in path:
            target = getattr(target, name, None)
        cleaned = clean(value, row=row, **kwargs)
        if has_default and cleaned in empty_values:
            cleaned = default() if callable(default) else default
        if cleaned is not None or saves_null:
            setattr(target, attribute, cleaned)

    return field.attribute, read


def relation_fields(model) -> list:
    """The model's concrete foreign keys (checked by the widgets that read them, or unchanged since stored)."""
    return [field for field in model._meta.concrete_fields if field.is_relation]


# Values a new record's defaults may share with another new record: not changed in place.
IMMUTABLE = (type(None), str, int, float, bool, Decimal, datetime.date, datetime.time, datetime.timedelta, uuid.UUID)


def instance_maker(model) -> Callable:
    """
    What makes a new, empty record of `model` for a row, as `model()` does: its constant defaults
    copied from one record made once, callable defaults called for each. `model` itself where its
    construction does more (its own `__init__`, an init signal) or a default is not a plain value.
    """
    if not plain_init(model):
        return model
    first = model()
    fields = [field for field in model._meta.concrete_fields if field.column is not None and not field.generated]
    called = [(field.attname, field.get_default) for field in fields if callable(field.default)]
    values = {name: value for name, value in first.__dict__.items() if name != "_state"}
    if not all(isinstance(value, IMMUTABLE) for name, value in values.items() if name not in dict(called)):
        return model

    def make():
        instance = Model.__new__(model)
        instance.__dict__.update(values)
        instance._state = ModelState()
        for attname, default in called:
            instance.__dict__[attname] = default()
        return instance

    return make
