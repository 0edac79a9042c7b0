from django.db import migrations


def declare(apps, schema_editor):
    # The self-employment grant: paid yearly by discharge cohort (the period is the cohort's
    # year), and only by the cohort's run (resettlement.subsidies), never by hand.
    PaymentProgramme = apps.get_model("bureau", "PaymentProgramme")
    PaymentProgramme.objects.filter(code="self-employment-grant").update(frequency="annual", paid_by_run=True)


class Migration(migrations.Migration):
    dependencies = [("resettlement", "0002_programmes"), ("bureau", "0015_payment_rules_and_proposals")]

    operations = [migrations.RunPython(declare, migrations.RunPython.noop)]
