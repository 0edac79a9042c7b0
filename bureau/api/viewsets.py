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

- No lost updates: a versioned record's answer carries its version (the `version`
  field and an `ETag`); a write that names an older one (`version` in the body, or
  `If-Match`) is refused with 409 (412 for `If-Match`), saying who changed it and when.
- A station's edit of an approved record is stored as a proposed change: 202, with the
  record as it stays in force and the proposal under `pending_change`.

An area app whose write spans models overrides `save_record` to call its own service.
"""

from django.db import transaction
from rest_framework import exceptions, status, viewsets
from rest_framework.utils import model_meta

from bureau.concurrency import stale_error
from bureau.models import TownshipRecord, VersionedModel
from bureau.services import check_write_allowed, record_save


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "If-Match 与记录的当前版本不符。"
    default_code = "precondition_failed"


def etag(record) -> str:
    return f'"{record.version}"'


def if_match_version(request) -> int | None:
    """The version an `If-Match: "3"` (or W/"3") header names; None without the header."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed('If-Match 应为读取记录时得到的 ETag，例如 "3"。')
    return int(value)


class ScopedQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyModelViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    # What a refused delete says (see bureau.api.exceptions); subclasses name their record.
    protected_message = "该记录已有关联数据，不能删除。"

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        return self.with_etag(response, self.get_object())

    def update(self, request, *args, **kwargs):
        self.check_if_match(request, self.get_object())
        response = super().update(request, *args, **kwargs)
        saved = getattr(self, "saved", None)
        change = getattr(saved, "proposed_change", None)
        if change is not None:
            response.status_code = status.HTTP_202_ACCEPTED
            response.data = {
                **response.data,
                "detail": "修改已提交，等待区局审核；审核通过前仍按原内容统计。",
                "pending_change": {
                    "id": change.pk,
                    "fields": [row["name"] for row in change.rows(request.user)],
                    "changes": {
                        row["name"]: {"old": row["old"], "new": row["new"]} for row in change.rows(request.user)
                    },
                },
            }
        return self.with_etag(response, saved)

    def destroy(self, request, *args, **kwargs):
        self.check_if_match(request, self.get_object())
        return super().destroy(request, *args, **kwargs)

    def check_if_match(self, request, record) -> None:
        expected = if_match_version(request)
        if expected is None or not isinstance(record, VersionedModel):
            return
        if expected != record.version:
            raise PreconditionFailed(stale_error(type(record), record.pk).messages[0])
        if isinstance(request.data, dict) and "version" not in request.data:
            # The header names the version read; the save compares it (VersionedModel.save).
            self.if_match = expected

    @staticmethod
    def with_etag(response, record):
        if isinstance(record, VersionedModel) and response.status_code < 300:
            response["ETag"] = etag(record)
        return response

    def perform_create(self, serializer):
        record = serializer.Meta.model()
        data = dict(serializer.validated_data)
        data.pop("version", None)  # a new record starts at version 1 whatever the client says
        serializer.instance = self._save(record, data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if getattr(self, "if_match", None) is not None:
            data.setdefault("version", self.if_match)
        serializer.instance = self.saved = self._save(serializer.instance, data)

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
