"""
The registry summary's PostgreSQL trigger functions again (`bureau.models.registry_summary_sql`): each
touched person's events computed and their row locked by the person's key (a lateral subquery per
person), and a statement touching more than PLAN_EACH_ABOVE persons planned for its own persons
(EXECUTE). Without statistics (a new district's first import) 0035's functions read every approved
person for each statement, each chunk slower than the last. Same tables and counters; SQLite's
row-level triggers are unchanged.
"""

from django.db import migrations

from bureau.models.registry_summary_sql import triggers_create, triggers_drop


def recreate(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    triggers_drop(connection)
    triggers_create(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0035_registry_summary"),
    ]

    operations = [
        # Backwards: the functions stay (they keep 0035's tables the same way).
        migrations.RunPython(recreate, migrations.RunPython.noop),
    ]
