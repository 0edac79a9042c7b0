"""
Inserting many rows at once, for the batch writes of imports (their records, history rows and
audit events).

Django's `bulk_create` prepares every value of every row through the SQL compiler (expression
checks, placeholders one by one), which costs more than validating the rows. Here each value
goes through its field's `pre_save` and `get_db_prep_save` only, the statement is built once,
and rows are sent as SQLite's `executemany` or as multi-row VALUES, so `bulk_create`'s
semantics hold (auto_now fields set, the primary keys assigned when asked for) without its
per-value cost. Nothing here calls `save()` or sends signals, as with `bulk_create`.
"""

from django.db import connections, router
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

# Rows per statement on PostgreSQL (a statement holds at most 65,535 parameters).
ROWS_PER_STATEMENT = 1000


def _fields(model, with_pk: bool):
    meta = model._meta
    return [
        field
        for field in meta.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or field is not meta.auto_field)
    ]


def _send(model, fields, rows, *, returning: bool = False) -> list | None:
    """INSERT `rows` (lists of database values of `fields`); with `returning`, answer the new primary keys."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
    keys = [] if returning else None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not returning:
            cursor.executemany(head + one_row, rows)
            return None
        per_statement = ROWS_PER_STATEMENT
        if connection.vendor == "sqlite":
            per_statement = max(1, connection.features.max_query_params // len(fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = head + ", ".join([one_row] * len(chunk))
            parameters = [value for row in chunk for value in row]
            if returning:
                cursor.execute(f"{sql} RETURNING {quote(model._meta.pk.column)}", parameters)
                keys += [key for (key,) in cursor.fetchall()]
            else:
                cursor.execute(sql, parameters)
    return keys


def insert_rows(model, instances, *, returning: bool = False) -> None:
    """
    INSERT the instances (none of them saved before). With `returning`, each gets its primary key
    from the database (RETURNING, in the order of the rows, as `bulk_create` relies on); without,
    the rows are sent with the cheapest statement (the caller does not need their keys).
    """
    instances = list(instances)
    if not instances:
        return
    connection = connections[router.db_for_write(model)]
    with_pk = any(instance.pk is not None for instance in instances)
    if with_pk and not all(instance.pk is not None for instance in instances):
        raise ValueError("insert_rows: either every instance has its primary key or none has")
    fields = _fields(model, with_pk)
    rows = [
        [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
        for instance in instances
    ]
    keys = _send(model, fields, rows, returning=returning and not with_pk)
    for index, instance in enumerate(instances):
        if keys is not None:
            instance.pk = keys[index]
        instance._state.adding = False
        instance._state.db = connection.alias


def insert_history(model, instances, *, update: bool, user=None) -> None:
    """
    One history row of each record, as django-simple-history's `bulk_history_create` writes
    it ("+" created, "~" changed; the record's `_history_user` or `user`, now, no change
    reason), without building a historical instance of each.
    """
    instances = list(instances)
    if not instances:
        return
    historical = get_history_manager_for_model(model).model
    connection = connections[router.db_for_write(historical)]
    fields = _fields(historical, with_pk=False)
    if not {"history_date", "history_type", "history_user_id"} <= {field.attname for field in fields}:
        raise ValueError(f"insert_history: {historical.__name__} is not a django-simple-history model")
    tracked = {field.attname for field in historical.tracked_fields}
    fixed = {"history_date": timezone.now(), "history_type": "~" if update else "+", "history_change_reason": ""}
    # Per column of the history table: read from the record (its attname), or one value for all rows.
    sources = []
    for field in fields:
        if field.attname in tracked:
            sources.append((field, field.attname, None))
        elif field.attname == "history_relation_id":
            sources.append((field, model._meta.pk.attname, None))
        elif field.attname == "history_user_id":
            sources.append((field, "", None))
        else:
            sources.append((field, None, fixed.get(field.attname, field.get_default())))
    rows = []
    for instance in instances:
        row = []
        for field, attname, value in sources:
            if attname == "":
                value = getattr(getattr(instance, "_history_user", None) or user, "pk", None)
            elif attname is not None:
                value = getattr(instance, attname)
            row.append(field.get_db_prep_save(value, connection))
        rows.append(row)
    _send(historical, fields, rows)
