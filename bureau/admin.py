from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bureau import person_file
from bureau.admin_base import ScopedAdmin
from bureau.masking import can_view_sensitive, mask_id_number, shown_field
from bureau.models import (
    Enterprise,
    ExportLog,
    FamilyLink,
    Merit,
    Payment,
    PaymentBatch,
    PaymentProgramme,
    Person,
    PersonCategory,
    SiteProfile,
    Township,
    User,
)
from bureau.resources import EnterpriseResource, PaymentResource, PersonResource

admin.site.site_header = "退役军人事务局工作平台"
admin.site.site_title = "退役军人事务局工作平台"
admin.site.index_title = "业务管理"
# "/" leads to the station portal, which bureau roles cannot use; the header links the dashboard instead.
admin.site.site_url = None


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name"]


@admin.register(SiteProfile)
class SiteProfileAdmin(admin.ModelAdmin):
    list_display = ["district_name", "bureau_name", "report_signatory"]

    # One installation serves one district: a single profile row.
    def has_add_permission(self, request):
        return not SiteProfile.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (("服务站", {"fields": ("township",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("服务站", {"fields": ("township", "groups")}),)
    list_display = ["username", "first_name", "township", "is_active", "is_staff"]
    list_filter = ["groups", "township", "is_active"]
    # The township is nullable (bureau roles have none), so Django's default join leaves it out.
    list_select_related = ["township"]


class PersonCategoryInline(admin.TabularInline):
    model = PersonCategory
    extra = 0


class MeritInline(admin.TabularInline):
    model = Merit
    extra = 0


class FamilyLinkInline(admin.TabularInline):
    model = FamilyLink
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["relative"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    resource_classes = [PersonResource]
    list_display = [
        "name",
        "id_number",
        "gender",
        "birth_date",
        "phone",
        "township",
        "status",
        "review_status",
        "file_link",
    ]
    list_filter = ["township", "status", "review_status", "categories__category", "discharge_route"]
    search_fields = ["name", "=id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    readonly_fields = ["birth_date", "review_status", "return_reason"]
    inlines = [PersonCategoryInline, FamilyLinkInline, MeritInline]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "birth_date", "phone", "township", "address", "status"]}),
        ("服役信息", {"fields": ["branch", "enlisted_on", "discharged_on", "rank", "discharge_route"]}),
        ("其他", {"fields": ["notes", "review_status", "return_reason"]}),
    ]
    export_kind = "人员名册"

    @admin.display(description="档案")
    def file_link(self, obj):
        return format_html('<a href="{}">查看档案</a>', reverse("admin:bureau_person_file", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<int:person_id>/file/", self.admin_site.admin_view(self.file_view), name="bureau_person_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, person_id):
        person = get_object_or_404(self.get_queryset(request), pk=person_id)
        if not self.has_view_or_change_permission(request, person):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/bureau/person/file.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"人员档案：{person.name}",
                "person": person,
                "id_number": shown_field(request.user, person, "id_number"),
                "sections": person_file.sections_for(person, request.user),
            },
        )


@admin.register(PaymentProgramme)
class PaymentProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "frequency", "active"]
    list_filter = ["area", "frequency", "active"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "paid_on", "created_by"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by if change else request.user
        super().save_model(request, obj, form, change)


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    resource_classes = [PaymentResource]
    list_display = ["person", "programme", "period", "amount", "paid_on", "batch"]
    list_filter = ["programme", "period", "person__township"]
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]
    export_kind = "资金发放台账"


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "file_format", "row_count", "unmasked"]
    list_filter = ["unmasked", "kind"]

    # The audit trail is written by the portal only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(admin.ModelAdmin):
    """Read-only audit trail for the auditor: who changed what, when."""

    list_display = ["history_date", "history_user", "history_type", "__str__"]
    list_filter = ["history_type"]
    date_hierarchy = "history_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonHistoryAdmin(HistoryAdmin):
    list_display = ["history_date", "history_user", "history_type", "name", "masked_id"]

    # The trail shows who changed which file; the full number is on the person page for those allowed.
    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not can_view_sensitive(request.user):
            fields = [f for f in fields if f not in ("id_number", "phone")]
        return fields


admin.site.register(Person.history.model, PersonHistoryAdmin)
admin.site.register(Payment.history.model, HistoryAdmin)


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    resource_classes = [EnterpriseResource]
    list_display = [
        "name",
        "credit_code",
        "sector",
        "township",
        "veteran_founded",
        "founder",
        "contact_name",
        "contact_phone",
    ]
    list_filter = ["township", "veteran_founded", "sector"]
    search_fields = ["name", "=credit_code", "founder__name"]
    search_help_text = "按企业名称、完整统一社会信用代码或创办人姓名查找"
    autocomplete_fields = ["founder"]
    fields = [
        "name",
        "credit_code",
        "sector",
        "township",
        "veteran_founded",
        "founder",
        "contact_name",
        "contact_phone",
    ]
    export_kind = "企业名录"
