# The person admin list's order (township, name, key) served by one index walk
# (issue 29: a full scan and a sort of every person for each page before).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0031_payment_period_year"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["township", "name", "id"], name="person_township_name_id_idx"),
        ),
    ]
