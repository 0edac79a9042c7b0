"""
The API's exception handler: errors the domain raises on purpose become 4xx answers.

Services and models speak Django (`ValidationError` from `full_clean`, `ScopeError`,
`ProtectedError` on delete); DRF only knows its own exceptions and would answer
these with a 500. Messages are the Chinese ones the model or service wrote.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from bureau.concurrency import StaleWriteError
from bureau.services import ScopeError

PROTECTED_MESSAGE = "该记录已有关联数据，不能删除。"
CONCURRENT_WRITE_MESSAGE = "同一记录正被他人同时登记或修改，请刷新后重试。"
# Another township's record is "not found" too: the answer must not tell the two apart.
NOT_FOUND_MESSAGE = "记录不存在，或不在您可查看的范围内。"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = PROTECTED_MESSAGE
    default_code = "protected"


class IdempotencyKeyReused(exceptions.APIException):
    """An `Idempotency-Key` already used for a request with another body or address (see bureau.api.viewsets)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "该 Idempotency-Key 已用于内容不同的另一请求，新的请求请使用新的键。"
    default_code = "idempotency_key_reused"


def validation_detail(error: DjangoValidationError) -> dict:
    """Field errors of a Django `ValidationError`, keyed like DRF's (`non_field_errors` for `__all__`)."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in error.message_dict.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # get_object_or_404 says "No Person matches the given query." in English.
        exc = exceptions.NotFound(NOT_FOUND_MESSAGE)
    elif isinstance(exc, StaleWriteError):
        # Someone saved the record after this client read it: nothing was written.
        exc = Conflict(exc.messages[0], code="stale")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, ScopeError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        # The viewset names what cannot be deleted ("该人员…"); the default is generic.
        exc = Conflict(getattr(context.get("view"), "protected_message", PROTECTED_MESSAGE))
    elif isinstance(exc, IntegrityError):
        # Validation checks uniqueness first, and the viewsets explain a unique index that a
        # concurrent write tripped with the model's message; what is left is a conflict.
        exc = Conflict(CONCURRENT_WRITE_MESSAGE, code="conflict")
    return drf_exception_handler(exc, context)
