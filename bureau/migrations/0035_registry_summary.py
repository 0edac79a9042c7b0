"""
The registry's summary (`bureau.models.registry_summary`): its tables, the triggers that keep them on
every write touching a person or a category row (`bureau.models.registry_summary_sql`: PostgreSQL
statement-level triggers with transition tables, SQLite row-level triggers), and their first fill
(set-based: every person's events in one INSERT ... SELECT, the township counters as their sums).
"""

from django.db import migrations, models

from bureau.models.registry_summary_sql import summary_fill, triggers_create, triggers_drop


def create_and_fill(apps, schema_editor):
    connection = schema_editor.connection
    triggers_create(connection)
    summary_fill(connection)


def drop(apps, schema_editor):
    triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0034_ledger_summary"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryPersonEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("person_id", models.IntegerField(verbose_name="人员")),
                ("township_id", models.IntegerField(verbose_name="乡镇（街道）")),
                ("scope", models.CharField(max_length=40, verbose_name="范围")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("delta", models.SmallIntegerField(verbose_name="增减")),
            ],
            options={
                "verbose_name": "登记汇总（人员）",
                "verbose_name_plural": "登记汇总（人员）",
                "db_table": "bureau_registry_person_event",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person_id", "scope", "year"),
                        name="registry_person_event_key",
                        violation_error_message="登记汇总的人员、范围和年度重复。",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RegistryYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("township_id", models.IntegerField(verbose_name="乡镇（街道）")),
                ("scope", models.CharField(max_length=40, verbose_name="范围")),
                ("year", models.IntegerField(verbose_name="年度")),
                ("delta", models.IntegerField(default=0, verbose_name="增减")),
            ],
            options={
                "verbose_name": "登记汇总（乡镇年度）",
                "verbose_name_plural": "登记汇总（乡镇年度）",
                "db_table": "bureau_registry_year",
                "default_permissions": (),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("township_id", "scope", "year"),
                        name="registry_year_key",
                        violation_error_message="登记汇总的乡镇（街道）、范围和年度重复。",
                    )
                ],
            },
        ),
        migrations.RunPython(create_and_fill, drop),
    ]
