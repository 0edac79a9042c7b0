"""
The table of the embedded default's shared cache (settings.CACHES without REDIS_URL): what
`manage.py createcachetable` makes, created by migrate so that `make run`, the tests and a
fresh deployment have it. Harmless where Redis is the cache: the table stays empty.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "portal_cache"


def create_table(apps, schema_editor):
    # createcachetable's own builder: the same columns and index Django's DatabaseCache expects.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("bureau", "0019_password_resets")]

    operations = [migrations.RunPython(create_table, drop_table)]
