"""
The auditor's view of the audit trail: a read-only list (nobody adds, changes or deletes an
event, a superuser neither) and an Excel export of what the filters show, itself audited; and
the log of every export (ExportLog), also written by the portal only.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from openpyxl import Workbook

from bureau.admin.base import ReadOnlyAdmin
from bureau.admin.filters import ProjectContentTypeFilter
from bureau.importexport import escape_formula
from bureau.models import AuditEvent, ExportLog

EXPORT_PERMISSION = "bureau.export_auditevent"
EXPORT_COLUMNS = ["时间", "事件", "用户名", "来源地址", "访问路径", "对象类型", "对象编号", "对象", "涉及字段", "说明"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_row(event: AuditEvent) -> list:
    created_at = timezone.localtime(event.created_at).replace(tzinfo=None)  # Excel has no time zones
    content_type = event.content_type.name if event.content_type_id else ""
    values = [
        event.get_kind_display(),
        event.username,
        event.ip_address or "",
        event.path,
        content_type,
        event.object_id,
        event.object_repr,
        event.fields,
        event.detail,
    ]
    # Usernames, paths and object names are typed by users: none may run as a formula.
    return [created_at, *(escape_formula(str(value)) for value in values)]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path", "content_type", "object_repr", "fields"]
    list_filter = ["kind", "user", ("content_type", ProjectContentTypeFilter)]
    # The auditor exports several kinds at once (login failures and exports): `?kind__in=login_failed,export`.
    extra_lookups = ("kind__in",)
    list_select_related = ["content_type"]
    date_hierarchy = "created_at"
    search_fields = ["username", "object_repr"]

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="bureau_auditevent_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_export_permission": self.has_export_permission(request)}
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """The events the change list shows with the same filters and search, all pages, as .xlsx."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        try:
            events = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("筛选条件无效，请回到列表重新选择后再导出。")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("审计事件")
        sheet.append(EXPORT_COLUMNS)
        count = 0
        for event in events.iterator(chunk_size=2000):
            sheet.append(export_row(event))
            count += 1
        # The export is an event itself: its ExportLog row writes the EXPORT event (bureau.rules.audit_hooks).
        ExportLog.objects.create(user=request.user, kind="审计事件", file_format="xlsx", row_count=count)
        response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-events-{stamp}.xlsx"'
        workbook.save(response)
        return response


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """The audit trail is written by the portal only."""

    list_display = ["created_at", "user", "kind", "file_format", "row_count", "unmasked"]
    list_filter = ["unmasked", "kind"]
