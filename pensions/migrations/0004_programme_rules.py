from django.db import migrations

# How often each programme of section (三) pays and whether only its run pays it (a copy of
# pensions.programmes as of this migration): the periodic pension is paid by the monthly payroll only.
RULES = {
    "periodic-pension": ("monthly", True),
    "hardship-aid": ("per_occasion", False),
    "key-medical-subsidy": ("annual", False),
    "spring-festival": ("annual", False),
    "conscript-visit": ("per_occasion", False),
    "conscript-family-allowance": ("annual", False),
    "military-retiree": ("annual", False),
    "warmth-aid": ("per_occasion", False),
}


def declare(apps, schema_editor):
    PaymentProgramme = apps.get_model("bureau", "PaymentProgramme")
    for code, (frequency, paid_by_run) in RULES.items():
        PaymentProgramme.objects.filter(code=code).update(frequency=frequency, paid_by_run=paid_by_run)


class Migration(migrations.Migration):
    dependencies = [("pensions", "0003_programmes"), ("bureau", "0015_payment_rules_and_proposals")]

    operations = [migrations.RunPython(declare, migrations.RunPython.noop)]
