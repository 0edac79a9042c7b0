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

from itertools import repeat
from operator import itemgetter

from django.db import connections, models, router
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

# Values per `__in` lookup: well under SQLite's limit of query parameters.
LOOKUP_CHUNK = 500
# Rows per statement on PostgreSQL (a statement holds at most 65,535 parameters).
ROWS_PER_STATEMENT = 1000
# Fields (these classes exactly, not subclasses that may convert) whose str, int and bool values the
# database drivers take as they are: `get_db_prep_save` would hand them over unchanged, at a cost.
PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.ForeignKey,
)
PLAIN_VALUES = (str, int, bool)


def preparer(field, connection):
    """value → database value of the field, skipping the conversion where there is none to make."""
    prepare = field.get_db_prep_save
    if type(field) in (models.DateTimeField, models.DateField, models.DecimalField):
        # A batch's timestamps are mostly one value (its `now`), and its amounts a few (a payroll's
        # standards): each distinct value is converted once.
        converted = {}

        def prepare_once(value):
            if value is None:
                return None
            if value not in converted:
                converted[value] = prepare(value, connection)
            return converted[value]

        return prepare_once
    if type(field) not in PLAIN_FIELDS or (
        type(field) is models.ForeignKey
        and type(field.target_field) not in (*PLAIN_FIELDS, models.AutoField, models.BigAutoField)
    ):
        return lambda value: prepare(value, connection)
    return lambda value: value if value is None or type(value) in PLAIN_VALUES else prepare(value, connection)


def chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fields(model, with_pk: bool):
    meta = model._meta
    return [
        field
        for field in meta.concrete_fields
        if not getattr(field, "generated", False) and (with_pk or field is not meta.auto_field)
    ]


def _send(model, fields, rows, *, returning: bool = False, multirow: bool = False) -> list | None:
    """
    INSERT `rows` (lists of database values of `fields`); with `returning`, answer the new primary keys.
    `multirow`: multi-row VALUES on SQLite too (a third cheaper than its `executemany` for many rows).
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
    keys = [] if returning else None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and not returning and not multirow:
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
    columns = [(_batch_pre_save(field, timezone.now()), preparer(field, connection)) for field in fields]
    rows = [[prepare(pre_save(instance, True)) for pre_save, prepare in columns] for instance in instances]
    keys = _send(model, fields, rows, returning=returning and not with_pk)
    for index, instance in enumerate(instances):
        if keys is not None:
            instance.pk = keys[index]
        instance._state.adding = False
        instance._state.db = connection.alias


def _batch_pre_save(field, now):
    """The field's `pre_save`, except that a batch's `auto_now`/`auto_now_add` timestamps are one `now`."""
    if type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add):

        def stamp(instance, add):
            if field.auto_now or (add and field.auto_now_add):
                setattr(instance, field.attname, now)
            return getattr(instance, field.attname)

        return stamp
    return field.pre_save


def insert_values(model, rows: list[dict]) -> None:
    """INSERT rows given as {attname: value}; a field a row leaves out gets its default."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = _fields(model, with_pk=False)
    columns = [(field.attname, field.get_default(), preparer(field, connection)) for field in fields]
    values = [[prepare(row.get(attname, default)) for attname, default, prepare in columns] for row in rows]
    _send(model, fields, values)


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
    # Per column of the history table: the record's attribute to read (prepared for the database),
    # or one database value for all rows (`attname` None).
    user_column = object()
    sources = []
    for field in fields:
        if field.attname in tracked:
            sources.append((field.attname, preparer(field, connection)))
        elif field.attname == "history_relation_id":
            sources.append((model._meta.pk.attname, preparer(field, connection)))
        elif field.attname == "history_user_id":
            sources.append((user_column, None))
        else:
            sources.append((None, field.get_db_prep_save(fixed.get(field.attname, field.get_default()), connection)))
    default_user = getattr(user, "pk", None)
    rows = []
    for instance in instances:
        row = []
        for attname, prepare in sources:
            if attname is None:
                row.append(prepare)
            elif attname is user_column:
                history_user = getattr(instance, "_history_user", None)
                row.append(history_user.pk if history_user is not None else default_user)
            else:
                row.append(prepare(getattr(instance, attname)))
        rows.append(row)
    _send(historical, fields, rows)


def insert_tuples(model, attnames: list[str], rows: list[tuple], constants: dict | None = None) -> None:
    """
    INSERT rows given as tuples of the values of `attnames`, without a model instance per row (the
    payroll's lines and payments); `constants` ({attname: value}) are the same in every row, a field
    left out gets its default, an `auto_now`/`auto_now_add` timestamp the batch's one `now`. No
    primary keys are read back.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = _fields(model, with_pk=False)
    index = {attname: position for position, attname in enumerate(attnames)}
    now = timezone.now()
    columns = []
    for field in fields:
        prepare = preparer(field, connection)
        if field.attname in index:
            columns.append((index[field.attname], prepare))
        elif constants and field.attname in constants:
            columns.append((None, prepare(constants[field.attname])))
        else:
            stamped = type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add)
            columns.append((None, prepare(now if stamped else field.get_default())))
    # Column by column (a column's values prepared in one pass, a constant repeated), zipped into rows.
    values = zip(
        *[
            map(prepare, map(itemgetter(at), rows)) if at is not None else repeat(prepare, len(rows))
            for at, prepare in columns
        ],
        strict=True,
    )
    _send(model, fields, list(values), multirow=True)


def insert_history_of(model, where: str, params: list, *, user=None) -> None:
    """
    One "+" history row of each record of `model` matching the SQL `where` (its parameters
    `params`), copied by the database (INSERT … SELECT) as `insert_history` writes them: the
    records just inserted by `insert_tuples`, which built no instance to read them from.
    """
    historical = get_history_manager_for_model(model).model
    connection = connections[router.db_for_write(historical)]
    quote = connection.ops.quote_name
    fields = _fields(historical, with_pk=False)
    tracked = {field.attname for field in historical.tracked_fields}
    fixed = {
        "history_date": timezone.now(),
        "history_type": "+",
        "history_change_reason": "",
        "history_user_id": getattr(user, "pk", None),
    }
    selected, values = [], []
    for field in fields:
        if field.attname in tracked:
            selected.append(quote(model._meta.get_field(field.attname).column))
        elif field.attname == "history_relation_id":
            selected.append(quote(model._meta.pk.column))
        else:
            selected.append("%s")
            values.append(field.get_db_prep_save(fixed.get(field.attname, field.get_default()), connection))
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({columns}) "
        f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])


def insert_select(model, expressions: dict[str, str], source: str, params: list, constants: dict | None = None) -> int:
    """
    INSERT INTO the model's table … SELECT … FROM `source` (SQL with its `params`): rows the database
    copies from another table, none read into Python. `expressions` ({attname: SQL expression over the
    source}) are each row's own values, `constants` ({attname: value}) the same in every row (sent as
    parameters), a field left out gets its default, an `auto_now`/`auto_now_add` timestamp one `now`.
    A plain INSERT statement: the table's triggers fire. Answers how many rows were written.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = _fields(model, with_pk=False)
    now = timezone.now()
    selected, values = [], []
    for field in fields:
        if field.attname in expressions:
            selected.append(expressions[field.attname])
            continue
        if constants and field.attname in constants:
            value = constants[field.attname]
        elif type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add):
            value = now
        else:
            value = field.get_default()
        if value is None:
            selected.append("NULL")
        else:
            # Typed on PostgreSQL, which reads an untyped literal of a SELECT list as text (SQLite's CAST
            # to a type named "date" would give a number: its values are stored as they come).
            typed = connection.vendor == "postgresql"
            selected.append(f"CAST(%s AS {field.cast_db_type(connection)})" if typed else "%s")
            values.append(field.get_db_prep_save(value, connection))
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {', '.join(selected)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        return cursor.rowcount


# Distinct values converted once per column (`rows_of`); past this many, converted each time.
CONVERTED_VALUES = 10_000


def rows_of(queryset, chunk_size: int = 2000):
    """
    The tuples of a `values_list` queryset, as it yields them, fetched in chunks; each column's
    database converters (a decimal, a date on SQLite) applied once per distinct value instead of once
    per row (a payroll's 50,000 rows hold a few amounts and dates).
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    results = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    if results is None:
        return
    converters = list(compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]]).items())
    connection = compiler.connection
    caches = {pos: {} for pos, _ in converters}
    for chunk in results:
        for row in chunk:
            if converters:
                row = list(row)
                for pos, (convs, expression) in converters:
                    value, cache = row[pos], caches[pos]
                    converted = cache.get(value, cache)
                    if converted is cache:
                        converted = value
                        for converter in convs:
                            converted = converter(converted, expression, connection)
                        if len(cache) < CONVERTED_VALUES:
                            cache[value] = converted
                    row[pos] = converted
            yield tuple(row)
