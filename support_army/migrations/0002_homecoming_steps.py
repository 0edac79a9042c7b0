"""The homecoming checklist of the reference report (返乡报到流程), as the steps staff start from and may change."""

from django.db import migrations

STEPS = ["退役报到", "户籍落户", "社保接续", "医保接续", "党团组织关系转接", "档案移交"]


def add_steps(apps, schema_editor):
    HomecomingStep = apps.get_model("support_army", "HomecomingStep")
    for order, name in enumerate(STEPS, start=1):
        HomecomingStep.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("support_army", "0001_initial")]

    operations = [migrations.RunPython(add_steps, migrations.RunPython.noop)]
