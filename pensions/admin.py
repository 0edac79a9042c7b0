"""
Admin of preferential care and pensions (优待抚恤), for bureau staff (read-only for leadership).

Built on the kit (bureau.admin): scoping, masking, the workflow, history, import and export. The
money of “三难” aid and of conscript families' allowances is written to the ledger by
bureau.rules.payments.ledger once the record is approved (pensions.services says which row); each record's
page links its row.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from bureau.admin import WORKFLOW_READONLY, AttachmentInline, LedgerRecordAdmin, RecordAdmin
from bureau.models import PreferentialCategory
from pensions import resources
from pensions.models import (
    BenefitStandard,
    ConscriptBenefit,
    HardshipAid,
    OralHistoryExhibition,
    OralHistoryInterview,
    Problem,
    VisitRound,
)


@admin.register(BenefitStandard)
class BenefitStandardAdmin(admin.ModelAdmin):
    """
    District-wide, not a township's record. A standard in force is never changed: a new amount
    is a new standard from its date. One not yet in force may still be corrected or deleted.
    """

    list_display = ["category", "disability_grade", "monthly_amount", "valid_from", "document"]
    list_filter = ["category", "valid_from"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.in_force)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.in_force)


class VisitRoundForm(forms.ModelForm):
    # The JSON list is picked from the core's fixed preferential-care categories.
    categories = forms.MultipleChoiceField(
        label="走访对象类别",
        choices=PreferentialCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个走访对象类别。", "invalid_choice": "请选择列表中的优抚类别。"},
    )

    class Meta:
        model = VisitRound
        fields = ["title", "occasion", "starts_on", "ends_on", "categories", "note"]


@admin.register(VisitRound)
class VisitRoundAdmin(admin.ModelAdmin):
    """
    The bureau decides the visiting rounds (走访慰问轮次) of the district; each station's to-do lists
    its residents of the round's categories not yet visited (pensions.todo.visits_due).
    """

    form = VisitRoundForm
    list_display = ["title", "occasion", "starts_on", "ends_on", "category_list"]
    list_filter = ["occasion"]
    search_fields = ["title"]
    date_hierarchy = "starts_on"

    @admin.display(description="走访对象类别")
    def category_list(self, obj):
        return "、".join(obj.category_labels)


@admin.register(HardshipAid)
class HardshipAidAdmin(LedgerRecordAdmin):
    resource_classes = [resources.HardshipAidResource]
    importable = True
    export_kind = "“三难”救助"
    list_display = [
        "person",
        "person__id_number",
        "kind",
        "applied_on",
        "amount_requested",
        "decision",
        "amount_granted",
        "decided_on",
        "township",
        "review_status",
    ]
    list_filter = ["kind", "decision", "township", "review_status"]
    list_select_related = ["person", "township"]
    search_fields = ["person__name", "=person__id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    date_hierarchy = "applied_on"
    autocomplete_fields = ["person"]
    fieldsets = [
        (None, {"fields": ["person", "kind", "applied_on", "reason", "amount_requested", "township"]}),
        ("审批", {"fields": ["decision", "amount_granted", "decided_on", "payment_link"]}),
        ("审核", {"fields": WORKFLOW_READONLY}),
    ]
    readonly_fields = ["township", "payment_link", *WORKFLOW_READONLY]


@admin.register(ConscriptBenefit)
class ConscriptBenefitAdmin(LedgerRecordAdmin):
    resource_classes = [resources.ConscriptBenefitResource]
    importable = True
    export_kind = "义务兵家庭优待金"
    list_display = [
        "family",
        "family__id_number",
        "conscript_name",
        "enlistment_year",
        "benefit_year",
        "region",
        "amount",
        "supplement",
        "total_display",
        "back_pay",
        "paid_on",
        "township",
        "review_status",
    ]
    list_filter = ["benefit_year", "region", "back_pay", "township", "review_status"]
    list_select_related = ["family", "township"]
    search_fields = ["family__name", "=family__id_number", "conscript_name"]
    search_help_text = "按家属姓名、完整身份证号或义务兵姓名查找"
    autocomplete_fields = ["family"]
    fieldsets = [
        (None, {"fields": ["family", "conscript_name", "enlistment_year", "benefit_year", "region", "township"]}),
        ("优待金", {"fields": ["amount", "supplement", "back_pay", "paid_on", "payment_link"]}),
        ("审核", {"fields": WORKFLOW_READONLY}),
    ]
    readonly_fields = ["township", "payment_link", *WORKFLOW_READONLY]

    @admin.display(description="合计（元）")
    def total_display(self, obj):
        return obj.total


@admin.register(Problem)
class ProblemAdmin(RecordAdmin):
    resource_classes = [resources.ProblemResource]
    importable = True
    export_kind = "困难问题"
    list_display = [
        "person",
        "kind",
        "source",
        "reported_on",
        "assignee",
        "state",
        "due_on",
        "supervised",
        "resolved_on",
        "township",
        "review_status",
    ]
    list_filter = ["state", "source", "supervised", "kind", "township", "review_status"]
    list_select_related = ["person", "township"]
    search_fields = ["person__name", "=person__id_number", "description", "assignee"]
    search_help_text = "按反映人姓名、完整身份证号、问题描述或承办人查找"
    date_hierarchy = "reported_on"
    autocomplete_fields = ["person", "visit"]
    fieldsets = [
        (None, {"fields": ["person", "kind", "description", "source", "visit", "reported_on", "township"]}),
        ("办理", {"fields": ["assignee", "state", "due_on", "supervised", "resolution", "resolved_on"]}),
        ("审核", {"fields": WORKFLOW_READONLY}),
    ]
    readonly_fields = ["township", *WORKFLOW_READONLY]


@admin.register(OralHistoryInterview)
class OralHistoryInterviewAdmin(RecordAdmin):
    resource_classes = [resources.OralHistoryInterviewResource]
    importable = True
    export_kind = "口述历史拍摄"
    list_display = [
        "person",
        "war",
        "interviewed_on",
        "interviewer",
        "duration_minutes",
        "video",
        "consent_recorded",
        "township",
        "review_status",
    ]
    list_filter = ["war", "consent_recorded", "township", "review_status"]
    list_select_related = ["person", "township"]
    search_fields = ["person__name", "=person__id_number", "interviewer"]
    date_hierarchy = "interviewed_on"
    autocomplete_fields = ["person"]
    # The video: a file attached here, or its address on the intranet video server (video_link).
    inlines = [AttachmentInline]
    # An address typed without its scheme is the intranet server's plain http.
    formfield_overrides = {models.URLField: {"assume_scheme": "http"}}
    fields = [
        "person",
        "war",
        "interviewed_on",
        "interviewer",
        "duration_minutes",
        "video_link",
        "consent_recorded",
        "township",
        *WORKFLOW_READONLY,
    ]
    readonly_fields = ["township", *WORKFLOW_READONLY]

    @admin.display(description="视频")
    def video(self, obj):
        if obj.video_link:
            return format_html('<a href="{}" target="_blank" rel="noopener">内网视频</a>', obj.video_link)
        return "—"


@admin.register(OralHistoryExhibition)
class OralHistoryExhibitionAdmin(RecordAdmin):
    resource_classes = [resources.OralHistoryExhibitionResource]
    importable = True
    export_kind = "口述历史展陈宣讲"
    list_display = [
        "title",
        "venue_kind",
        "start_date",
        "venue",
        "headcount",
        "online_views",
        "township",
        "review_status",
    ]
    list_filter = ["venue_kind", "township", "review_status"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start_date"
    inlines = [AttachmentInline]


from pensions import admin_payroll  # noqa: E402, F401  (the monthly payroll's pages)
