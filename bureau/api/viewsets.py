"""
Viewset bases every API endpoint builds on.

- Reads go through `Model.objects.visible_to(user)`: another township's record is a 404.
- Writes of workflow records (`TownshipRecord`) go through `bureau.services.record_save`,
  so a station's write is submitted for review and a bureau user's is approved; other
  models are validated with `full_clean()` and checked by `check_write_allowed` (the
  one write-scope rule) before saving. DRF does not call
  `full_clean()` itself, and the model's `clean()` holds rules the API must keep.
- Permissions are Django model permissions (`bureau.api.permissions.ModelPermissions`,
  the project default), view included.

An area app whose write spans models overrides `save_record` to call its own service.
"""

from django.db import transaction
from rest_framework import viewsets
from rest_framework.utils import model_meta

from bureau.models import TownshipRecord
from bureau.services import check_write_allowed, record_save


class ScopedQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyModelViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    # What a refused delete says (see bureau.api.exceptions); subclasses name their record.
    protected_message = "该记录已有关联数据，不能删除。"

    def perform_create(self, serializer):
        record = serializer.Meta.model()
        serializer.instance = self._save(record, dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer.instance, dict(serializer.validated_data))

    @transaction.atomic
    def _save(self, record, data: dict):
        relations = model_meta.get_field_info(type(record)).relations
        many = {name: data.pop(name) for name in list(data) if name in relations and relations[name].to_many}
        for name, value in data.items():
            setattr(record, name, value)
        record = self.save_record(record)
        for name, value in many.items():
            getattr(record, name).set(value)
        return record

    def save_record(self, record):
        if isinstance(record, TownshipRecord):
            return record_save(record=record, by=self.request.user)
        record.full_clean()
        # A model outside the workflow keeps to the user's scope too, whatever its township lookup.
        check_write_allowed(user=self.request.user, record=record)
        record.save()
        return record
