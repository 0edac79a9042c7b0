"""
The district's own settings and its accounts: townships, the site profile, users under separation
of duties (三权分立, bureau/roles.py), the passwords waiting for the security administrator, and
the roles, shown read-only (they are defined in code).
"""

from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from bureau import roles
from bureau.admin.base import ReadOnlyAdmin
from bureau.models import PasswordReset, SiteProfile, Township, User
from bureau.rules import audit, otp, password_resets


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


class PasswordChangeAdminForm(AdminPasswordChangeForm):
    # Django appends an untranslated warning to the help text; the same, in Chinese.
    usable_password_help_text = (
        "用户能否用密码登录。"
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "停用后，该用户现有的密码将作废，不能再用密码登录。</li></ul>"
    )


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
    change_password_form = PasswordChangeAdminForm
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
