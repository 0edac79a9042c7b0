"""
Admin of commemoration (褒扬纪念), for bureau staff (read-only for leadership).

Built on the kit (bureau.admin): scoping, masking, the workflow, history and export. The
online memorial's messages are moderated here: the 寄语审核 list shows those waiting first, and
staff approve or reject them with the list's actions (flowers need no moderation).
"""

from django.contrib import admin, messages
from django.utils import timezone

from bureau.admin import WORKFLOW_READONLY, AttachmentInline, RecordAdmin, ScopedAdmin, ScopedTabularInline
from commemoration import resources
from commemoration.models import (
    Ceremony,
    FacilityInspection,
    HonourSelection,
    Martyr,
    MartyrRelic,
    MemorialCampaign,
    MemorialFacility,
    Nominee,
    Tribute,
    UpgradeProject,
)


@admin.register(MemorialFacility)
class MemorialFacilityAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.MemorialFacilityResource]
    export_kind = "烈士纪念设施"
    list_display = ["name", "kind", "protection_level", "address", "managing_unit", "condition", "township"]
    list_filter = ["kind", "protection_level", "condition", "township", "review_status"]
    list_select_related = ["township"]
    search_fields = ["name", "address"]
    inlines = [AttachmentInline]


@admin.register(FacilityInspection)
class FacilityInspectionAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.FacilityInspectionResource]
    export_kind = "纪念设施巡查"
    list_display = ["facility", "inspected_on", "inspector", "findings", "township", "review_status"]
    list_filter = ["township", "review_status"]
    list_select_related = ["facility", "township"]
    search_fields = ["facility__name", "inspector", "findings"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["facility"]
    inlines = [AttachmentInline]
    fields = ["facility", "inspected_on", "inspector", "findings", "follow_up", "township", *WORKFLOW_READONLY]
    readonly_fields = ["township", *WORKFLOW_READONLY]


@admin.register(UpgradeProject)
class UpgradeProjectAdmin(RecordAdmin):
    resource_classes = [resources.UpgradeProjectResource]
    export_kind = "纪念设施提升改造项目"
    list_display = ["title", "planned_investment", "funding_source", "target_level", "status", "actual_spend"]
    list_filter = ["status", "target_level", "review_status"]
    list_select_related = ["township"]
    search_fields = ["title"]
    filter_horizontal = ["facilities"]
    inlines = [AttachmentInline]


class MartyrRelicInline(ScopedTabularInline):
    model = MartyrRelic
    extra = 0
    fields = ["kind", "title", "collected_on", "donor", "file"]


@admin.register(Martyr)
class MartyrAdmin(ScopedAdmin):
    importable = True
    resource_classes = [resources.MartyrResource]
    export_kind = "烈士"
    list_display = ["person", "person__id_number", "sacrificed_on", "unit", "resting_facility", "publication_consent"]
    list_filter = ["publication_consent", "resting_facility"]
    list_select_related = ["person", "resting_facility"]
    search_fields = ["person__name", "=person__id_number", "unit"]
    search_help_text = "按姓名或完整身份证号查找"
    autocomplete_fields = ["person", "resting_facility"]
    inlines = [MartyrRelicInline]


@admin.register(HonourSelection)
class HonourSelectionAdmin(admin.ModelAdmin):
    """The selections (title and edition), district-wide; their nominees come from the stations."""

    list_display = ["title", "edition", "year", "announced_on"]
    list_filter = ["year", "title"]
    search_fields = ["title"]


@admin.register(Nominee)
class NomineeAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.NomineeResource]
    export_kind = "典型推荐人选"
    list_display = ["person", "person__id_number", "selection", "result", "rank", "township", "review_status"]
    list_filter = ["selection", "result", "township", "review_status"]
    list_select_related = ["person", "selection", "township"]
    search_fields = ["person__name", "=person__id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    autocomplete_fields = ["person"]
    fields = ["selection", "person", "deeds", "result", "rank", "township", *WORKFLOW_READONLY]
    readonly_fields = ["township", *WORKFLOW_READONLY]


@admin.register(Ceremony)
class CeremonyAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.CeremonyResource]
    export_kind = "公祭活动"
    list_display = ["title", "occasion", "start_date", "facility", "headcount", "township", "review_status"]
    list_filter = ["occasion", "township", "review_status"]
    list_select_related = ["facility", "township"]
    search_fields = ["title", "units"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["facility"]
    inlines = [AttachmentInline]


@admin.register(MemorialCampaign)
class MemorialCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "featured"]
    list_filter = ["featured"]
    search_fields = ["title"]


@admin.register(Tribute)
class TributeAdmin(ScopedAdmin):
    """寄语审核: the memorial's messages, those waiting first; approved or rejected with the actions."""

    importable = False
    resource_classes = [resources.TributeResource]
    export_kind = "网上祭扫献花寄语"
    list_display = [
        "created_at",
        "martyr",
        "kind",
        "message",
        "signature",
        "contact_shown",
        "moderation",
        "moderated_by",
    ]
    list_filter = ["moderation", "contact_flag", "kind"]
    list_select_related = ["martyr__person", "moderated_by"]
    search_fields = ["message", "signature", "martyr__person__name"]
    date_hierarchy = "created_at"
    fields = [
        "martyr",
        "kind",
        "message",
        "signature",
        "contact_flag",
        "moderation",
        "moderated_by",
        "moderated_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["approve_messages", "reject_messages"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("moderation", "-created_at", "-pk")

    @admin.display(description="含链接/电话", ordering="contact_flag")
    def contact_shown(self, tribute):
        """The flag for the moderator's eye (links and phone numbers in a message); empty when none."""
        if tribute.contact_flag == Tribute.ContactFlag.NONE:
            return None
        return tribute.get_contact_flag_display()

    def get_urls(self):
        # Tributes keep no history table (who moderated, and when, is on the row): no old-version page.
        return [url for url in super().get_urls() if not str(url.name or "").endswith("_simple_history")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("commemoration.moderate_tribute")

    def moderate(self, request, queryset, *, approve: bool):
        count = 0
        for tribute in queryset.filter(kind=Tribute.Kind.MESSAGE).exclude(
            moderation=Tribute.Moderation.APPROVED if approve else Tribute.Moderation.REJECTED
        ):
            tribute.moderation = Tribute.Moderation.APPROVED if approve else Tribute.Moderation.REJECTED
            tribute.moderated_by = request.user
            tribute.moderated_at = timezone.now()
            tribute.save(update_fields=["moderation", "moderated_by", "moderated_at"])
            count += 1
        verb = "通过" if approve else "不予通过"
        messages.success(request, f"已{verb} {count} 条寄语。")

    @admin.action(description="审核通过所选寄语（在网上纪念馆显示）", permissions=["moderate"])
    def approve_messages(self, request, queryset):
        self.moderate(request, queryset, approve=True)

    @admin.action(description="不予通过所选寄语", permissions=["moderate"])
    def reject_messages(self, request, queryset):
        self.moderate(request, queryset, approve=False)
