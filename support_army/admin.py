"""
Admin of military-civilian support (双拥共建), for bureau staff (read-only for leadership).

Built on the kit (bureau.admin): scoping, masking, the workflow, history and export. Child
rows (a point's duty roster, a registration's checklist, a gala's programmes) are inlines of
their parent. The checklist's steps are configured here (返乡报到事项).
"""

from django.contrib import admin

from bureau.admin import WORKFLOW_READONLY, AttachmentInline, RecordAdmin, ScopedAdmin, ScopedTabularInline
from support_army import resources
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    DutyShift,
    GalaProgramme,
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    MeritNoticeBatch,
    ReceptionPoint,
    TroopRequest,
)

ACTIVITY_LIST = ["title", "start_date", "venue", "headcount", "cost", "online_views", "township", "review_status"]

# --- 立功送喜报 ------------------------------------------------------------------------------------


class MeritNoticeInline(ScopedTabularInline):
    model = MeritNotice
    fields = ["soldier", "merit", "recipient", "delivered_on"]
    readonly_fields = ["soldier", "merit", "recipient", "delivered_on"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MeritNoticeBatch)
class MeritNoticeBatchAdmin(RecordAdmin):
    resource_classes = [resources.MeritNoticeBatchResource]
    export_kind = "送喜报批次"
    list_display = ["delivered_on", "delivered_by", "station_staff", "armed_forces_staff", "township", "review_status"]
    list_filter = ["township", "review_status"]
    list_select_related = ["township"]
    search_fields = ["delivered_by", "station_staff", "armed_forces_staff"]
    date_hierarchy = "delivered_on"
    inlines = [MeritNoticeInline]


@admin.register(MeritNotice)
class MeritNoticeAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.MeritNoticeResource]
    export_kind = "立功喜报"
    list_display = [
        "soldier",
        "soldier__id_number",
        "merit",
        "recipient",
        "unit",
        "batch",
        "delivered_on",
        "township",
        "review_status",
    ]
    list_filter = ["merit__level", "merit__year", "township", "review_status"]
    list_select_related = ["soldier", "merit", "recipient", "batch", "township"]
    search_fields = ["soldier__name", "=soldier__id_number", "unit"]
    search_help_text = "按现役军人姓名、完整身份证号或部队查找"
    autocomplete_fields = ["soldier", "recipient", "batch"]
    raw_id_fields = ["merit"]
    inlines = [AttachmentInline]
    fields = ["soldier", "merit", "recipient", "unit", "batch", "delivered_on", "township", *WORKFLOW_READONLY]
    readonly_fields = ["township", *WORKFLOW_READONLY]


# --- 喜迎退役军人回家 ------------------------------------------------------------------------------


class DutyShiftInline(ScopedTabularInline):
    model = DutyShift
    fields = ["date", "staff", "note"]


@admin.register(ReceptionPoint)
class ReceptionPointAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.ReceptionPointResource]
    export_kind = "退役军人报到点"
    list_display = ["name", "address", "opens_on", "closes_on", "township", "review_status"]
    list_filter = ["township", "review_status"]
    list_select_related = ["township"]
    search_fields = ["name", "address"]
    inlines = [DutyShiftInline]


@admin.register(HomecomingStep)
class HomecomingStepAdmin(admin.ModelAdmin):
    """The checklist's steps, district-wide. A step in use is switched off rather than deleted."""

    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]


class StepCompletionInline(ScopedTabularInline):
    model = HomecomingStepCompletion
    fields = ["step", "done_on", "done_by", "note"]
    readonly_fields = ["done_by"]


@admin.register(HomecomingRegistration)
class HomecomingRegistrationAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.HomecomingRegistrationResource]
    export_kind = "返乡报到登记"
    list_display = ["person", "person__id_number", "point", "received_on", "welcomed", "township", "review_status"]
    list_filter = ["welcomed", "township", "review_status"]
    list_select_related = ["person", "point", "township"]
    search_fields = ["person__name", "=person__id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    date_hierarchy = "received_on"
    autocomplete_fields = ["person"]
    inlines = [StepCompletionInline]
    fields = ["person", "point", "received_on", "welcomed", "note", "township", *WORKFLOW_READONLY]
    readonly_fields = ["township", *WORKFLOW_READONLY]

    def save_formset(self, request, form, formset, change):
        # Who completed a step: the staff member who records it.
        for instance in formset.save(commit=False):
            if isinstance(instance, HomecomingStepCompletion) and instance.done_by_id is None:
                instance.done_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


# --- 服务驻区部队、共建活动、活动 --------------------------------------------------------------------


@admin.register(TroopRequest)
class TroopRequestAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.TroopRequestResource]
    export_kind = "驻区部队需求"
    list_display = [
        "unit",
        "summary",
        "received_on",
        "departments",
        "teams_sent",
        "status",
        "resolved_on",
        "township",
        "review_status",
    ]
    list_filter = ["status", "township", "review_status"]
    list_select_related = ["township"]
    search_fields = ["unit", "summary", "request"]
    date_hierarchy = "received_on"


@admin.register(JointActivity)
class JointActivityAdmin(RecordAdmin):
    importable = True
    resource_classes = [resources.JointActivityResource]
    export_kind = "双拥共建活动"
    list_display = ["title", "kind", *ACTIVITY_LIST[1:]]
    list_filter = ["kind", "township", "review_status"]
    list_select_related = ["township"]
    search_fields = ["title", "units"]
    date_hierarchy = "start_date"
    inlines = [AttachmentInline]


@admin.register(MatchmakingEvent)
class MatchmakingEventAdmin(RecordAdmin):
    resource_classes = [resources.MatchmakingEventResource]
    export_kind = "军地相亲联谊会"
    list_display = ["title", "partner_unit", "start_date", "women", "soldiers", "duration_hours", "couples"]
    list_filter = ["township", "review_status"]
    list_select_related = ["township"]
    date_hierarchy = "start_date"
    inlines = [AttachmentInline]


class GalaProgrammeInline(ScopedTabularInline):
    model = GalaProgramme
    fields = ["order", "title", "kind", "performers"]


@admin.register(ArmyDayGala)
class ArmyDayGalaAdmin(RecordAdmin):
    resource_classes = [resources.ArmyDayGalaResource]
    export_kind = "建军节文艺晚会"
    list_display = ["title", "anniversary", "start_date", "headcount", "online_views", "township", "review_status"]
    list_filter = ["township", "review_status"]
    list_select_related = ["township"]
    inlines = [GalaProgrammeInline, AttachmentInline]


# --- 爱心拥军团 ------------------------------------------------------------------------------------


@admin.register(AllianceMember)
class AllianceMemberAdmin(ScopedAdmin):
    importable = True
    resource_classes = [resources.AllianceMemberResource]
    export_kind = "爱心拥军团成员"
    list_display = ["enterprise", "batch_number", "joined_on", "offer", "status", "left_on"]
    list_filter = ["batch_number", "status"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__name", "offer"]
    autocomplete_fields = ["enterprise"]
