"""
The API's exception handler: errors the domain raises on purpose become 4xx answers.

Services and models speak Django (`ValidationError` from `full_clean`, `ScopeError`,
`ProtectedError` on delete); DRF only knows its own exceptions and would answer
these with a 500. Messages are the Chinese ones the model or service wrote.

DRF writes some answers in English whatever the language (a JSON parse error quotes
Python's message, a CSRF failure says "CSRF Failed: …"): those get Chinese messages
here, and any other `detail` without a Chinese character gets its status's Chinese one.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from bureau.base.concurrency import StaleWriteError
from bureau.rules.services import ScopeError

PROTECTED_MESSAGE = "该记录已有关联数据，不能删除。"
CONCURRENT_WRITE_MESSAGE = "同一记录正被他人同时登记或修改，请刷新后重试。"
# Another township's record is "not found" too: the answer must not tell the two apart.
NOT_FOUND_MESSAGE = "记录不存在，或不在您可查看的范围内。"
JSON_PARSE_MESSAGE = "请求内容不是有效的 JSON，请检查格式后重试。"
ENCODING_MESSAGE = "请求内容不是有效的 UTF-8 编码，请以 UTF-8 编码提交。"
PARSE_MESSAGE = "无法解析请求内容，请检查格式后重试。"
CSRF_MESSAGE = "CSRF 校验失败：请刷新页面后重新提交；接口调用请使用令牌（Authorization: Token …）。"
# The last resort for a DRF message left in English: what the status means, in Chinese.
STATUS_MESSAGES = {
    400: "请求有误，请检查后重试。",
    401: "身份认证信息未提供或已失效，请重新登录。",
    403: "您没有执行该操作的权限。",
    404: NOT_FOUND_MESSAGE,
    405: "不支持该请求方法。",
    406: "无法按请求的格式返回内容。",
    409: "请求与记录的当前状态冲突，请刷新后重试。",
    412: "记录已被他人修改，请刷新后重试。",
    413: "请求内容过大。",
    415: "不支持该请求内容类型。",
    429: "请求过于频繁，请稍后再试。",
}
UNFINISHED_MESSAGE = "请求未能完成，请稍后重试。"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


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


def chinese_parse_error(exc: exceptions.ParseError) -> exceptions.ParseError:
    """DRF's JSON parser quotes Python's message ("JSON parse error - Expecting value…", "'utf-8' codec…")."""
    detail = str(exc.detail)
    if "codec can't decode" in detail or "UnicodeDecodeError" in detail:
        return exceptions.ParseError(ENCODING_MESSAGE)
    if detail.startswith("JSON parse error"):
        return exceptions.ParseError(JSON_PARSE_MESSAGE)
    return exc if CHINESE.search(detail) else exceptions.ParseError(PARSE_MESSAGE)


def exception_handler(exc, context):
    if isinstance(exc, exceptions.ParseError):
        exc = chinese_parse_error(exc)
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # SessionAuthentication's own words, e.g. "CSRF Failed: CSRF token missing."
        exc = exceptions.PermissionDenied(CSRF_MESSAGE)
    elif isinstance(exc, Http404):
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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        detail = response.data.get("detail")
        if isinstance(detail, str) and not CHINESE.search(detail):
            response.data["detail"] = STATUS_MESSAGES.get(response.status_code, UNFINISHED_MESSAGE)
    return response
