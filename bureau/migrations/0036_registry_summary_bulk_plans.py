"""
The registry summary's PostgreSQL trigger functions again (`bureau.models.registry_summary_sql`): a
statement touching more than PLAN_EACH_ABOVE persons is planned for its own persons (EXECUTE), not
with the session's generic plan, which, made while the tables were empty, made a new district's first
import slower with every chunk. Same tables and counters; SQLite's row-level triggers are unchanged.
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
