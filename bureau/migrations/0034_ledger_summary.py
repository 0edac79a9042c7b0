"""
The ledger's summary (`bureau.models.ledger_summary`): its tables, the triggers that keep them on
every write path, and their first fill from the ledger (set-based: one GROUP BY per table).

PostgreSQL: statement-level AFTER triggers with transition tables, one trigger per event (a trigger
with transition tables fires on one event and takes no column list), so the payroll's multi-row
INSERT costs one pass over its rows, not one call per row. SQLite: row-level triggers.
"""

from django.db import migrations, models

from bureau.models.ledger_summary_sql import PG_BACKFILL, SQLITE_BACKFILL

# -- PostgreSQL -----------------------------------------------------------------------------------

# The changed rows as (year, programme_id, person_id, paid_on, fen, sign), {rows} of each event.
PG_ROWS = {
    "insert": "SELECT period_year, programme_id, person_id, paid_on, amount, 1 FROM ledger_new",
    "delete": "SELECT period_year, programme_id, person_id, paid_on, amount, -1 FROM ledger_old",
    # Only rows whose counted columns changed (a note, a batch or an account changes nothing here).
    "update": """
        SELECT o.period_year, o.programme_id, o.person_id, o.paid_on, o.amount, -1
        FROM ledger_old o JOIN ledger_new n ON n.id = o.id
        WHERE (o.period_year, o.programme_id, o.person_id, o.paid_on, o.amount)
              IS DISTINCT FROM (n.period_year, n.programme_id, n.person_id, n.paid_on, n.amount)
        UNION ALL
        SELECT n.period_year, n.programme_id, n.person_id, n.paid_on, n.amount, 1
        FROM ledger_old o JOIN ledger_new n ON n.id = o.id
        WHERE (o.period_year, o.programme_id, o.person_id, o.paid_on, o.amount)
              IS DISTINCT FROM (n.period_year, n.programme_id, n.person_id, n.paid_on, n.amount)
    """,
}

# A person counts in a (year, programme) or a year while they have rows there: their row count is
# upserted (concurrent writers of one person wait on its row), and the counters move by the persons
# whose count went from 0 to more (+1) or back to 0 (-1).
PG_APPLY = """
CREATE FUNCTION bureau_ledger_summary_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH changed (year, programme_id, person_id, paid_on, amount, sign) AS ({rows}),
    counted AS (
        SELECT c.year, c.programme_id, c.person_id, p.township_id,
               EXTRACT(YEAR FROM c.paid_on)::integer AS paid_year,
               EXTRACT(MONTH FROM c.paid_on)::integer AS paid_month,
               c.sign, c.sign * (c.amount * 100)::bigint AS fen
        FROM changed c JOIN bureau_person p ON p.id = c.person_id
        WHERE c.year IS NOT NULL
    ),
    of_programme AS (
        SELECT year, programme_id, person_id, township_id, SUM(sign)::integer AS delta
        FROM counted GROUP BY year, programme_id, person_id, township_id HAVING SUM(sign) <> 0
    ),
    of_year AS (
        SELECT year, person_id, township_id, SUM(sign)::integer AS delta
        FROM counted GROUP BY year, person_id, township_id HAVING SUM(sign) <> 0
    ),
    person_programme AS (
        INSERT INTO bureau_ledger_person_programme AS t (year, programme_id, person_id, payments)
        SELECT year, programme_id, person_id, delta FROM of_programme ORDER BY year, programme_id, person_id
        ON CONFLICT (year, programme_id, person_id) DO UPDATE SET payments = t.payments + EXCLUDED.payments
        RETURNING t.year, t.programme_id, t.person_id, t.payments
    ),
    person_year AS (
        INSERT INTO bureau_ledger_person_year AS t (year, person_id, payments)
        SELECT year, person_id, delta FROM of_year ORDER BY year, person_id
        ON CONFLICT (year, person_id) DO UPDATE SET payments = t.payments + EXCLUDED.payments
        RETURNING t.year, t.person_id, t.payments
    ),
    programme_change AS (
        SELECT year, programme_id, township_id, 0 AS persons, sign AS payments, fen FROM counted
        UNION ALL
        SELECT r.year, r.programme_id, d.township_id,
               (r.payments > 0)::integer - (r.payments - d.delta > 0)::integer, 0, 0
        FROM person_programme r JOIN of_programme d USING (year, programme_id, person_id)
    ),
    programme_year AS (
        INSERT INTO bureau_ledger_programme_year AS t (year, programme_id, township_id, persons, payments, total_fen)
        SELECT year, programme_id, township_id, SUM(persons), SUM(payments), SUM(fen)
        FROM programme_change GROUP BY year, programme_id, township_id
        HAVING SUM(persons) <> 0 OR SUM(payments) <> 0 OR SUM(fen) <> 0
        ORDER BY year, programme_id, township_id
        ON CONFLICT (year, programme_id, township_id) DO UPDATE SET
            persons = t.persons + EXCLUDED.persons,
            payments = t.payments + EXCLUDED.payments,
            total_fen = t.total_fen + EXCLUDED.total_fen
    ),
    payee_year AS (
        INSERT INTO bureau_ledger_payee_year AS t (year, township_id, persons)
        SELECT r.year, d.township_id, SUM((r.payments > 0)::integer - (r.payments - d.delta > 0)::integer)
        FROM person_year r JOIN of_year d USING (year, person_id)
        GROUP BY r.year, d.township_id
        HAVING SUM((r.payments > 0)::integer - (r.payments - d.delta > 0)::integer) <> 0
        ORDER BY r.year, d.township_id
        ON CONFLICT (year, township_id) DO UPDATE SET persons = t.persons + EXCLUDED.persons
    )
    INSERT INTO bureau_ledger_paid_month AS t (year, township_id, paid_year, paid_month, payments, total_fen)
    SELECT year, township_id, paid_year, paid_month, SUM(sign), SUM(fen)
    FROM counted GROUP BY year, township_id, paid_year, paid_month
    HAVING SUM(sign) <> 0 OR SUM(fen) <> 0
    ORDER BY year, township_id, paid_year, paid_month
    ON CONFLICT (year, township_id, paid_year, paid_month) DO UPDATE SET
        payments = t.payments + EXCLUDED.payments, total_fen = t.total_fen + EXCLUDED.total_fen;
    RETURN NULL;
END
$$;
"""
PG_TRIGGER = {
    "insert": "AFTER INSERT ON bureau_payment REFERENCING NEW TABLE AS ledger_new",
    "delete": "AFTER DELETE ON bureau_payment REFERENCING OLD TABLE AS ledger_old",
    "update": "AFTER UPDATE ON bureau_payment REFERENCING OLD TABLE AS ledger_old NEW TABLE AS ledger_new",
}

# A person moving township takes their payments' counts along: out of the old township, into the new.
PG_MOVE = """
CREATE FUNCTION bureau_ledger_summary_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT o.id AS person_id, o.township_id AS old_township, n.township_id AS new_township
        FROM moved_old o JOIN moved_new n ON n.id = o.id WHERE n.township_id <> o.township_id
    ),
    sides (person_id, township_id, sign) AS (
        SELECT person_id, old_township, -1 FROM moved UNION ALL SELECT person_id, new_township, 1 FROM moved
    ),
    paid AS (
        SELECT pay.period_year AS year, pay.programme_id, pay.person_id, pay.amount,
               EXTRACT(YEAR FROM pay.paid_on)::integer AS paid_year,
               EXTRACT(MONTH FROM pay.paid_on)::integer AS paid_month
        FROM bureau_payment pay WHERE pay.person_id IN (SELECT person_id FROM moved) AND pay.period_year IS NOT NULL
    ),
    of_programme AS (
        SELECT year, programme_id, person_id, COUNT(*) AS payments, SUM((amount * 100)::bigint) AS fen
        FROM paid GROUP BY year, programme_id, person_id
    ),
    programme_year AS (
        INSERT INTO bureau_ledger_programme_year AS t (year, programme_id, township_id, persons, payments, total_fen)
        SELECT g.year, g.programme_id, s.township_id, SUM(s.sign), SUM(s.sign * g.payments), SUM(s.sign * g.fen)
        FROM of_programme g JOIN sides s USING (person_id) GROUP BY g.year, g.programme_id, s.township_id
        ORDER BY 1, 2, 3
        ON CONFLICT (year, programme_id, township_id) DO UPDATE SET
            persons = t.persons + EXCLUDED.persons,
            payments = t.payments + EXCLUDED.payments,
            total_fen = t.total_fen + EXCLUDED.total_fen
    ),
    payee_year AS (
        INSERT INTO bureau_ledger_payee_year AS t (year, township_id, persons)
        SELECT g.year, s.township_id, SUM(s.sign)
        FROM (SELECT DISTINCT year, person_id FROM of_programme) g JOIN sides s USING (person_id)
        GROUP BY g.year, s.township_id ORDER BY 1, 2
        ON CONFLICT (year, township_id) DO UPDATE SET persons = t.persons + EXCLUDED.persons
    )
    INSERT INTO bureau_ledger_paid_month AS t (year, township_id, paid_year, paid_month, payments, total_fen)
    SELECT g.year, s.township_id, g.paid_year, g.paid_month, SUM(s.sign), SUM(s.sign * (g.amount * 100)::bigint)
    FROM paid g JOIN sides s USING (person_id) GROUP BY g.year, s.township_id, g.paid_year, g.paid_month
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (year, township_id, paid_year, paid_month) DO UPDATE SET
        payments = t.payments + EXCLUDED.payments, total_fen = t.total_fen + EXCLUDED.total_fen;
    RETURN NULL;
END
$$;
"""


def postgresql_sql() -> list[str]:
    statements = []
    for event, rows in PG_ROWS.items():
        statements.append(PG_APPLY.replace("{event}", event).replace("{rows}", rows))
        statements.append(
            f"CREATE TRIGGER bureau_ledger_summary_{event} {PG_TRIGGER[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION bureau_ledger_summary_{event}()"
        )
    statements.append(PG_MOVE)
    statements.append(
        "CREATE TRIGGER bureau_ledger_summary_move AFTER UPDATE ON bureau_person "
        "REFERENCING OLD TABLE AS moved_old NEW TABLE AS moved_new "
        "FOR EACH STATEMENT EXECUTE FUNCTION bureau_ledger_summary_move()"
    )
    return statements


PG_DROP = [
    *(f"DROP TRIGGER IF EXISTS bureau_ledger_summary_{event} ON bureau_payment" for event in PG_ROWS),
    "DROP TRIGGER IF EXISTS bureau_ledger_summary_move ON bureau_person",
    *(f"DROP FUNCTION IF EXISTS bureau_ledger_summary_{event}()" for event in (*PG_ROWS, "move")),
]

# -- SQLite ---------------------------------------------------------------------------------------
# Row-level and lean: three upserts per new row; a person counts in a (year, programme) or a year when
# the ledger holds no other row of theirs there (the unique index on person, programme, period and the
# person's index serve the check; SQLite has one writer at a time, so the check is exact).

SQLITE_FEN = "CAST(ROUND({row}.amount * 100) AS INTEGER)"
SQLITE_TOWNSHIP = "(SELECT township_id FROM bureau_person WHERE id = {row}.person_id)"


def sqlite_add(row: str, *, moved_key: str = "1") -> list[str]:
    """Count `row` (NEW) in; `moved_key`: an SQL condition that its (person, programme, year) is new to it."""
    fen = SQLITE_FEN.format(row=row)
    # `+o.period_year`: not by the (year, programme) index, whose year may hold the whole statement.
    other = f"o.person_id = {row}.person_id AND +o.period_year = {row}.period_year AND o.id <> {row}.id"
    return [
        f"""INSERT INTO bureau_ledger_programme_year (year, programme_id, township_id, persons, payments, total_fen)
        SELECT {row}.period_year, {row}.programme_id, township_id,
            ({moved_key.replace("KEY", "programme")}) AND NOT EXISTS (SELECT 1 FROM bureau_payment o
                WHERE {other} AND o.programme_id = {row}.programme_id),
            1, {fen}
        FROM bureau_person WHERE id = {row}.person_id AND {row}.period_year IS NOT NULL
        ON CONFLICT (year, programme_id, township_id) DO UPDATE SET persons = persons + excluded.persons,
            payments = payments + 1, total_fen = total_fen + excluded.total_fen""",
        f"""INSERT INTO bureau_ledger_payee_year (year, township_id, persons)
        SELECT {row}.period_year, township_id, 1 FROM bureau_person
        WHERE id = {row}.person_id AND {row}.period_year IS NOT NULL AND ({moved_key.replace("KEY", "year")})
            AND NOT EXISTS (SELECT 1 FROM bureau_payment o WHERE {other})
        ON CONFLICT (year, township_id) DO UPDATE SET persons = persons + 1""",
        f"""INSERT INTO bureau_ledger_paid_month (year, township_id, paid_year, paid_month, payments, total_fen)
        SELECT {row}.period_year, township_id, CAST(SUBSTR({row}.paid_on, 1, 4) AS INTEGER),
            CAST(SUBSTR({row}.paid_on, 6, 2) AS INTEGER), 1, {fen}
        FROM bureau_person WHERE id = {row}.person_id AND {row}.period_year IS NOT NULL
        ON CONFLICT (year, township_id, paid_year, paid_month) DO UPDATE SET
            payments = payments + 1, total_fen = total_fen + excluded.total_fen""",
    ]


def sqlite_remove(row: str) -> list[str]:
    """Count `row` (OLD) out; the ledger no longer holds it in its old shape."""
    fen = SQLITE_FEN.format(row=row)
    township = SQLITE_TOWNSHIP.format(row=row)
    same = f"o.person_id = {row}.person_id AND +o.period_year = {row}.period_year"
    return [
        f"""UPDATE bureau_ledger_programme_year SET
            persons = persons - NOT EXISTS (SELECT 1 FROM bureau_payment o
                WHERE {same} AND o.programme_id = {row}.programme_id),
            payments = payments - 1, total_fen = total_fen - {fen}
        WHERE year = {row}.period_year AND programme_id = {row}.programme_id AND township_id = {township}""",
        f"""UPDATE bureau_ledger_payee_year SET persons = persons - 1
        WHERE year = {row}.period_year AND township_id = {township}
            AND NOT EXISTS (SELECT 1 FROM bureau_payment o WHERE {same})""",
        f"""UPDATE bureau_ledger_paid_month SET payments = payments - 1, total_fen = total_fen - {fen}
        WHERE year = {row}.period_year AND township_id = {township}
            AND paid_year = CAST(SUBSTR({row}.paid_on, 1, 4) AS INTEGER)
            AND paid_month = CAST(SUBSTR({row}.paid_on, 6, 2) AS INTEGER)""",
    ]


# On an update the row itself holds the new key: it is new to a (person, programme, year) only if
# its key changed (else it was counted there already).
SQLITE_KEY_CHANGED = {
    "programme": "old.person_id <> new.person_id OR old.programme_id <> new.programme_id "
    "OR old.period_year IS NOT new.period_year",
    "year": "old.person_id <> new.person_id OR old.period_year IS NOT new.period_year",
}


def sqlite_update_add() -> list[str]:
    statements = sqlite_add("new", moved_key="KEY")
    return [
        statement.replace("(programme)", f"({SQLITE_KEY_CHANGED['programme']})").replace(
            "(year)", f"({SQLITE_KEY_CHANGED['year']})"
        )
        for statement in statements
    ]


SQLITE_MOVE = [
    """INSERT INTO bureau_ledger_programme_year (year, programme_id, township_id, persons, payments, total_fen)
    SELECT pay.period_year, pay.programme_id, side.township_id, side.sign, side.sign * COUNT(*),
        side.sign * SUM(CAST(ROUND(pay.amount * 100) AS INTEGER))
    FROM bureau_payment pay, (SELECT old.township_id AS township_id, -1 AS sign
                              UNION ALL SELECT new.township_id, 1) AS side
    WHERE pay.person_id = new.id AND pay.period_year IS NOT NULL
    GROUP BY pay.period_year, pay.programme_id, side.township_id, side.sign
    ON CONFLICT (year, programme_id, township_id) DO UPDATE SET persons = persons + excluded.persons,
        payments = payments + excluded.payments, total_fen = total_fen + excluded.total_fen""",
    """INSERT INTO bureau_ledger_payee_year (year, township_id, persons)
    SELECT paid.year, side.township_id, side.sign
    FROM (SELECT DISTINCT period_year AS year FROM bureau_payment
          WHERE person_id = new.id AND period_year IS NOT NULL) AS paid,
         (SELECT old.township_id AS township_id, -1 AS sign UNION ALL SELECT new.township_id, 1) AS side
    WHERE true
    ON CONFLICT (year, township_id) DO UPDATE SET persons = persons + excluded.persons""",
    """INSERT INTO bureau_ledger_paid_month (year, township_id, paid_year, paid_month, payments, total_fen)
    SELECT pay.period_year, side.township_id, CAST(SUBSTR(pay.paid_on, 1, 4) AS INTEGER),
        CAST(SUBSTR(pay.paid_on, 6, 2) AS INTEGER), side.sign * COUNT(*),
        side.sign * SUM(CAST(ROUND(pay.amount * 100) AS INTEGER))
    FROM bureau_payment pay, (SELECT old.township_id AS township_id, -1 AS sign
                              UNION ALL SELECT new.township_id, 1) AS side
    WHERE pay.person_id = new.id AND pay.period_year IS NOT NULL
    GROUP BY 1, 2, 3, 4, side.sign
    ON CONFLICT (year, township_id, paid_year, paid_month) DO UPDATE SET
        payments = payments + excluded.payments, total_fen = total_fen + excluded.total_fen""",
]


def sqlite_trigger(name: str, when: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE TRIGGER {name} {when}\nBEGIN\n{body};\nEND"


def sqlite_sql() -> list[str]:
    return [
        sqlite_trigger(
            "bureau_ledger_summary_insert",
            "AFTER INSERT ON bureau_payment FOR EACH ROW WHEN new.period_year IS NOT NULL",
            sqlite_add("new"),
        ),
        sqlite_trigger(
            "bureau_ledger_summary_delete",
            "AFTER DELETE ON bureau_payment FOR EACH ROW WHEN old.period_year IS NOT NULL",
            sqlite_remove("old"),
        ),
        sqlite_trigger(
            "bureau_ledger_summary_update",
            "AFTER UPDATE OF period, programme_id, person_id, paid_on, amount ON bureau_payment FOR EACH ROW "
            "WHEN old.period IS NOT new.period OR old.programme_id <> new.programme_id "
            "OR old.person_id <> new.person_id OR old.paid_on IS NOT new.paid_on OR old.amount <> new.amount",
            sqlite_remove("old") + sqlite_update_add(),
        ),
        sqlite_trigger(
            "bureau_ledger_summary_move",
            "AFTER UPDATE OF township_id ON bureau_person FOR EACH ROW WHEN old.township_id <> new.township_id",
            SQLITE_MOVE,
        ),
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS bureau_ledger_summary_{event}" for event in ("insert", "delete", "update", "move")
]


def triggers_create(connection) -> None:
    """Create the summary's triggers (also used by the bench to time the ledger with and without them)."""
    statements = postgresql_sql() if connection.vendor == "postgresql" else sqlite_sql()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def triggers_drop(connection) -> None:
    with connection.cursor() as cursor:
        for statement in PG_DROP if connection.vendor == "postgresql" else SQLITE_DROP:
            cursor.execute(statement)


def summary_fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the ledger summary has no triggers for {connection.vendor}")
    triggers_create(connection)
    with connection.cursor() as cursor:
        for statement in PG_BACKFILL if connection.vendor == "postgresql" else SQLITE_BACKFILL:
            cursor.execute(statement)


def summary_drop(apps, schema_editor):
    triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0033_payment_period_paid_on_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerPaidMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("township_id", models.IntegerField(verbose_name="乡镇（街道）")),
                ("paid_year", models.IntegerField(verbose_name="发放年份")),
                ("paid_month", models.IntegerField(verbose_name="发放月份")),
                ("payments", models.IntegerField(default=0, verbose_name="笔数")),
                ("total_fen", models.BigIntegerField(default=0, verbose_name="金额（分）")),
            ],
            options={
                "verbose_name": "资金发放汇总（月份）",
                "verbose_name_plural": "资金发放汇总（月份）",
                "db_table": "bureau_ledger_paid_month",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "township_id", "paid_year", "paid_month"),
                        name="ledger_paid_month_key",
                        violation_error_message="资金发放汇总的年度、乡镇（街道）和发放月份重复。",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LedgerPayeeYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("township_id", models.IntegerField(verbose_name="乡镇（街道）")),
                ("persons", models.IntegerField(default=0, verbose_name="人数")),
            ],
            options={
                "verbose_name": "资金发放汇总（人数）",
                "verbose_name_plural": "资金发放汇总（人数）",
                "db_table": "bureau_ledger_payee_year",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "township_id"),
                        name="ledger_payee_year_key",
                        violation_error_message="资金发放汇总的年度和乡镇（街道）重复。",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LedgerPersonProgramme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("programme_id", models.IntegerField(verbose_name="资金项目")),
                ("person_id", models.IntegerField(verbose_name="人员")),
                ("payments", models.IntegerField(default=0, verbose_name="笔数")),
            ],
            options={
                "verbose_name": "资金发放汇总（人员项目）",
                "verbose_name_plural": "资金发放汇总（人员项目）",
                "db_table": "bureau_ledger_person_programme",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "programme_id", "person_id"),
                        name="ledger_person_programme_key",
                        violation_error_message="资金发放汇总的年度、项目和人员重复。",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LedgerPersonYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("person_id", models.IntegerField(verbose_name="人员")),
                ("payments", models.IntegerField(default=0, verbose_name="笔数")),
            ],
            options={
                "verbose_name": "资金发放汇总（人员年度）",
                "verbose_name_plural": "资金发放汇总（人员年度）",
                "db_table": "bureau_ledger_person_year",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "person_id"),
                        name="ledger_person_year_key",
                        violation_error_message="资金发放汇总的年度和人员重复。",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="LedgerProgrammeYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("programme_id", models.IntegerField(verbose_name="资金项目")),
                ("township_id", models.IntegerField(verbose_name="乡镇（街道）")),
                ("persons", models.IntegerField(default=0, verbose_name="人数")),
                ("payments", models.IntegerField(default=0, verbose_name="笔数")),
                ("total_fen", models.BigIntegerField(default=0, verbose_name="金额（分）")),
            ],
            options={
                "verbose_name": "资金发放汇总（项目）",
                "verbose_name_plural": "资金发放汇总（项目）",
                "db_table": "bureau_ledger_programme_year",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "programme_id", "township_id"),
                        name="ledger_programme_year_key",
                        violation_error_message="资金发放汇总的年度、项目和乡镇（街道）重复。",
                    )
                ],
            },
        ),
        migrations.RunPython(summary_fill, summary_drop),
    ]
