import contextlib
from decimal import Decimal

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

# Imported for their registrations: 审计事件, 走访慰问 and 体检, 待审核修改, 资金发放申请, 迁入申请.
from bureau import admin_audit, admin_care, admin_changes, admin_proposals, admin_transfers, roles  # noqa: F401
from bureau.admin_base import ReadOnlyAdmin, ScopedAdmin
from bureau.admin_held import BatchBankFileMixin
from bureau.base.masking import shown_field
from bureau.importexport.records import BankAccountResource, EnterpriseResource, PaymentResource, PersonResource
from bureau.models import (
    BankAccount,
    Enterprise,
    ExportLog,
    FamilyLink,
    Merit,
    PasswordReset,
    Payment,
    PaymentBatch,
    PaymentProgramme,
    Person,
    PersonCategory,
    SiteProfile,
    Township,
    User,
)
from bureau.models.payments import period_normalise
from bureau.rules import audit, otp, password_resets, person_file  # noqa: F401
from bureau.rules.disclosure import revealing
from bureau.rules.payments import ledger  # noqa: F401
from bureau.rules.payments.lists import payment_list_check
from bureau.rules.payments.proposals import PREPARE_PERMISSION, payment_proposal_create

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


# An account's own privileges: nobody changes them on their own form (roles.OWN_ROLES_REFUSED).
OWN_PRIVILEGE_FIELDS = ["groups", "user_permissions", "is_superuser", "is_staff", "is_active"]


class AccountRolesFormMixin:
    """
    The form's Chinese errors for what bureau.rules.signals would refuse anyway (三权分立): an account's
    roles and permissions together (`roles.check_account_roles`), and a change of one's own.
    `acting_user` is set by UserAdmin.get_form.
    """

    acting_user = None

    def _held(self, name):
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name).all() if self.instance.pk is not None else []

    def clean(self):
        cleaned_data = super().clean()
        acting = self.acting_user
        own = acting is not None and self.instance.pk is not None and self.instance.pk == acting.pk
        if own and any(name in self.data for name in OWN_PRIVILEGE_FIELDS):
            raise ValidationError(roles.OWN_ROLES_REFUSED, code="own_roles")
        groups, permissions = self._held("groups"), self._held("user_permissions")
        if groups is None or permissions is None:
            return cleaned_data  # the field has its own error already
        try:
            roles.check_account_roles(
                group_ids=[group.pk for group in groups], permission_ids=[perm.pk for perm in permissions]
            )
        except ValidationError as error:
            self.add_error("groups" if "groups" in self.fields else None, error)
        return cleaned_data


class UserAdminForm(AccountRolesFormMixin, DjangoUserAdmin.form):
    pass


class UserCreationAdminForm(AccountRolesFormMixin, DjangoUserAdmin.add_form):
    pass


# What only a superuser edits: Django's own privileges, outside the roles of bureau/roles.py.
SUPERUSER_FIELDS = ["is_superuser", "user_permissions"]
# What the security administrator edits (roles, and activation); the system administrator the rest.
SECURITY_FIELDS = ["groups", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """
    Accounts under separation of duties (三权分立, bureau/roles.py): the system administrator
    creates accounts and edits their details, the security administrator assigns roles,
    activates and unlocks. An account created, or a password set, by someone else must be
    changed by its owner at the next login.
    """

    form = UserAdminForm
    add_form = UserCreationAdminForm
    fieldsets = DjangoUserAdmin.fieldsets + (("服务站", {"fields": ("township",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("服务站", {"fields": ("township", "groups")}),)
    list_display = ["username", "first_name", "township", "role_names", "is_active", "must_change_password"]
    list_filter = ["groups", "township", "is_active"]
    # The township is nullable (bureau roles have none), so Django's default join leaves it out.
    list_select_related = ["township"]
    actions = ["unlock_selected", "reset_second_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def role_names(self, obj):
        return "、".join(group.name for group in obj.groups.all())

    def get_add_fieldsets(self, request):
        fieldsets = self.add_fieldsets
        if request.user.has_perm(f"bureau.{roles.ASSIGN_ROLES}"):
            return fieldsets
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "groups"]}) for name, opts in fieldsets]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.get_add_fieldsets(request)
        if not (request.user.is_superuser or request.user.has_perm("bureau.add_user")):
            # The security administrator: who the account is, shown; its roles and activation, edited.
            return [
                (None, {"fields": ["username", "first_name", "last_name", "township"]}),
                ("角色与状态", {"fields": ["groups", "is_active", "last_login", "date_joined"]}),
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        user = request.user
        # Nobody changes their own roles or permissions, a superuser neither.
        own = set(OWN_PRIVILEGE_FIELDS) if obj.pk == user.pk else set()
        if user.is_superuser:
            return sorted({"last_login", "date_joined"} | own)
        readonly = set(SUPERUSER_FIELDS) | {"last_login", "date_joined"} | own
        if not user.has_perm(f"bureau.{roles.ASSIGN_ROLES}"):
            readonly |= set(SECURITY_FIELDS)
        if not user.has_perm("bureau.add_user"):
            # The security administrator: roles and activation only.
            editable = set(SECURITY_FIELDS)
            readonly |= {f.name for f in User._meta.fields if f.name not in editable} - {"password", "id"}
        return sorted(readonly)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user  # a class made for this request by modelform_factory
        if obj is not None and not (request.user.is_superuser or request.user.has_perm("bureau.add_user")):
            # UserChangeForm declares the password (a link to a page this role may not use): drop it.
            form.base_fields.pop("password", None)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        if not (request.user.is_superuser or request.user.has_perm("bureau.add_user")):
            raise PermissionDenied
        target = self.get_object(request, unquote(id))
        if (
            request.method == "POST"
            and target is not None
            and password_resets.requires_approval(user=target, by=request.user)
        ):
            # An account with personal-data rights: the new password waits for the security administrator.
            form = self.change_password_form(target, request.POST)
            if form.is_valid() and form.cleaned_data["set_usable_password"]:
                password_resets.password_reset_propose(
                    user=target, raw_password=form.cleaned_data["password1"], by=request.user
                )
                self.message_user(request, password_resets.PENDING_MESSAGE, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:bureau_user_change", args=[target.pk]))
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = User.objects.get(pk=unquote(id))
            if target.pk != request.user.pk:
                User.objects.filter(pk=target.pk).update(must_change_password=True)
        return response

    @admin.action(description="解除所选账号的登录锁定", permissions=["unlock"])
    def unlock_selected(self, request, queryset):
        unlocked = 0
        for account in queryset:
            if axes_reset(username=account.get_username()):
                unlocked += 1
                audit.record(audit.Kind.UNLOCK, request=request, obj=account)
        self.message_user(request, f"已解除 {unlocked} 个账号的登录锁定。" if unlocked else "所选账号没有被锁定。")

    # With the unlock permission: the security administrator's, as is every recovery of a sign-in.
    @admin.action(description="重置动态口令", permissions=["unlock"])
    def reset_second_factor(self, request, queryset):
        reset = sum(otp.enrolment_reset(user=account, request=request) for account in queryset)
        self.message_user(
            request, f"已重置 {reset} 个账号的动态口令，下次登录时重新绑定。" if reset else "所选账号尚未绑定动态口令。"
        )

    def has_unlock_permission(self, request):
        return request.user.has_perm(f"bureau.{roles.UNLOCK_ACCOUNTS}")


@admin.register(PasswordReset)
class PasswordResetAdmin(ReadOnlyAdmin):
    """
    Passwords administrators set for accounts with personal-data rights, waiting for the security
    administrator: approved (the password takes effect) or refused, never by whoever set it.
    """

    list_display = ["user", "set_by", "set_at", "status", "approved_by", "approved_at", "notified_at"]
    list_filter = ["status"]
    list_select_related = ["user", "set_by", "approved_by"]
    fields = list_display
    actions = ["approve_selected", "refuse_selected"]

    def has_approve_permission(self, request):
        return request.user.has_perm("bureau.approve_passwordreset")

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for reset in queryset:
            try:
                decide(reset=reset, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{reset}：{'；'.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message.format(count=done), messages.SUCCESS)

    @admin.action(description="批准所选密码重置（新密码生效）", permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, password_resets.password_reset_approve, password_resets.APPROVED_MESSAGE)

    @admin.action(description="驳回所选密码重置（保留原密码）", permissions=["approve"])
    def refuse_selected(self, request, queryset):
        self._decide(request, queryset, password_resets.password_reset_refuse, password_resets.REFUSED_MESSAGE)


PERMISSION_ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}
ROLE_NOTE = "角色及其权限由系统代码定义（bureau/roles.py），每次升级迁移后自动同步，不能在此修改。"


def permission_lines(permissions) -> list[str]:
    """One line per model: `就业创业 · 招聘会：新增、修改、查看`; custom permissions by their own name."""
    lines = {}
    for permission in permissions.select_related("content_type").order_by("content_type__app_label", "id"):
        model = permission.content_type.model_class()
        action, _, model_name = permission.codename.partition("_")
        if model is None or action not in PERMISSION_ACTIONS or model_name != permission.content_type.model:
            lines.setdefault(permission.name, [])
            continue
        heading = f"{model._meta.app_config.verbose_name} · {model._meta.verbose_name}"
        lines.setdefault(heading, []).append(PERMISSION_ACTIONS[action])
    return [f"{heading}：{'、'.join(actions)}" if actions else heading for heading, actions in lines.items()]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """
    The four roles are defined in code (bureau/roles.py) and synchronised after every
    migrate, so an edit here would be undone silently: they are shown read-only instead.
    Other groups are edited as usual.
    """

    list_display = ["name", "is_role"]

    @admin.display(description="系统角色", boolean=True)
    def is_role(self, obj):
        return obj.name in roles.ROLES

    @admin.display(description="权限")
    def permission_list(self, obj):
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in permission_lines(obj.permissions)))
        )

    def has_change_permission(self, request, obj=None):
        return not (obj and self.is_role(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and self.is_role(obj)) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj and self.is_role(obj):
            return [(None, {"fields": ["name"]}), ("权限", {"fields": ["permission_list"], "description": ROLE_NOTE})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj and self.is_role(obj):
            return ["name", "permission_list"]
        return super().get_readonly_fields(request, obj)

    def get_deleted_objects(self, objs, request):
        # The bulk "delete selected" action checks the model permission only; a role is refused there too.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(self.is_role(group) for group in objs):
            perms_needed.add("系统角色")
        return deleted, model_count, perms_needed, protected


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


@admin.register(PaymentProgramme)
class PaymentProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "frequency", "paid_by_run", "active"]
    list_filter = ["area", "frequency", "paid_by_run", "active"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(BatchBankFileMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "paid_on", "created_by"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by if change else request.user
        super().save_model(request, obj, form, change)


class BulkPaymentForm(forms.Form):
    """批量发放: a payment of a programme to a pasted list of people, prepared for a second clerk's approval."""

    programme = forms.ModelChoiceField(
        label="资金项目",
        # Every programme in use: one paid only by its run is refused with the reason, not hidden.
        queryset=PaymentProgramme.objects.filter(active=True),
        help_text="按月发放的定期抚恤补助、自主就业金等“仅由核算发放”的项目不能在此发放。",
    )
    period = forms.CharField(
        label="期间",
        max_length=20,
        required=False,
        help_text="按资金项目的发放周期填写：按年的填年度（如 2026），按月、按次的填年月（如 2026-03），一次性的留空。",
    )
    paid_on = forms.DateField(label="发放日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(
        label="批次名称", max_length=200, required=False, help_text="留空时为“资金项目 期间 批量发放”。"
    )
    lines = forms.CharField(
        label="发放名单",
        widget=forms.Textarea(attrs={"rows": 15, "cols": 60}),
        help_text="每行一人：身份证号 金额（以空格、制表符或逗号分隔，可直接从表格复制两列）。任何一行有错误时，全部不发放。",
    )

    def clean(self):
        data = super().clean()
        if data.get("programme") is not None:
            # The programme's own rule reads the period (2026年3月 -> 2026-03); a wrong shape is said
            # by the list's check, with the earlier payments it would repeat.
            with contextlib.suppress(ValidationError):
                data["period"] = period_normalise(programme=data["programme"], raw=data.get("period", ""))
        return data


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    resource_classes = [PaymentResource]
    # A ledger row is written by an approved proposal or a run, never imported (PaymentResource).
    importable = False
    list_display = ["person", "programme", "period", "amount", "paid_on", "batch"]
    list_filter = ["programme", "period", "person__township"]
    # The 批量发放 page answers with the list of the batch it paid.
    extra_lookups = ("batch__id__exact",)
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]
    export_kind = "资金发放台账"
    # A filtered page of a 500,000-row ledger counts its own rows only, not the whole table again.
    show_full_result_count = False
    # The list's tools link the 批量发放 page.
    import_export_change_list_template = "admin/bureau/payment/change_list.html"

    def has_change_permission(self, request, obj=None):
        # No single account writes a ledger row: a row is written by an approved proposal or run (two
        # people), and a row a record pays (a visit's 慰问金) changes with its record. Read-only here,
        # and so on its old-version (revert) page too.
        return False

    def has_delete_permission(self, request, obj=None):
        # A row paid is money gone out: it is not deleted by one clerk either (its record may remove it).
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        record = ledger.linked_record(obj) if obj is not None else None
        if record is not None:
            messages.info(request, f"本条发放由“{record._meta.verbose_name}：{record}”生成，请在该记录中修改。")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        return [
            path("bulk/", self.admin_site.admin_view(self.bulk_payment_view), name="bureau_payment_bulk"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_pay_in_bulk": request.user.has_perm(PREPARE_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        # No single account writes a ledger row: a payment by hand is a proposal (批量发放, one line
        # or many) that a second clerk approves. Nothing posted here is written.
        if not request.user.has_perm(PREPARE_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            self.message_user(
                request,
                "资金发放须由两人经办：请在此提交发放申请（可只填一人），由另一名工作人员审批后发放。",
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:bureau_payment_bulk"))

    def bulk_payment_view(self, request):
        """
        批量发放 (and the ledger's add form): the list is checked line by line by the ledger's rules
        and shown (masked) with its total; a second post checks it all again and keeps it as a
        proposal (`bureau.rules.payments.proposals`), which another clerk approves and only then pays.
        """
        if not request.user.has_perm(PREPARE_PERMISSION):
            raise PermissionDenied
        form = BulkPaymentForm(request.POST or None)
        line_errors, preview = [], None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if "confirm" in request.POST:
                    proposal = payment_proposal_create(
                        programme=data["programme"],
                        period=data["period"],
                        paid_on=data["paid_on"],
                        title=data["title"],
                        text=data["lines"],
                        by=request.user,
                    )
                else:
                    lines = payment_list_check(
                        programme=data["programme"], period=data["period"], text=data["lines"], by=request.user
                    )
            except ValidationError as error:
                line_errors = error.messages
            else:
                if "confirm" in request.POST:
                    self.message_user(
                        request,
                        f"已提交发放申请“{proposal}”：{proposal.persons} 人，合计 {proposal.total} 元。"
                        "尚未发放：须由另一名工作人员审批后才写入资金发放台账。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:bureau_paymentproposal_change", args=[proposal.pk]))
                total = sum((line.amount for line in lines), Decimal("0"))
                preview = {"lines": lines, "total": total, "count": len(lines)}
        return TemplateResponse(
            request,
            "admin/bureau/payment/bulk_payment.html",
            {
                **self.admin_site.each_context(request),
                "title": "批量发放（提交发放申请）",
                "opts": self.opts,
                "form": form,
                "line_errors": line_errors,
                "preview": preview,
            },
        )


@admin.register(BankAccount)
class BankAccountAdmin(ScopedAdmin):
    """The number is masked in the list (for every role) and shown whole on the account's page, audited."""

    resource_classes = [BankAccountResource]
    list_display = ["person", "bank", "account_number", "account_name", "active"]
    list_filter = ["active", "person__township"]
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """The audit trail is written by the portal only."""

    list_display = ["created_at", "user", "kind", "file_format", "row_count", "unmasked"]
    list_filter = ["unmasked", "kind"]


# History tables (Person, Payment and every other model's): bureau.admin_history, from BureauConfig.ready().


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
