"""我的导出: a user's large exports (bureau.importexport.jobs), their progress and their files."""

from django.contrib import admin
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bureau.importexport import jobs
from bureau.models import ExportJob
from bureau.rules import audit, background
from bureau.rules.accounts import keeps_session_idle
from bureau.rules.background import BROKER_DOWN_MESSAGE

EXPORT_GONE = "导出文件不存在、已过期，或您无权下载。"


@require_GET
def my_exports(request):
    """The user's own exports, newest first: progress while running, the file until it expires."""
    exports = list(ExportJob.objects.of_user(request.user)[:50])
    waiting = background.jobs_waiting_for_broker(exports)
    for job in exports:
        job.rows_shown = jobs.rows_done(job)
        job.waiting_for_broker = job.pk in waiting
    context = {
        **admin.site.each_context(request),
        "title": "我的导出",
        "exports": exports,
        "polling": any(job.is_active for job in exports),
        "broker_notice": BROKER_DOWN_MESSAGE if any(job.waiting_for_broker for job in exports) else "",
    }
    return TemplateResponse(request, "admin/import_export/my_exports.html", context)


@require_GET
@keeps_session_idle
def export_status(request, pk: int):
    """Polled by 我的导出 while a job runs (without renewing the session)."""
    job = get_object_or_404(ExportJob.objects.of_user(request.user), pk=pk)
    return JsonResponse(jobs.status_of(job))


@never_cache
@require_GET
def export_download(request, pk: int):
    """The file of a finished export, to its owner only (anyone else: 404), recorded in the audit trail."""
    job = get_object_or_404(ExportJob.objects.of_user(request.user), pk=pk)
    try:
        opened = jobs.export_job_download(job=job, by=request.user)
    except LookupError:
        raise Http404(EXPORT_GONE) from None
    audit.record(audit.Kind.DOWNLOAD, request=request, obj=job, detail=f"{job.kind}，{job.rows_done} 行")
    return FileResponse(opened, as_attachment=True, filename=job.download_name())
