"""
How an import finds the records its rows update, in a few queries for the whole file
(`PortalInstanceLoader`), the result that carries the file's Chinese messages, and the
small column helpers the batch writes share.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, router
from django.db.models import Model
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from bureau.base.bulk import LOOKUP_CHUNK, chunks, preparer


def stored_values(instance) -> dict:
    """{attname: value} of the record's columns as loaded, to compare the row with."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def changed_fields(instance, stored: dict) -> list[str]:
    """Names of the fields whose value differs from the stored one."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if getattr(instance, field.attname) != stored[field.attname]
    ]


def update_rows(model, names, instances) -> None:
    """
    UPDATE the fields `names` of each instance, one statement run for all of them
    (`executemany`). Django's `bulk_update` builds a CASE of every row for every field,
    which costs more than the rows' validation; rows changing the same fields take one
    plan here.
    """
    fields = [model._meta.get_field(name) for name in names]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    columns = [(field.attname, preparer(field, connection)) for field in fields]
    parameters = [
        [prepare(getattr(instance, attname)) for attname, prepare in columns] + [instance.pk] for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, parameters)


def is_foreign_key(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_one or field.one_to_one


def has_history(model) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


class PortalInstanceLoader(ModelInstanceLoader):
    """
    Finds the existing records of all rows in a few queries (through the
    resource's scoped queryset), by the import id fields (one, or several:
    a fair and a person). A key cell that cannot be read is left to the row's
    own validation, which reports it with the other errors of that row.

    It also notes the keys taken by records the user may not see (`taken`), so
    that a new row repeating one is refused without a query of its own.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {}
        self.taken = set()
        self._key_of = (None, None)
        model = resource._meta.model
        id_fields = [resource.fields.get(name) for name in resource.get_import_id_fields()]
        self.key_fields = None
        if not id_fields or None in id_fields or dataset is None:
            return
        try:
            self.model_fields = [model._meta.get_field(field.attribute) for field in id_fields]
        except (FieldDoesNotExist, TypeError):
            return
        if any(field.column_name not in (dataset.headers or []) for field in id_fields):
            return
        self.key_fields = id_fields
        keys = {key for row in dataset.dict if (key := self.key(row)) is not None}
        if not keys:
            return
        attnames = [field.attname for field in self.model_fields]
        values = [sorted({key[index] for key in keys}) for index in range(len(attnames))]
        # Chunked on the column with most values (the people of a fair's list); a column with few (the fair)
        # narrows each query, one with many is matched in memory instead.
        widest = max(range(len(attnames)), key=lambda index: len(values[index]))
        narrowing = {
            f"{attname}__in": values[index]
            for index, attname in enumerate(attnames)
            if index != widest and len(values[index]) <= LOOKUP_CHUNK
        }
        # The related records the columns show (a person's township), read with the records, not one by one.
        related = [
            field.attribute
            for field in resource.get_import_fields()
            if field.attribute and "__" not in field.attribute and is_foreign_key(model, field.attribute)
        ]
        for chunk in chunks(values[widest]):
            lookup = {f"{attnames[widest]}__in": chunk, **narrowing}
            for instance in self.get_queryset().filter(**lookup).select_related(*related):
                if (key := self.instance_key(instance)) in keys:
                    self.instances[key] = instance
            self.taken.update(key for key in model._base_manager.filter(**lookup).values_list(*attnames) if key in keys)
        self.taken.difference_update(self.instances)

    def key(self, row) -> tuple | None:
        """The row's import key as stored values (a related record by its pk); None when a cell is blank or unreadable."""
        # Asked three times a row (its record, a key taken, a repeated row): read once.
        if self._key_of[0] is row:
            return self._key_of[1]
        key = self.read_key(row)
        self._key_of = (row, key)
        return key

    def read_key(self, row) -> tuple | None:
        try:
            values = [field.clean(row) for field in self.key_fields]
        except (ValueError, KeyError, ValidationError):
            return None
        if any(value in (None, "") for value in values):
            return None
        return tuple(value.pk if isinstance(value, Model) else value for value in values)

    def instance_key(self, instance) -> tuple:
        return tuple(getattr(instance, field.attname) for field in self.model_fields)

    def get_instance(self, row):
        if self.key_fields is None:
            return super().get_instance(row)
        return self.instances.get(self.key(row))


class PortalResult(Result):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Every problem of the file in Chinese, naming its Excel row; set by `PortalResource.import_data`.
        self.row_messages: list[str] = []
