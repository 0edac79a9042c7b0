from pathlib import PurePosixPath

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.cache import never_cache

from bureau import audit
from bureau.celery import app as celery_app
from bureau.models import Attachment

FILE_NOT_FOUND = "文件不存在，或您无权查看。"


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "ok (eager)"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


@never_cache
def healthz(request):
    """Liveness for the load balancer: 200 when database and broker answer, 503 otherwise."""
    status = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value.startswith("ok") for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


@never_cache
def protected_file(request, name: str):
    """
    An uploaded file (an attachment of a record), to a user who may view that record:
    the model's view permission and the record within their townships. Anything else,
    report files included (the dashboard's audited download serves those), is a 404.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = Attachment.objects.filter(file=name).select_related("content_type").first()
    model = attachment.content_type.model_class() if attachment is not None else None
    if model is None:
        raise Http404(FILE_NOT_FOUND)
    opts = model._meta
    records = model._default_manager.all()
    if hasattr(records, "visible_to"):
        records = records.visible_to(request.user)
    may_view = request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    if not may_view or not records.filter(pk=attachment.object_id).exists():
        raise Http404(FILE_NOT_FOUND)
    try:
        opened = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(FILE_NOT_FOUND) from None
    audit.record(audit.Kind.DOWNLOAD, request=request, obj=attachment)
    return FileResponse(opened, filename=PurePosixPath(name).name)
