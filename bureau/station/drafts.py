"""
Drafts of station forms, kept on the server as the user types (`bureau.models.FormDraft`).

`static/js/drafts.js` on a station form page (`station/record_form.html`, `data-draft`) posts
what the fields hold here one second after the last keystroke and when the page is left, and,
when the page opens as a fresh form, asks for the draft and fills the fields from it. The
draft is the user's own: it is read, saved and discarded by its user only, keyed by the form
page's path, and deleted when the form is submitted (`bureau.station.kit.record_form`) or
after DRAFT_LIFETIME (`manage.py purge_drafts`).

    POST   /station/drafts/   {"key": path, "data": {field: value or [values]}}   save (upsert)
    POST   /station/drafts/   {"key": path, "discard": true}                      discard
    GET    /station/drafts/?key=path                                             {"data", "saved_at", "saved_time"} or 404
    DELETE /station/drafts/?key=path                                             discard

A POST may be JSON or form-encoded (`key`, and `data` as JSON text or the fields themselves).
The CSRF token, the page's submission key and the record's version are never stored.
"""

import datetime
import json

from django.http import JsonResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bureau.models import FormDraft, IdempotencyKey
from bureau.models.idempotency import KEY_MAX_LENGTH
from bureau.station.kit import SUBMISSION_KEY_FIELD, station_required

DRAFT_MAX_BYTES = 64 * 1024  # of the fields, as UTF-8 JSON
# The request itself: JSON may escape each Chinese character into six bytes ("\\u5b57").
BODY_MAX_BYTES = 6 * DRAFT_MAX_BYTES
DRAFT_LIFETIME = datetime.timedelta(days=30)
KEY_FIELD_MAX_LENGTH = FormDraft._meta.get_field("key").max_length
# Fields of a form page that are not what the user typed.
NOT_SAVED = frozenset({"csrfmiddlewaretoken", SUBMISSION_KEY_FIELD, "version"})
# Station pages that are not forms (an area's `…_list` pages neither).
NOT_FORMS = frozenset({"login", "logout", "draft", "home", "submissions", "person_find", "person_detail"})

TOO_LARGE_MESSAGE = "草稿内容过多（超过 64 KB），未保存。请直接提交表单。"
BAD_KEY_MESSAGE = "草稿只能保存服务站表单页面的内容。"
BAD_DATA_MESSAGE = "草稿内容格式不正确，未保存。"
BAD_BODY_MESSAGE = "请求内容格式不正确。"
NO_DRAFT_MESSAGE = "没有保存的草稿。"
SUBMITTED_MESSAGE = "该表单已提交，草稿未保存。"


def draft_key(value) -> str | None:
    """The path of a station form page, or None for anything else."""
    if not isinstance(value, str) or not value.startswith("/station/") or len(value) > KEY_FIELD_MAX_LENGTH:
        return None
    if any(character in value for character in "?#\\") or "//" in value:
        return None
    try:
        match = resolve(value)
    except Resolver404:
        return None
    if not match.namespaces or match.namespaces[0] != "station":
        return None
    if match.url_name in NOT_FORMS or match.url_name.endswith("_list"):
        return None
    return value


def draft_data(raw) -> dict | None:
    """What the fields hold, {name: text or [texts]} without the page's own fields; None when malformed."""
    if not isinstance(raw, dict):
        return None
    data = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not name or len(name) > 100:
            return None
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                return None
        elif not isinstance(value, str):
            return None
        if name not in NOT_SAVED:
            data[name] = value
    return data


def purge_drafts(*, now: datetime.datetime | None = None) -> int:
    """Delete the drafts nobody touched for DRAFT_LIFETIME; answers how many."""
    now = now or timezone.now()
    count, _ = FormDraft.objects.filter(saved_at__lt=now - DRAFT_LIFETIME).delete()
    return count


def error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def saved_time(saved_at: datetime.datetime) -> str:
    """「14:05」 today, 「12月5日 14:05」 before: when the draft was saved, in the portal's time zone."""
    local = timezone.localtime(saved_at)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def posted_body(request) -> dict | None:
    """The POST as a dict: the JSON object, or the form fields (`data` as JSON text, or the fields themselves)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (UnicodeDecodeError, ValueError):
            return None
        return body if isinstance(body, dict) else None
    fields: QueryDict = request.POST
    body = {name: fields.get(name) for name in ("key", "discard", SUBMISSION_KEY_FIELD) if name in fields}
    if "data" in fields:
        try:
            body["data"] = json.loads(fields["data"])
        except ValueError:
            return None
    else:
        body["data"] = {
            name: values if len(values) > 1 else values[0]
            for name, values in fields.lists()
            if name not in ("key", "discard")
        }
    return body


@never_cache  # what the user typed (an ID number, say) is kept by no cache on the way
@station_required
@require_http_methods(["GET", "POST", "DELETE"])
def draft(request):
    if request.method == "GET":
        return read(request, draft_key(request.GET.get("key")))
    if request.method == "DELETE":
        return discard(request, draft_key(request.GET.get("key")))
    if len(request.body) > BODY_MAX_BYTES:
        return error(TOO_LARGE_MESSAGE)
    body = posted_body(request)
    if body is None:
        return error(BAD_BODY_MESSAGE)
    key = draft_key(body.get("key"))
    if body.get("discard") not in (None, False, "", "0", "false"):
        return discard(request, key)
    return save(request, key, draft_data(body.get("data")), body.get(SUBMISSION_KEY_FIELD))


def read(request, key: str | None) -> JsonResponse:
    if key is None:
        return error(BAD_KEY_MESSAGE)
    found = FormDraft.objects.filter(user=request.user, key=key, saved_at__gte=timezone.now() - DRAFT_LIFETIME).first()
    if found is None:
        return error(NO_DRAFT_MESSAGE, status=404)
    return JsonResponse(
        {"data": found.data, "saved_at": found.saved_at.isoformat(), "saved_time": saved_time(found.saved_at)}
    )


def discard(request, key: str | None) -> JsonResponse:
    if key is None:
        return error(BAD_KEY_MESSAGE)
    count, _ = FormDraft.objects.filter(user=request.user, key=key).delete()
    return JsonResponse({"deleted": bool(count)})


def save(request, key: str | None, data: dict | None, submission_key) -> JsonResponse:
    if key is None:
        return error(BAD_KEY_MESSAGE)
    if data is None:
        return error(BAD_DATA_MESSAGE)
    if len(json.dumps(data, ensure_ascii=False).encode()) > DRAFT_MAX_BYTES:
        return error(TOO_LARGE_MESSAGE)
    if (
        isinstance(submission_key, str)
        and 0 < len(submission_key) <= KEY_MAX_LENGTH
        and IdempotencyKey.objects.earlier(user=request.user, key=submission_key) is not None
    ):
        # A save that left before the page was submitted and arrived after: the draft stays deleted.
        return error(SUBMITTED_MESSAGE, status=409)
    saved, _ = FormDraft.objects.update_or_create(user=request.user, key=key, defaults={"data": data})
    return JsonResponse(
        {"saved": True, "saved_at": saved.saved_at.isoformat(), "saved_time": saved_time(saved.saved_at)}
    )
