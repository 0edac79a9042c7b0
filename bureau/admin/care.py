"""
Admin of the care records of the core: visits (走访慰问), check-up batches and check-ups.
Registered by importing bureau.admin. Areas filter them by `area` / `population`; problems collected on
a visit are the areas' own records (pensions.Problem).
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from bureau.admin.base import WORKFLOW_READONLY, LedgerRecordAdmin, RecordAdmin
from bureau.admin.scoping import AttachmentInline
from bureau.importexport.care import CheckUpBatchResource, CheckUpResource, VisitResource
from bureau.models import CheckUp, CheckUpBatch, Visit


@admin.register(Visit)
class VisitAdmin(LedgerRecordAdmin):
    resource_classes = [VisitResource]
    importable = True
    export_kind = "走访慰问"
    list_display = [
        "person",
        "person__id_number",
        "area",
        "occasion",
        "hardship_category",
        "visited_on",
        "amount",
        "township",
        "review_status",
    ]
    list_filter = ["area", "occasion", "hardship_category", "township", "review_status"]
    list_select_related = ["person", "township"]
    search_fields = ["person__name", "=person__id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    date_hierarchy = "visited_on"
    autocomplete_fields = ["person"]
    fields = [
        "area",
        "occasion",
        "person",
        "hardship_category",
        "visited_on",
        "visitor",
        "amount",
        "programme",
        "payment_link",
        "note",
        "township",
        *WORKFLOW_READONLY,
    ]
    # The township is the person's (Visit.township_from); the ledger row is written by bureau.rules.payments.ledger.
    readonly_fields = ["township", "payment_link", *WORKFLOW_READONLY]


@admin.register(CheckUpBatch)
class CheckUpBatchAdmin(RecordAdmin):
    resource_classes = [CheckUpBatchResource]
    export_kind = "体检批次"
    list_display = ["title", "start_date", "institution", "population", "township", "checkup_count", "review_status"]
    list_filter = ["population", "township", "review_status"]
    search_fields = ["title", "institution"]
    date_hierarchy = "start_date"
    inlines = [AttachmentInline]
    readonly_fields = ["checkup_count", *WORKFLOW_READONLY]
    fieldsets = [
        (None, {"fields": ["title", "start_date", "end_date", "institution", "population", "venue", "township"]}),
        ("体检人员", {"fields": ["checkup_count"]}),
        ("其他", {"fields": ["headcount", "cost", "review_status", "return_reason"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(checkups_counted=Count("checkups"))

    # Check-ups are workflow records of their own (a person's township, the review): listed and
    # added on their own pages, filtered by the batch, rather than saved by an inline around the workflow.
    @admin.display(description="体检人员（人）", ordering="checkups_counted")
    def checkup_count(self, obj):
        if obj is None or obj.pk is None:
            return "保存后可登记体检人员。"
        count = getattr(obj, "checkups_counted", None)
        count = obj.checkups.count() if count is None else count
        changelist = reverse("admin:bureau_checkup_changelist")
        return format_html(
            '<a href="{}?batch__id__exact={}">{} 人</a>　<a href="{}?batch={}">登记体检人员</a>',
            changelist,
            obj.pk,
            count,
            reverse("admin:bureau_checkup_add"),
            obj.pk,
        )


@admin.register(CheckUp)
class CheckUpAdmin(RecordAdmin):
    """The result is health data: masked in the list and exports, whole on the page for roles with the right."""

    resource_classes = [CheckUpResource]
    importable = True
    export_kind = "体检记录"
    list_display = [
        "person",
        "person__id_number",
        "batch",
        "mode",
        "checked_on",
        "result_summary",
        "township",
        "review_status",
    ]
    list_filter = ["batch__population", "mode", "township", "review_status", "batch"]
    list_select_related = ["person", "batch", "township"]
    search_fields = ["person__name", "=person__id_number", "batch__title"]
    search_help_text = "按姓名、完整身份证号或体检批次名称查找"
    date_hierarchy = "checked_on"
    autocomplete_fields = ["person", "batch"]
    # The uploaded report (体检报告) is an attachment of the check-up.
    inlines = [AttachmentInline]
    fields = ["batch", "person", "mode", "checked_on", "result_summary", "township", *WORKFLOW_READONLY]
    readonly_fields = ["township", *WORKFLOW_READONLY]
