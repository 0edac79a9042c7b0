"""
The one view of every printout: /printouts/<key>/<pk>/?format=docx|pdf (or /printouts/<key>/ for a
list of no one record). The declaration's permission is checked, the record is found through
`visible_to` (another township's is a 404), and every download is an audit event (下载) and an export
log line (how many personal lines, whether any ID number was whole).
"""

from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from bureau.models import ExportLog
from bureau.printouts import registry, render
from bureau.rules import audit

FORMATS = {"docx": render.DOCX_TYPE, "pdf": render.PDF_TYPE}
BAD_FORMAT = "打印格式不正确：只能是 Word（docx）或 PDF（pdf）。"
BAD_PARAMETER = "打印链接的参数不正确：{names}。请从页面上的打印链接下载。"
NO_PDF = "本机未安装 LibreOffice，不能生成 PDF，请下载 Word 版打印。"


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_GET
def printout(request, key: str, pk: int | None = None):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    declared = registry.printout(key)
    if declared is None or declared.per_record != (pk is not None):
        raise Http404("没有这种打印件。")
    if not request.user.has_perm(declared.permission):
        raise PermissionDenied("您没有打印该文件的权限。")
    unknown = sorted(set(request.GET) - {"format", *declared.params})
    if unknown:
        return _bad(BAD_PARAMETER.format(names="、".join(unknown)))
    file_format = request.GET.get("format", "docx")
    if file_format not in FORMATS:
        return _bad(BAD_FORMAT)
    if file_format == "pdf" and not render.pdf_available():
        return _bad(NO_PDF)
    try:
        document = declared.build(request, pk)
        content = render.render_docx(document)
        if file_format == "pdf":
            content = render.to_pdf(content)
    except ValidationError as error:
        return _bad("；".join(error.messages))
    except render.PdfFailed as error:
        return _bad(str(error))
    audit.record(
        audit.Kind.DOWNLOAD, request=request, obj=document.subject, detail=f"{declared.title}（{file_format}）"
    )
    ExportLog.objects.create(
        user=request.user,
        kind=declared.title,
        file_format=file_format,
        row_count=document.rows,
        unmasked=document.unmasked,
        detail=document.title[:500],
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    name = f"{document.filename}.{file_format}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
