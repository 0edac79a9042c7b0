"""
Records of a place saved without their township (the demo's station submissions were written by
update_or_create, which skipped the township of what they are about) take it now; a record saved
from now on gets it by construction (`TownshipRecord.save`). Reversible: nothing to undo.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# (model, the relation whose township the record takes)
RECORDS = (('Visit', 'person'), ('CheckUp', 'person'))


def fill_townships(apps, schema_editor):
    for model_name, relation in RECORDS:
        model = apps.get_model("bureau", model_name)
        parent = model._meta.get_field(relation).related_model
        township = parent._base_manager.filter(pk=OuterRef(f"{relation}_id")).values("township_id")[:1]
        model._base_manager.filter(township__isnull=True, **{f"{relation}__isnull": False}).update(
            township=Subquery(township)
        )


class Migration(migrations.Migration):
    dependencies = [("bureau", "0017_person_moved_in_life_events")]

    operations = [migrations.RunPython(fill_townships, migrations.RunPython.noop)]
