from django.db import migrations

# A copy of pensions.programmes.PROGRAMMES as of this migration (migrations never import app code).
PROGRAMMES = {
    "periodic-pension": ("优抚对象定期抚恤补助", "monthly"),
    "hardship-aid": ("“三难”救助", "one_off"),
    "key-medical-subsidy": ("重点优抚对象医疗补助", "one_off"),
    "spring-festival": ("春节慰问金", "annual"),
    "conscript-visit": ("义务兵走访慰问金", "one_off"),
    "conscript-family-allowance": ("义务兵家庭优待金", "annual"),
    "military-retiree": ("军休人员经费", "one_off"),
    "warmth-aid": ("“送温暖”帮扶资金", "one_off"),
}


def create(apps, schema_editor):
    PaymentProgramme = apps.get_model("bureau", "PaymentProgramme")
    for code, (name, frequency) in PROGRAMMES.items():
        if PaymentProgramme.objects.filter(code=code).exists():
            continue
        if PaymentProgramme.objects.filter(name=name).exists():
            PaymentProgramme.objects.filter(name=name).update(code=code)
            continue
        PaymentProgramme.objects.create(code=code, name=name, area="pensions", frequency=frequency)


class Migration(migrations.Migration):
    dependencies = [("pensions", "0002_payroll_aid_problems_oral_history"), ("bureau", "0013_care_visits_checkups_deaths_moves")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
