"""
Admin of the employment records, for bureau staff (and read-only for leadership).

Built on bureau.admin.ScopedAdmin: township scoping, masking, the
submission workflow, history and xlsx import/export. Every record an office keeps
in a spreadsheet is imported (employment.resources says how); the startup park is exported only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from bureau.admin import WORKFLOW_READONLY, AttachmentInline, RecordAdmin, ScopedAdmin, ScopedTabularInline
from employment import resources
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)
from employment.services import fair_attendee_list_check, fair_attendees_add

# --- startup park ---------------------------------------------------------------------


class ParkTenancyInline(ScopedTabularInline):
    model = ParkTenancy
    autocomplete_fields = ["enterprise"]


@admin.register(StartupPark)
class StartupParkAdmin(RecordAdmin):
    resource_classes = [resources.StartupParkResource]
    list_display = [
        "name",
        "township",
        "location",
        "planned_enterprises",
        "enrolled_today",
        "jobs_planned",
        "opened_on",
        "review_status",
    ]
    list_filter = ["township", "review_status"]
    search_fields = ["name", "location", "founder__name"]
    autocomplete_fields = ["founder"]
    inlines = [ParkTenancyInline]

    def get_queryset(self, request):
        # The count of today's tenants in the list's one query, by the same rule as tenancies_on().
        enrolled = (
            ParkTenancy.objects.active_on(timezone.localdate())
            .filter(park=OuterRef("pk"))
            .order_by()
            .values("park")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(enrolled=Coalesce(Subquery(enrolled), 0))

    @admin.display(description="当前入驻企业（家）", ordering="enrolled")
    def enrolled_today(self, obj):
        return obj.enrolled


# --- job fairs --------------------------------------------------------------------------


class FairParticipationInline(ScopedTabularInline):
    model = FairParticipation
    autocomplete_fields = ["enterprise"]


class BulkAttendeesForm(forms.Form):
    id_numbers = forms.CharField(
        label="身份证号",
        widget=forms.Textarea(attrs={"rows": 15, "cols": 40}),
        help_text="每行一个身份证号。任何一行有错误时，全部不登记；已在参加人员中的人员跳过。",
    )


@admin.register(JobFair)
class JobFairAdmin(RecordAdmin):
    resource_classes = [resources.JobFairResource]
    importable = True
    list_display = [
        "title",
        "start_date",
        "venue",
        "township",
        "dedicated_to_veterans",
        "streamed_online",
        "online_views",
        "enterprise_count",
        "attendee_count",
        "review_status",
    ]
    list_filter = ["township", "dedicated_to_veterans", "streamed_online", "review_status"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start_date"
    readonly_fields = ["attendee_count", *WORKFLOW_READONLY]
    inlines = [FairParticipationInline, AttachmentInline]
    change_form_template = "admin/employment/jobfair/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "start_date", "end_date", "venue", "township", "dedicated_to_veterans"]}),
        ("网络直播", {"fields": ["streamed_online", "online_views"]}),
        ("参加人员", {"fields": ["attendee_count", "unnamed_attendees", "headcount"]}),
        ("其他", {"fields": ["cost", "review_status", "return_reason"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                enterprises=Count("participations", distinct=True),
                attendees=Count("attendances__person", distinct=True),
            )
        )

    @admin.display(description="参会企业（家）", ordering="enterprises")
    def enterprise_count(self, obj):
        return obj.enterprises

    @admin.display(description="已登记参加人员（人）", ordering="attendees")
    def attendee_count(self, obj):
        if obj is None or obj.pk is None:
            return 0
        count = getattr(obj, "attendees", None)
        return obj.attendances.values("person").distinct().count() if count is None else count

    def get_urls(self):
        return [
            path(
                "<int:fair_id>/attendees/",
                self.admin_site.admin_view(self.bulk_attendees_view),
                name="employment_jobfair_bulk_attendees",
            ),
            *super().get_urls(),
        ]

    def bulk_attendees_view(self, request, fair_id):
        """批量登记参加人员: an ID-number list, all lines checked, nothing written unless all are valid."""
        fair = get_object_or_404(self.get_queryset(request), pk=fair_id)
        attendance_admin = self.admin_site._registry.get(FairAttendance)
        if not (self.has_change_permission(request, fair) and attendance_admin.has_add_permission(request)):
            raise PermissionDenied
        form = BulkAttendeesForm(request.POST or None)
        line_errors = []
        if request.method == "POST" and form.is_valid():
            lines = form.cleaned_data["id_numbers"].splitlines()
            try:
                checked = fair_attendee_list_check(fair=fair, id_numbers=lines, by=request.user)
                added = fair_attendees_add(fair=fair, id_numbers=lines, by=request.user)
            except ValidationError as error:
                line_errors = error.messages
            else:
                for line, person in checked.already_attending:
                    self.message_user(
                        request, f"第 {line} 行：{person.name}已在参加人员中，未重复登记。", messages.INFO
                    )
                self.message_user(request, f"已登记 {added} 名参加人员。", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:employment_jobfair_change", args=[fair.pk]))
        return TemplateResponse(
            request,
            "admin/employment/jobfair/bulk_attendees.html",
            {
                **self.admin_site.each_context(request),
                "title": f"批量登记参加人员：{fair}",
                "opts": self.opts,
                "original": fair,
                "fair": fair,
                "form": form,
                "line_errors": line_errors,
            },
        )


@admin.register(FairAttendance)
class FairAttendanceAdmin(RecordAdmin):
    resource_classes = [resources.FairAttendanceResource]
    importable = True
    export_kind = "招聘会参加人员"
    list_display = ["person", "person__id_number", "fair", "fair_date", "township", "review_status"]
    list_filter = ["township", "review_status", "fair"]
    list_select_related = ["person", "fair", "township"]
    search_fields = ["person__name", "=person__id_number", "fair__title"]
    search_help_text = "按姓名、完整身份证号或招聘会名称查找"
    date_hierarchy = "fair__start_date"
    autocomplete_fields = ["fair", "person"]
    fields = ["fair", "person", "township", *WORKFLOW_READONLY]
    # The township is the resident's (FairAttendance.assign_township).
    readonly_fields = ["township", *WORKFLOW_READONLY]

    @admin.display(description="招聘会日期", ordering="fair__start_date")
    def fair_date(self, obj):
        return obj.fair.start_date


@admin.register(EmploymentIntention)
class EmploymentIntentionAdmin(ScopedAdmin):
    resource_classes = [resources.EmploymentIntentionResource]
    importable = True
    list_display = ["person", "enterprise", "fair", "agreed_on", "person__township"]
    list_filter = ["person__township", "fair"]
    list_select_related = ["person__township", "enterprise", "fair"]
    search_fields = ["person__name", "=person__id_number", "enterprise__name"]
    date_hierarchy = "agreed_on"
    autocomplete_fields = ["person", "enterprise", "fair"]


# --- adaptive training ----------------------------------------------------------------


class TrainingClassForm(forms.ModelForm):
    # The JSON list is picked from the fixed topics of the reference report.
    topics = forms.MultipleChoiceField(
        label="培训内容", choices=TrainingTopic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = TrainingClass
        fields = [
            "title",
            "start_date",
            "end_date",
            "venue",
            "township",
            "topics",
            "other_topics",
            "headcount",
            "cost",
            "online_views",
        ]


class TraineeInline(ScopedTabularInline):
    model = Trainee
    autocomplete_fields = ["person"]


@admin.register(TrainingClass)
class TrainingClassAdmin(RecordAdmin):
    form = TrainingClassForm
    resource_classes = [resources.TrainingClassResource]
    importable = True
    list_display = ["title", "start_date", "end_date", "days", "venue", "trainee_count", "topic_list", "review_status"]
    list_filter = ["township", "review_status"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start_date"
    inlines = [TraineeInline, AttachmentInline]
    fieldsets = [
        (None, {"fields": ["title", "start_date", "end_date", "venue", "township"]}),
        ("培训内容", {"fields": ["topics", "other_topics"]}),
        ("其他", {"fields": ["headcount", "cost", "online_views", "review_status", "return_reason"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(trainees_counted=Count("trainees"))

    @admin.display(description="培训天数")
    def days(self, obj):
        return obj.days

    @admin.display(description="学员（人）", ordering="trainees_counted")
    def trainee_count(self, obj):
        return obj.trainees_counted

    @admin.display(description="培训内容")
    def topic_list(self, obj):
        return "、".join(obj.topic_labels)


@admin.register(Trainee)
class TraineeAdmin(ScopedAdmin):
    resource_classes = [resources.TraineeResource]
    export_kind = "适应性培训学员"
    list_display = ["person", "person__id_number", "training_class", "days_attended", "person__township"]
    list_filter = ["training_class", "person__township"]
    list_select_related = ["person__township", "training_class"]
    search_fields = ["person__name", "=person__id_number", "training_class__title"]
    search_help_text = "按姓名、完整身份证号或培训班名称查找"
    date_hierarchy = "training_class__start_date"
    autocomplete_fields = ["person", "training_class"]


# --- postings, role models, publicity, outcomes --------------------------------------------


@admin.register(JobPosting)
class JobPostingAdmin(RecordAdmin):
    resource_classes = [resources.JobPostingResource]
    importable = True
    list_display = ["enterprise", "positions", "position_count", "channel", "published_on", "township", "review_status"]
    list_filter = ["township", "channel", "review_status"]
    search_fields = ["enterprise__name", "positions", "channel"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["enterprise"]


@admin.register(RoleModel)
class RoleModelAdmin(RecordAdmin):
    resource_classes = [resources.RoleModelResource]
    importable = True
    list_display = ["person", "year", "township", "review_status"]
    list_filter = ["year", "township", "review_status"]
    search_fields = ["person__name", "story"]
    autocomplete_fields = ["person"]


@admin.register(PublicityEvent)
class PublicityEventAdmin(RecordAdmin):
    resource_classes = [resources.PublicityEventResource]
    importable = True
    list_display = ["title", "kind", "start_date", "venue", "headcount", "online_views", "township", "review_status"]
    list_filter = ["kind", "township", "review_status"]
    search_fields = ["title", "venue"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["role_models"]
    inlines = [AttachmentInline]


@admin.register(EmploymentOutcome)
class EmploymentOutcomeAdmin(RecordAdmin):
    resource_classes = [resources.EmploymentOutcomeResource]
    importable = True
    list_display = ["person", "employer_display", "started_on", "channel", "township", "review_status"]
    list_filter = ["channel", "township", "review_status"]
    list_select_related = ["person", "enterprise", "township"]
    search_fields = ["person__name", "=person__id_number", "enterprise__name", "employer_name"]
    date_hierarchy = "started_on"
    autocomplete_fields = ["person", "enterprise"]
    fields = ["person", "enterprise", "employer_name", "started_on", "channel", "township", *WORKFLOW_READONLY]
    # The township is the resident's (EmploymentOutcome.assign_township).
    readonly_fields = ["township", *WORKFLOW_READONLY]

    @admin.display(description="就业单位")
    def employer_display(self, obj):
        return obj.employer
