"""
The auditor's view of the audit trail: a read-only list (nobody adds, changes or deletes an
event, a superuser neither) and an Excel export of what the filters show, itself audited; and
the log of every export (ExportLog), also written by the portal only.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from openpyxl import Workbook

from bureau.admin.base import ReadOnlyAdmin
from bureau.admin.filters import DateRange, DateRangeFilter, ProjectContentTypeFilter, UserTownshipFilter
from bureau.importexport import escape_formula
from bureau.models import AuditEvent, ExportLog

EXPORT_PERMISSION = "bureau.export_auditevent"
EXPORT_COLUMNS = ["时间", "事件", "用户名", "来源地址", "访问路径", "对象类型", "对象编号", "对象", "涉及字段", "说明"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def field_labels(event: AuditEvent) -> str:
    """The fields an event names, by their Chinese labels (「身份证号、联系电话」); a name the model lacks as stored."""
    if not event.fields:
        return ""
    model = event.content_type.model_class() if event.content_type_id else None
    labels = []
    for name in filter(None, (part.strip() for part in event.fields.split(","))):
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (AttributeError, FieldDoesNotExist):
            labels.append(name)
    return "、".join(labels)


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
        field_labels(event),
        event.detail,
    ]
    # Usernames, paths and object names are typed by users: none may run as a formula.
    return [created_at, *(escape_formula(str(value)) for value in values)]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path_cell", "type_cell", "object_cell"]
    list_display += ["fields_cell"]
    list_filter = [DateRangeFilter, "kind", "user", UserTownshipFilter, ("content_type", ProjectContentTypeFilter)]
    date_range_field = "created_at"
    # The auditor exports several kinds at once (login failures and exports): `?kind__in=login_failed,export`.
    extra_lookups = ("kind__in",)
    list_select_related = ["content_type"]
    date_hierarchy = "created_at"
    search_fields = ["username", "object_repr"]

    class Media:
        # The long columns cut to one line with the whole text on hover (the list fits 1,400 px).
        css = {"all": ["css/audit.css"]}

    @admin.display(description="访问路径", ordering="path")
    def path_cell(self, event):
        return _cut(event.path)

    @admin.display(description="对象类型", ordering="content_type")
    def type_cell(self, event):
        # The record type's Chinese name (「人员」), without its app's (「人员与公共台账 | 人员」).
        return event.content_type.name if event.content_type_id else ""

    @admin.display(description="对象", ordering="object_repr")
    def object_cell(self, event):
        return _cut(event.object_repr)

    @admin.display(description="涉及字段")
    def fields_cell(self, event):
        return _cut(field_labels(event))

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="bureau_auditevent_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        # The side menu gives its width to the list: the columns fit 1,400 px next to the filters.
        extra_context = {
            **(extra_context or {}),
            "has_export_permission": self.has_export_permission(request),
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """The events the change list shows with the same filters and search, all pages, as .xlsx."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        dates = DateRange(request.GET)
        if dates.errors:
            return HttpResponseBadRequest(" ".join(dates.errors), content_type="text/plain; charset=utf-8")
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


def _cut(text: str):
    """A long cell on one line, cut by the style sheet, the whole text in its title."""
    if not text:
        return ""
    return format_html('<span class="audit-cut" title="{}">{}</span>', text, text)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """The audit trail is written by the portal only."""

    list_display = ["created_at", "user", "kind", "file_format", "row_count", "unmasked"]
    list_filter = ["unmasked", "kind"]
