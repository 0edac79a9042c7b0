"""
The API schema's description of what the endpoints answer besides success (drf-spectacular).

drf-spectacular documents the success response of each operation only. The API also answers
401, 403, 404, 409 … with DRF's error bodies (bureau.api.exceptions), and a station's edit of
an approved record with 202 (bureau.api.viewsets); a client generated from the schema, and
the schemathesis run in CI (tests/api_schema), must find those answers documented.
`AutoSchema` adds them to every operation, by what the operation can answer.
"""

from django.utils.functional import classproperty
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from bureau.models import TownshipRecord
from bureau.models.changes import PROPOSED_MESSAGE

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        '可选：读取记录时得到的 ETag（如 "3"）。记录在此期间已被他人修改时返回 412，不会覆盖他人的修改；'
        "没有版本号的记录不比较。"
    ),
)

# What each error status means here; the bodies are DRF's ({"detail": …}, or field errors for 400).
ERROR_DESCRIPTIONS = {
    400: "请求有误：各字段的错误信息（不属于某个字段的在 non_field_errors 下）；请求无法解析时为 detail。",
    401: "未登录，或登录令牌无效、已过期。",
    403: "无权进行此操作，或记录不在您可修改的范围内。",
    404: "记录不存在，或不在您可查看的范围内；列表的页码超出范围。",
    409: "冲突：记录已被他人修改（version 不符）、已有关联数据不能删除，或同一记录正被同时登记。",
    412: "If-Match 与记录的当前版本不符，未作修改。",
    415: "不支持请求的 Content-Type，或请求体无法按其解析。",
    422: "该 Idempotency-Key 已用于内容不同的另一请求。",
    429: "登录失败次数过多，该账号暂时锁定。",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "错误信息"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "字段名对应错误信息列表；请求无法解析时只有 detail。",
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ]
    },
}
PROPOSED_CHANGE_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "example": PROPOSED_MESSAGE},
        "pending_change": {
            "type": "object",
            "description": "待区局审核的修改：记录本身在审核通过前保持不变。",
            "properties": {
                "id": {"type": "integer"},
                "fields": {"type": "array", "items": {"type": "string"}},
                "changes": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"old": {"type": "string"}, "new": {"type": "string"}},
                        "required": ["old", "new"],
                    },
                },
            },
            "required": ["id", "fields", "changes"],
        },
    },
    "required": ["detail", "pending_change"],
}


class AutoSchema(openapi.AutoSchema):
    @classproperty
    def scoped_viewset(cls):
        # Imported late: DRF's settings name this class, and the viewsets import DRF's views.
        from bureau.api.viewsets import ScopedModelViewSet

        return ScopedModelViewSet

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method in ("PUT", "PATCH", "DELETE") and isinstance(self.view, self.scoped_viewset):
            parameters = [*parameters, IF_MATCH_PARAMETER]
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        if self.proposes_changes():
            responses["202"] = self.proposed_change_response(responses["200"])
        for status in self.error_statuses():
            responses.setdefault(str(status), self.error_response(status))
        return operation

    def error_statuses(self) -> list[int]:
        """The error statuses this operation may answer: 401 and 403 any of them, the others by what it does."""
        is_detail = "{" in self.path
        statuses = {401, 403}
        if is_detail or getattr(self.view, "action", None) == "find":
            statuses.add(404)  # outside the scope; `find`: no record with the number in the body
        elif self.method == "GET":
            statuses |= {400, 404}  # a filter's value; a page beyond the last
        if self.method in ("POST", "PUT", "PATCH"):
            statuses |= {400, 415}  # the body's fields; its media type
        if self._is_create_operation():
            statuses |= {409, 422}  # a duplicate saved alongside; an Idempotency-Key reused
        elif self.method == "POST":
            statuses.add(429)  # the token endpoint's lockout (bureau.api.tokens)
        if is_detail and self.method in ("PUT", "PATCH", "DELETE"):
            statuses |= {409, 412}  # a stale version or related records; If-Match
        return sorted(statuses)

    def proposes_changes(self) -> bool:
        """A station's edit of an approved workflow record is a proposal, answered with 202."""
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        return (
            self.method in ("PUT", "PATCH")
            and isinstance(self.view, self.scoped_viewset)
            and model is not None
            and issubclass(model, TownshipRecord)
        )

    def proposed_change_response(self, record_response: dict) -> dict:
        content = {
            media_type: {"schema": {"allOf": [body["schema"], PROPOSED_CHANGE_SCHEMA]}}
            for media_type, body in record_response["content"].items()
        }
        return {"content": content, "description": "已提交修改，待区局审核；返回仍在生效的记录和待审核的修改。"}

    def error_response(self, status: int) -> dict:
        name, schema = ("ValidationError", VALIDATION_ERROR_SCHEMA) if status == 400 else ("Error", ERROR_SCHEMA)
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return {"content": {"application/json": {"schema": component.ref}}, "description": ERROR_DESCRIPTIONS[status]}
