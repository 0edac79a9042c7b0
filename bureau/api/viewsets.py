"""
Viewset bases every API endpoint builds on.

- Reads go through `Model.objects.visible_to(user)`: another township's record is a 404.
- Writes of workflow records (`TownshipRecord`) go through `bureau.rules.services.record_save`,
  so a station's write is submitted for review and a bureau user's is approved; other
  models are validated with `full_clean()` and checked by `check_write_allowed` (the
  one write-scope rule) before saving. DRF does not call
  `full_clean()` itself, and the model's `clean()` holds rules the API must keep.
- Permissions are Django model permissions (`bureau.api.permissions.ModelPermissions`,
  the project default), view included.
- A create may carry an `Idempotency-Key` header: the key is saved with the record, and
  the same user's next POST with that key (a retry, or one sent alongside, which waits
  for the first) saves nothing and gets the record as it is now, with the first answer's
  status and `Idempotent-Replayed: true`. The same key with another body is a 422.
- Two writes of the same natural key at once: the database's unique index refuses the
  second, which is answered like a sequential duplicate, a 400 with the model's message.

- No lost updates: a versioned record's answer carries its version (the `version`
  field and an `ETag`); a write that names an older one (`version` in the body, or
  `If-Match`) is refused with 409 (412 for `If-Match`), saying who changed it and when.
- A station's edit of an approved record is stored as a proposed change: 202, with the
  record as it stays in force and the proposal under `pending_change`.

An area app whose write spans models overrides `save_record` to call its own service.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.utils import model_meta

from bureau.api.exceptions import Conflict, IdempotencyKeyReused
from bureau.api.lean import lean_plan
from bureau.base.concurrency import stale_error
from bureau.base.duplicates import request_fingerprint, unique_violation
from bureau.base.masking import unmasked
from bureau.models import IdempotencyKey, TownshipRecord, VersionedModel
from bureau.models.changes import PROPOSED_MESSAGE
from bureau.models.idempotency import KEY_LIFETIME, KEY_MAX_LENGTH, KeyInUse
from bureau.rules.services import check_write_allowed, proposes_change, record_save

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"可选，1 至 {KEY_MAX_LENGTH} 个字符（如 UUID），每条新记录一个。用同一个键重发的请求不再新建记录，"
        f"而是返回首次请求所建记录的当前内容，并带响应头 {REPLAYED_HEADER}: true；"
        f"同一个键用于内容不同的请求返回 422。键保留 {KEY_LIFETIME.days} 天。"
    ),
)


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


# The actions answering with one record.
DETAIL_ACTIONS = {"retrieve", "create", "update", "partial_update", "find"}


class ScopedQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_serializer_context(self):
        # One record's answer (read, written, or found) shows whole values to a role with the
        # permission, and is an audit event (ScopedModelSerializer); a list stays masked.
        return {**super().get_serializer_context(), "reveal": self.action in DETAIL_ACTIONS}


class LeanListMixin:
    """
    A list read as `.values()` rows mapped to the serializer's JSON (bureau.api.lean): the same
    answer, without a model instance or a serializer call per row. A list whose serializer has no
    plan (a method field, a property as a source …), or a view with `lean_list = False`, is
    serialized as before.
    """

    lean_list = True

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = (
            lean_plan(self.get_serializer_class(), self.get_serializer_context(), queryset) if self.lean_list else None
        )
        if plan is None:
            page = self.paginate_queryset(queryset)
            if page is not None:
                return self.get_paginated_response(self.get_serializer(page, many=True).data)
            return Response(self.get_serializer(queryset, many=True).data)
        # The keyset paginator continues after the last row's keyset columns (bureau.api.pagination).
        rows = plan.values(queryset, extra=tuple(name.lstrip("-") for name in getattr(self, "keyset", ())))
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(plan.rows(page, request.user))
        return Response(plan.rows(list(rows), request.user))


class ScopedReadOnlyModelViewSet(LeanListMixin, ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(LeanListMixin, ScopedQuerysetMixin, viewsets.ModelViewSet):
    # What a refused delete says (see bureau.api.exceptions); subclasses name their record.
    protected_message = "该记录已有关联数据，不能删除。"
    # Set by perform_create: the record an idempotency key stands for.
    created_record = None

    @extend_schema(parameters=[IDEMPOTENCY_PARAMETER])
    def create(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return super().create(request, *args, **kwargs)
        key = key.strip()
        if not 0 < len(key) <= KEY_MAX_LENGTH:
            raise exceptions.ValidationError(
                {IDEMPOTENCY_HEADER: [f"请求头 {IDEMPOTENCY_HEADER} 应为 1 至 {KEY_MAX_LENGTH} 个字符。"]}
            )
        fingerprint = request_fingerprint(method=request.method, path=request.path, data=request.data)
        try:
            # The key first: a request sent alongside with it waits here for this one to finish.
            # The key and the record together, or neither: a refused request may be sent again with its key.
            with transaction.atomic():
                claim = IdempotencyKey.objects.claim(user=request.user, key=key, fingerprint=fingerprint)
                response = super().create(request, *args, **kwargs)
                claim.finish(result=self.created_record, status_code=response.status_code)
                return response
        except KeyInUse as in_use:
            return self.replay(in_use.earlier, fingerprint)

    def replay(self, earlier: IdempotencyKey, fingerprint: str) -> Response:
        """The answer to a repeated create: the record the first request saved, as it is now."""
        if not earlier.matches(fingerprint):
            raise IdempotencyKeyReused()
        record = self.get_queryset().filter(pk=earlier.object_id).first() if earlier.object_id else None
        if record is None:
            raise Conflict("该请求已处理过，但所登记的记录已不存在或已不可查看。", code="replayed_record_gone")
        data = self.get_serializer(record).data
        return Response(data, status=earlier.status_code, headers={REPLAYED_HEADER: "true"})

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if isinstance(response.data, dict) and "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def update(self, request, *args, **kwargs):
        self.check_if_match(request, self.get_object())
        response = super().update(request, *args, **kwargs)
        saved = getattr(self, "saved", None)
        change = getattr(saved, "proposed_change", None)
        if change is not None:
            with unmasked():  # the record's answer above is the audited view
                rows = change.rows(request.user)
            response.status_code = status.HTTP_202_ACCEPTED
            response.data = {
                **response.data,
                "detail": PROPOSED_MESSAGE,
                "pending_change": {
                    "id": change.pk,
                    "fields": [row["name"] for row in rows],
                    "changes": {row["name"]: {"old": row["old"], "new": row["new"]} for row in rows},
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
        serializer.instance = self.created_record = self._save(record, data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if getattr(self, "if_match", None) is not None:
            data.setdefault("version", self.if_match)
        serializer.instance = self.saved = self._save(serializer.instance, data)

    def _save(self, record, data: dict):
        relations = model_meta.get_field_info(type(record)).relations
        many = {name: data.pop(name) for name in list(data) if name in relations and relations[name].to_many}
        for name, value in data.items():
            setattr(record, name, value)
        if many and isinstance(record, TownshipRecord) and proposes_change(record=record, by=self.request.user):
            # A proposed change holds field values only; lists of related records change at the bureau.
            if any(
                {item.pk for item in value} != set(getattr(record, name).values_list("pk", flat=True))
                for name, value in many.items()
            ):
                raise DjangoValidationError("已审核通过的记录，其关联列表的修改请联系区局办理。")
            many = {}
        try:
            with transaction.atomic():
                record = self.save_record(record)
                for name, value in many.items():
                    getattr(record, name).set(value)
        except IntegrityError:
            # Validated before another request saved the same thing, whose commit the insert waited for.
            explained = unique_violation(record)
            if explained is None:
                raise  # left to the exception handler's 409
            raise explained from None
        return record

    def save_record(self, record):
        if isinstance(record, TownshipRecord):
            return record_save(record=record, by=self.request.user)
        record.full_clean()
        # A model outside the workflow keeps to the user's scope too, whatever its township lookup.
        check_write_allowed(user=self.request.user, record=record)
        record.save()
        return record
