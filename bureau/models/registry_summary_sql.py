"""
The registry summary's SQL (`bureau.models.registry_summary`): the events of a set of persons, the
triggers that recompute them on every write touching a person (PostgreSQL and SQLite), and the fill.
Used by migrations 0035 (triggers and first fill) and 0036 (PostgreSQL's functions keyed on each person),
and by `manage.py registry_summary --check/--rebuild`.

A person's events, per scope ("@veteran", "*" for any category, or a category value), are years with
+1 or -1; the person counts in the scope as of 31 December of year Y when the sum of their events of
years <= Y is 1. A category row [started_on, ended_on] covers the year-ends of years a..b, a = its start
year, b = its end year if it ends on 31 December, else the year before (no end: b is infinite); a row
with b < a covers none. A person's union of rows starts (+1) at each a of a covering row whose a - 1 no
row of the scope covers, and stops (-1) at each b + 1 that no row covers. The "@veteran" scope is one
+1 in the year of discharge (approved veterans with a discharge date). Everything is plain SELECT
with NOT EXISTS over the person's few rows: SQLite allows no CTE in a trigger body.

On any change touching a person, the person's stored events are taken out of the township counters,
deleted, computed again from the current rows (nothing for a person no longer approved, or deleted)
and added back: the counters stay the sum of the persons' events whatever the write path.
"""

from .categories import PreferentialCategory
from .people import Person
from .records import ReviewStatus

APPROVED = ReviewStatus.APPROVED.value
VETERAN = Person.Status.VETERAN.value
VETERAN_SCOPE = "@veteran"
ANY_SCOPE = "*"

PERSON_EVENTS = "bureau_registry_person_event"
TOWNSHIP_YEARS = "bureau_registry_year"

# Year expressions of each vendor: a row's first covered year-end, its last (NULL: no end) and the
# year of a discharge.
YEARS = {
    "postgresql": {
        "first": "EXTRACT(YEAR FROM {r}.started_on)::integer",
        "last": "(EXTRACT(YEAR FROM {r}.ended_on + 1)::integer - 1)",
        "discharged": "EXTRACT(YEAR FROM p.discharged_on)::integer",
    },
    "sqlite": {
        "first": "CAST(SUBSTR({r}.started_on, 1, 4) AS INTEGER)",
        "last": "(CAST(STRFTIME('%Y', {r}.ended_on, '+1 day') AS INTEGER) - 1)",
        "discharged": "CAST(SUBSTR(p.discharged_on, 1, 4) AS INTEGER)",
    },
}


def _year_of_last(vendor: str, column: str) -> str:
    """The last year whose 31 December is on or before a date column (the `last` rule of a row's end)."""
    return YEARS[vendor]["last"].replace("{r}.ended_on", column)


# "Present" scopes: the holders of a category living in the district on 31 December (alive, not moved
# out before it, moved in by it: `PersonQuerySet.present_on`), for the categories the report counts so
# (the living Korean War veterans of the oral-history project). A person's presence covers the
# year-ends of years pa..pb: pa = the year of moving in (none: no start), pb = the last year-end before
# dying or moving out (none: no end); a person recorded deceased without a date is never present. Each
# row's range is clipped to it. INFINITY stands for "no end" in the clipped arithmetic.
PRESENT_CATEGORIES = (PreferentialCategory.KOREAN_WAR_VETERAN.value,)
PRESENT_PREFIX = "~"
INFINITY = 9999
DECEASED = Person.Status.DECEASED.value


def present_scope(category: str) -> str:
    return f"{PRESENT_PREFIX}{category}"


def _clipped(vendor: str, row: str) -> tuple[str, str]:
    """A row's first and last covered year-ends within the person's presence (last: INFINITY for none)."""
    greatest, least = ("GREATEST", "LEAST") if vendor == "postgresql" else ("MAX", "MIN")
    years = YEARS[vendor]
    first = years["first"].format(r=row)
    moved_in = years["first"].format(r="p").replace("p.started_on", "p.moved_in_on")
    last = years["last"].format(r=row)
    died, moved_out = _year_of_last(vendor, "p.died_on"), _year_of_last(vendor, "p.moved_out_on")
    return (
        f"{greatest}({first}, COALESCE({moved_in}, 0))",
        f"{least}(COALESCE({last}, {INFINITY}), COALESCE({died}, {INFINITY}), COALESCE({moved_out}, {INFINITY}))",
    )


def _union_events(
    vendor: str, persons: str, person_rows: str, *, scope: str, same_scope: str, present: bool = False
) -> list[str]:
    """
    The +1 and -1 events of the union of each person's rows of one scope (`present`: each row clipped
    to the person's presence in the district).
    """
    years = YEARS[vendor]
    if present:
        (a_r, b_r), (a_o, b_o) = _clipped(vendor, "r"), _clipped(vendor, "o")
        r_open, r_covers = f"{b_r} >= {INFINITY}", f"{b_r} >= {a_r}"
        o_covers = "{b_o} >= {year}"
    else:
        a_r, b_r = years["first"].format(r="r"), years["last"].format(r="r")
        a_o, b_o = years["first"].format(r="o"), years["last"].format(r="o")
        r_open, r_covers = "r.ended_on IS NULL", f"(r.ended_on IS NULL OR {b_r} >= {a_r})"
        o_covers = "(o.ended_on IS NULL OR {b_o} >= {year})"

    def uncovered(year: str) -> str:
        return (
            f"NOT EXISTS (SELECT 1 FROM bureau_personcategory o WHERE o.person_id = r.person_id{same_scope} "
            f"AND {a_o} <= {year} AND {o_covers.format(b_o=b_o, year=year)})"
        )

    rows = (
        f"FROM bureau_personcategory r JOIN {person_rows} p ON p.id = r.person_id "
        f"WHERE {persons.format(id='r.person_id')} AND p.review_status = '{APPROVED}'"
    )
    if present:
        categories = ", ".join(f"'{category}'" for category in PRESENT_CATEGORIES)
        rows += f" AND r.category IN ({categories}) AND NOT (p.died_on IS NULL AND p.status = '{DECEASED}')"
    return [
        f"SELECT p.id, p.township_id, {scope}, {a_r}, 1 {rows} AND {r_covers} AND {uncovered(f'{a_r} - 1')}",
        f"SELECT p.id, p.township_id, {scope}, {b_r} + 1, -1 {rows} "
        f"AND NOT ({r_open}) AND {r_covers} AND {uncovered(f'{b_r} + 1')}",
    ]


def events(vendor: str, persons: str, person_rows: str = "bureau_person") -> str:
    """
    SELECT (person_id, township_id, scope, year, delta) of the persons `persons` (an SQL condition on
    the person's id "{id}", e.g. "{id} = new.person_id", or "true" for all), each event once (UNION).
    """
    veteran = (
        f"SELECT p.id, p.township_id, '{VETERAN_SCOPE}', {YEARS[vendor]['discharged']}, 1 FROM {person_rows} p "
        f"WHERE {persons.format(id='p.id')} AND p.review_status = '{APPROVED}' AND p.status = '{VETERAN}' "
        "AND p.discharged_on IS NOT NULL"
    )
    concat = "'" + PRESENT_PREFIX + "' || r.category"
    selects = [
        veteran,
        *_union_events(vendor, persons, person_rows, scope="r.category", same_scope=" AND o.category = r.category"),
        *_union_events(vendor, persons, person_rows, scope=f"'{ANY_SCOPE}'", same_scope=""),
        *_union_events(
            vendor, persons, person_rows, scope=concat, same_scope=" AND o.category = r.category", present=True
        ),
    ]
    return "\nUNION\n".join(selects)


INSERT_EVENTS = f"INSERT INTO {PERSON_EVENTS} (person_id, township_id, scope, year, delta)\n"
ADD_TO_TOWNSHIPS = (
    f"INSERT INTO {TOWNSHIP_YEARS}{{alias}} (township_id, scope, year, delta)\n"
    "SELECT township_id, scope, year, {sign}SUM(delta) FROM {source} WHERE {where}\n"
    "GROUP BY township_id, scope, year{order}\n"
    "ON CONFLICT (township_id, scope, year) DO UPDATE SET delta = {target}delta + excluded.delta"
)

# -- PostgreSQL: statement-level triggers; the persons a statement touched, all at once -----------

# The persons whose figures a statement may change, per (table, event).
PG_PERSONS = {
    ("bureau_personcategory", "insert"): "SELECT person_id FROM registry_new",
    ("bureau_personcategory", "delete"): "SELECT person_id FROM registry_old",
    ("bureau_personcategory", "update"): """
        SELECT o.person_id FROM registry_old o JOIN registry_new n ON n.id = o.id
        WHERE (o.person_id, o.category, o.started_on, o.ended_on)
              IS DISTINCT FROM (n.person_id, n.category, n.started_on, n.ended_on)
        UNION ALL
        SELECT n.person_id FROM registry_old o JOIN registry_new n ON n.id = o.id
        WHERE (o.person_id, o.category, o.started_on, o.ended_on)
              IS DISTINCT FROM (n.person_id, n.category, n.started_on, n.ended_on)""",
    ("bureau_person", "insert"): "SELECT id FROM registry_new",
    ("bureau_person", "delete"): "SELECT id FROM registry_old",
    ("bureau_person", "update"): """
        SELECT n.id FROM registry_old o JOIN registry_new n ON n.id = o.id
        WHERE (o.review_status, o.status, o.discharged_on, o.township_id, o.died_on, o.moved_out_on, o.moved_in_on)
              IS DISTINCT FROM (n.review_status, n.status, n.discharged_on, n.township_id, n.died_on, n.moved_out_on,
                                n.moved_in_on)""",
}
PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS registry_new",
    "delete": "REFERENCING OLD TABLE AS registry_old",
    "update": "REFERENCING OLD TABLE AS registry_old NEW TABLE AS registry_new",
}

# The touched persons' rows are locked (in id order) before their events are read: a concurrent
# writer of the same person waits, then recomputes from what was committed. A statement touching a
# few persons (a save) runs the function's prepared statements, planned once per session with a
# generic plan (a single save's trigger took 5-6 ms planning, 1.6-3 ms so); one touching more (an
# import's chunk, a bulk insert) runs the same statements planned for its own array (EXECUTE).
PLAN_EACH_ABOVE = 32

PG_FUNCTION = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    ids integer[];
BEGIN
    SELECT array_agg(DISTINCT touched.id ORDER BY touched.id) INTO ids FROM ({persons}) AS touched (id);
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(ids) > {plan_each_above} THEN
        EXECUTE $sql${execute_lock}$sql$ USING ids;
        EXECUTE $sql${recompute_gone}$sql$ USING ids;
        EXECUTE $sql${recompute_made}$sql$ USING ids;
        RETURN NULL;
    END IF;
    PERFORM {lock};
    {gone};
    {made};
    RETURN NULL;
END
$$;
"""

# Each touched person's events computed from their own rows (a lateral subquery per person, its rows
# found by the person's key): the work follows the persons touched, whatever the planner believes of
# the tables' sizes (without statistics it drove the events from every approved person instead). The
# person's row is read by its key alone (OFFSET 0: planned apart, so no other condition picks another index).
PG_THE_PERSON = "(SELECT * FROM bureau_person WHERE id = touched.id OFFSET 0)"
PG_EACH_PERSON = "SELECT e.* FROM unnest({ids}) AS touched (id) CROSS JOIN LATERAL (\n{events}\n) AS e"
# Each touched person's row locked by its key, in the array's (id) order; after PERFORM or SELECT.
PG_LOCK_PERSONS = (
    "1 FROM unnest({ids}) AS touched (id) CROSS JOIN LATERAL "
    "(SELECT 1 FROM bureau_person WHERE id = touched.id OFFSET 0 FOR NO KEY UPDATE) AS locked"
)
PG_GONE = """WITH gone AS (
        DELETE FROM {events} WHERE person_id = ANY ({ids}) RETURNING township_id, scope, year, delta
    )
    {subtract}"""
PG_MADE = """WITH made AS (
        {insert_events}{computed}
        RETURNING township_id, scope, year, delta
    )
    {add}"""


def _pg_name(table: str, event: str) -> str:
    return f"bureau_registry_summary_{table.removeprefix('bureau_')}_{event}"


def postgresql_sql() -> list[str]:
    statements = []
    order = "\nORDER BY township_id, scope, year"

    def gone(ids: str) -> str:
        return PG_GONE.format(
            events=PERSON_EVENTS,
            ids=ids,
            subtract=ADD_TO_TOWNSHIPS.format(
                sign="-", source="gone", where="true", order=order, alias=" AS t", target="t."
            ),
        )

    def made(ids: str) -> str:
        return PG_MADE.format(
            insert_events=INSERT_EVENTS,
            computed=PG_EACH_PERSON.format(ids=ids, events=events("postgresql", "{id} = touched.id", PG_THE_PERSON)),
            add=ADD_TO_TOWNSHIPS.format(sign="", source="made", where="true", order=order, alias=" AS t", target="t."),
        )

    for (table, event), persons in PG_PERSONS.items():
        name = _pg_name(table, event)
        statements.append(
            PG_FUNCTION.format(
                name=name,
                persons=persons,
                plan_each_above=PLAN_EACH_ABOVE,
                lock=PG_LOCK_PERSONS.format(ids="ids"),
                execute_lock="SELECT " + PG_LOCK_PERSONS.format(ids="$1"),
                recompute_gone=gone("$1"),
                recompute_made=made("$1"),
                gone=gone("ids"),
                made=made("ids"),
            )
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} {PG_REFERENCING[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


PG_DROP = [
    *(f"DROP TRIGGER IF EXISTS {_pg_name(table, event)} ON {table}" for table, event in PG_PERSONS),
    *(f"DROP FUNCTION IF EXISTS {_pg_name(table, event)}()" for table, event in PG_PERSONS),
]

# -- SQLite: row-level triggers, one person at a time ----------------------------------------------


def sqlite_recompute(person: str) -> list[str]:
    """Take the person's events out of the counters, compute them again, add them back."""
    mine = f"person_id = {person}"
    return [
        ADD_TO_TOWNSHIPS.format(sign="-", source=PERSON_EVENTS, where=mine, order="", alias="", target=""),
        f"DELETE FROM {PERSON_EVENTS} WHERE {mine}",
        INSERT_EVENTS + events("sqlite", f"{{id}} = {person}"),
        ADD_TO_TOWNSHIPS.format(sign="", source=PERSON_EVENTS, where=mine, order="", alias="", target=""),
    ]


CATEGORY_CHANGED = (
    "old.person_id <> new.person_id OR old.category <> new.category OR old.started_on <> new.started_on "
    "OR old.ended_on IS NOT new.ended_on"
)
PERSON_CHANGED = (
    "old.review_status <> new.review_status OR old.status <> new.status "
    "OR old.discharged_on IS NOT new.discharged_on OR old.township_id <> new.township_id "
    "OR old.died_on IS NOT new.died_on OR old.moved_out_on IS NOT new.moved_out_on "
    "OR old.moved_in_on IS NOT new.moved_in_on"
)

SQLITE_TRIGGERS = {
    "category_insert": ("AFTER INSERT ON bureau_personcategory FOR EACH ROW", ["new.person_id"]),
    "category_delete": ("AFTER DELETE ON bureau_personcategory FOR EACH ROW", ["old.person_id"]),
    "category_update": (
        f"AFTER UPDATE ON bureau_personcategory FOR EACH ROW WHEN {CATEGORY_CHANGED}",
        ["old.person_id", "new.person_id"],
    ),
    "person_insert": ("AFTER INSERT ON bureau_person FOR EACH ROW", ["new.id"]),
    "person_delete": ("AFTER DELETE ON bureau_person FOR EACH ROW", ["old.id"]),
    "person_update": (f"AFTER UPDATE ON bureau_person FOR EACH ROW WHEN {PERSON_CHANGED}", ["new.id"]),
}


def sqlite_sql() -> list[str]:
    statements = []
    for name, (when, persons) in SQLITE_TRIGGERS.items():
        body = [statement for person in persons for statement in sqlite_recompute(person)]
        statements.append(
            f"CREATE TRIGGER bureau_registry_summary_{name} {when}\nBEGIN\n" + ";\n".join(body) + ";\nEND"
        )
    return statements


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS bureau_registry_summary_{name}" for name in SQLITE_TRIGGERS]

# -- The fill: every person's events, then the counters as their sums --------------------------------

# Writers of persons and categories (and so the triggers) wait while the summary is filled.
PG_LOCK = "LOCK TABLE bureau_person, bureau_personcategory IN SHARE ROW EXCLUSIVE MODE"


def fill(vendor: str) -> list[str]:
    return [
        INSERT_EVENTS + events(vendor, "true"),
        f"INSERT INTO {TOWNSHIP_YEARS} (township_id, scope, year, delta)\n"
        f"SELECT township_id, scope, year, SUM(delta) FROM {PERSON_EVENTS} GROUP BY township_id, scope, year",
    ]


def triggers_create(connection) -> None:
    statements = postgresql_sql() if connection.vendor == "postgresql" else sqlite_sql()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def triggers_drop(connection) -> None:
    with connection.cursor() as cursor:
        for statement in PG_DROP if connection.vendor == "postgresql" else SQLITE_DROP:
            cursor.execute(statement)


def summary_fill(connection) -> None:
    """The first fill (migration 0035) and the rebuild's, into empty tables, in the caller's transaction."""
    if connection.vendor not in YEARS:
        raise NotImplementedError(f"the registry summary has no triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_LOCK)
        for statement in fill(connection.vendor):
            cursor.execute(statement)
