"""
Pagination of the API's large lists (persons, the payment ledger): every page costs what
the first one costs.

`KeysetPagination` orders by the view's `keyset` (own, indexed columns ending in a unique
one, e.g. `("-paid_on", "-id")`) and continues after the last row of a page (`?cursor=`, the
opaque value in the `next` and `previous` links) instead of counting and skipping the rows
before it, so a page near the end of 500,000 payments reads what page 1 reads, and pages never
shift: a row saved meanwhile appears on the page it belongs to, not as a duplicate on the next.

`?page=` stays accepted for the first pages (up to `max_page`), as the offset it always was;
its `next` link continues by cursor. There is no `count`: counting the whole table on every page
is what made the lists slow; a client that needs a total asks a report.
"""

import base64
import binascii
import datetime
import json
from collections import OrderedDict
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.encoding import force_str
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

INVALID_CURSOR = "翻页参数 cursor 无效，请使用上一次返回的 next 或 previous 链接。"


def _encode_value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def keyset_after(keyset: tuple[str, ...], values: list, *, backwards: bool = False) -> Q:
    """
    The rows after `values` in the order `keyset` (before them when `backwards`):
    `a <= x AND (a < x OR (b <= y AND (b < y OR ...)))` for `("-a", "-b")`. The leading
    comparison on its own lets the database start the index scan at the position.
    """
    condition = None
    for field, value in reversed(list(zip(keyset, values, strict=True))):
        name = field.lstrip("-")
        descending = field.startswith("-") != backwards
        strict = f"{name}__lt" if descending else f"{name}__gt"
        inclusive = f"{name}__lte" if descending else f"{name}__gte"
        if condition is None:
            condition = Q(**{strict: value})
        else:
            condition = Q(**{inclusive: value}) & (Q(**{strict: value}) | condition)
    return condition


class KeysetPagination(BasePagination):
    page_size = 50
    # `?page=` is an offset: cheap for the first pages, costly deep down, so it stops here.
    max_page = 20
    cursor_query_param = "cursor"
    page_query_param = "page"
    cursor_description = "翻页位置：上一次返回的 next 或 previous 链接中的值，不必自行构造。"
    page_description = "页码（1 起），仅用于前 {max_page} 页；更后面的页请沿 next 链接（cursor）翻。"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset = tuple(view.keyset)
        self.model = queryset.model
        self.base_url = request.build_absolute_uri()
        ordered = queryset.order_by(*self.keyset)
        cursor = request.query_params.get(self.cursor_query_param)
        self.page_number = None
        if cursor:
            values, backwards = self.decode_cursor(cursor)
            if backwards:
                reverse_order = [name[1:] if name.startswith("-") else f"-{name}" for name in self.keyset]
                rows = list(
                    queryset.filter(keyset_after(self.keyset, values, backwards=True)).order_by(*reverse_order)[
                        : self.page_size + 1
                    ]
                )
                self.has_previous = len(rows) > self.page_size
                rows = rows[: self.page_size][::-1]
                self.has_next = True
            else:
                rows = list(ordered.filter(keyset_after(self.keyset, values))[: self.page_size + 1])
                self.has_next = len(rows) > self.page_size
                rows = rows[: self.page_size]
                self.has_previous = True
        else:
            self.page_number = self.get_page_number(request)
            offset = (self.page_number - 1) * self.page_size
            rows = list(ordered[offset : offset + self.page_size + 1])
            if not rows and self.page_number > 1:
                raise NotFound("无效页面。")
            self.has_next = len(rows) > self.page_size
            rows = rows[: self.page_size]
            self.has_previous = self.page_number > 1
        self.rows = rows
        return rows

    def get_page_number(self, request) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            raise NotFound("无效页面。") from None
        if number < 1:
            raise NotFound("无效页面。")
        if number > self.max_page:
            raise NotFound(f"page 仅用于前 {self.max_page} 页，更后面的页请沿 next 链接（cursor）翻。")
        return number

    def decode_cursor(self, cursor: str) -> tuple[list, bool]:
        try:
            data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
            values, backwards = data["v"], bool(data.get("r"))
            if not isinstance(values, list) or len(values) != len(self.keyset):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
            raise NotFound(INVALID_CURSOR) from None
        for value in values:
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise NotFound(INVALID_CURSOR)
        try:
            # A value of the wrong type for its column is a 404 here, not a database error later.
            for field, value in zip(self.keyset, values, strict=True):
                parsed = self.model._meta.get_field(field.lstrip("-")).to_python(value)
                if isinstance(parsed, int) and not -(2**63) <= parsed < 2**63:
                    raise DjangoValidationError("out of range")
        except (DjangoValidationError, TypeError, ValueError):
            raise NotFound(INVALID_CURSOR) from None
        return values, backwards

    def encode_cursor(self, row, *, backwards: bool) -> str:
        # A row is a model instance, or a dict of `.values()` (bureau.api.lean).
        read = row.__getitem__ if isinstance(row, dict) else row.__getattribute__
        values = [_encode_value(read(field.lstrip("-"))) for field in self.keyset]
        data = {"v": values}
        if backwards:
            data["r"] = 1
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode("utf-8")).decode("ascii")

    def get_next_link(self):
        if not self.has_next or not self.rows:
            return None
        url = remove_query_param(self.base_url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(self.rows[-1], backwards=False))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page_number is not None:
            url = remove_query_param(self.base_url, self.cursor_query_param)
            if self.page_number == 2:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, self.page_number - 1)
        if not self.rows:
            return None
        url = remove_query_param(self.base_url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(self.rows[0], backwards=True))

    def get_paginated_response(self, data):
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri", "description": "下一页；没有时为 null。"},
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "上一页；没有时为 null。",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": force_str(self.cursor_description),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": force_str(self.page_description.format(max_page=self.max_page)),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
        ]
