"""
The register of people (人员名册) with a person's file (档案), and the enterprises veterans found.
"""

import html

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.safestring import mark_safe

from bureau.admin.base import ScopedAdmin
from bureau.admin.listcost import admin_url
from bureau.base.masking import shown_field
from bureau.importexport.records import EnterpriseResource, PersonResource
from bureau.models import Enterprise, FamilyLink, Merit, Person, PersonCategory
from bureau.rules import person_file
from bureau.rules.disclosure import revealing


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
    # The model's order (township's `order`, then name) is a join, a full scan and a sort of every
    # person for each page; township, name and key is one walk of an index (person_township_name_id_idx),
    # also for a station's own township.
    ordering = ["township_id", "name", "id"]
    search_fields = ["name", "=id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    readonly_fields = ["birth_date", "review_status", "return_reason"]
    inlines = [PersonCategoryInline, FamilyLinkInline, MeritInline]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "birth_date", "phone", "township", "address", "status"]}),
        ("服役信息", {"fields": ["branch", "enlisted_on", "discharged_on", "rank", "discharge_route"]}),
        (
            "死亡与迁移",
            {
                "fields": ["died_on", "moved_out_on", "moved_in_on"],
                # The dates the areas read: the monthly payment stops or starts from them, later records are refused.
                "description": "填写死亡或迁出日期后，按月待遇次月起停发，此后日期的走访、体检不能登记；"
                "迁入日期起当月发放。每次登记或更正都记入审计日志。",
            },
        ),
        ("其他", {"fields": ["notes", "review_status", "return_reason"]}),
    ]
    export_kind = "人员名册"

    @admin.display(description="档案")
    def file_link(self, obj):
        # format_html's output, without its lazy-argument wrappers (a column of every row).
        return mark_safe(f'<a href="{html.escape(admin_url("admin:bureau_person_file", obj.pk))}">查看档案</a>')

    def get_urls(self):
        return [
            path("<int:person_id>/file/", self.admin_site.admin_view(self.file_view), name="bureau_person_file"),
            *super().get_urls(),
        ]

    def file_view(self, request, person_id):
        person = get_object_or_404(self.get_queryset(request), pk=person_id)
        if not self.has_view_or_change_permission(request, person):
            raise PermissionDenied
        # One person's file: whole values for a role with the permission, an audit event each time.
        with revealing(request, person, ["id_number"]):
            id_number = shown_field(request.user, person, "id_number")
        return TemplateResponse(
            request,
            "admin/bureau/person/file.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"人员档案：{person.name}",
                "person": person,
                "id_number": id_number,
                "sections": person_file.sections_for(person, request.user),
            },
        )


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
