from django.db import migrations

# A copy of resettlement.programmes.PROGRAMMES as of this migration (migrations never import app code).
PROGRAMMES = {"self-employment-grant": ("自主就业金", "one_off")}


def create(apps, schema_editor):
    PaymentProgramme = apps.get_model("bureau", "PaymentProgramme")
    for code, (name, frequency) in PROGRAMMES.items():
        if PaymentProgramme.objects.filter(code=code).exists():
            continue
        if PaymentProgramme.objects.filter(name=name).exists():
            PaymentProgramme.objects.filter(name=name).update(code=code)
            continue
        PaymentProgramme.objects.create(code=code, name=name, area="resettlement", frequency=frequency)


class Migration(migrations.Migration):
    dependencies = [("resettlement", "0001_initial"), ("bureau", "0014_person_category_disability_grade")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
