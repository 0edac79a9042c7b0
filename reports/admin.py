from django.contrib import admin
from django.utils.html import format_html, format_html_join

from bureau.admin import ReadOnlyAdmin
from reports.models import AnnualReportRun, Narrative, ReportDownload
from reports.services import narrative_preview


@admin.register(Narrative)
class NarrativeAdmin(admin.ModelAdmin):
    list_display = ["year", "key", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    list_filter = ["year"]
    search_fields = ["key", "text"]
    fields = ["year", "key", "text", "preview", "updated_by", "updated_at"]
    # Staff check their wording against the year's real figures before the report uses it.
    readonly_fields = ["preview", "updated_by", "updated_at"]

    @admin.display(description="效果预览/校验")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "保存后显示按本年度数据生成的效果。"
        result = narrative_preview(narrative=obj)
        warnings = format_html_join("", '<p class="errornote">{}</p>', ((w,) for w in result.warnings))
        notes = format_html_join("", '<p class="help">{}</p>', ((n,) for n in result.notes))
        text = format_html("<p>{}</p>", result.text) if result.text else ""
        return format_html("{}{}{}", warnings, notes, text)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AnnualReportRun)
class AnnualReportRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "year", "scope", "formats", "status", "requested_by", "created_at", "duration"]
    list_filter = ["status", "year"]
    list_select_related = ["township", "requested_by"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # Township scoping as everywhere else: station users would see their township's runs only.
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="范围", ordering="township")
    def scope(self, obj):
        return obj.scope_name


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ["downloaded_at", "user", "run", "file_format"]
    list_filter = ["file_format"]
    list_select_related = ["user", "run__township"]
    date_hierarchy = "downloaded_at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
