"""
Passwords an administrator sets for someone else's account (MLPS level 3 三权分立): for an account
that holds personal-data rights the new password is kept pending (`PasswordReset`) and takes effect
only when the security administrator, a third person, approves it. Without this the system
administrator could set a clerk's password, sign in as the clerk and read whole ID numbers.

After approval the account must choose its own password at the next login (`must_change_password`),
its owner is told there who reset it and when, and the logins made with the administrator's password
are flagged in the audit trail (`AuditEvent.Kind.LOGIN_AFTER_RESET`).

An account's own password change, a password set at the console or by the demo's seeding (no
signed-in user) are not administrators' resets and take effect at once.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bureau import roles
from bureau.models import PasswordReset, User
from bureau.rules import audit

Status = PasswordReset.Status
PENDING_MESSAGE = "新密码已提交，须经安全管理员审核后才生效；在此之前该账号仍使用原密码。"
APPROVED_MESSAGE = "已批准 {count} 个密码重置，新密码已生效，账号下次登录时须修改密码。"
REFUSED_MESSAGE = "已驳回 {count} 个密码重置，账号仍使用原密码。"
OWN_RESET_REFUSED = "不能审核自己设置的密码，也不能审核自己账号的密码重置。"
NOT_PENDING = "该密码重置已处理过，不能再次审核。"
APPROVER_REQUIRED = "只有安全管理员可以审核密码重置。"
DIRECT_SET_REFUSED = "该账号拥有个人信息权限，管理员设置的密码须经安全管理员审核后生效，不能直接修改。"


def holds_personal_data(user) -> bool:
    """The account reaches people's records: a superuser, or any personal-data permission (roles.py)."""
    if user is None or user.pk is None:
        return False
    if user.is_superuser:
        return True
    held = Permission.objects.filter(Q(group__user=user) | Q(user=user)).values_list("pk", flat=True)
    return bool(set(held) & roles.personal_data_permission_ids())


def requires_approval(*, user, by) -> bool:
    """A password set by `by` for `user` waits for the security administrator."""
    return by is not None and by.pk != user.pk and holds_personal_data(user)


@transaction.atomic
def password_reset_propose(*, user: User, raw_password: str, by: User) -> PasswordReset:
    """Keep the new password pending (an earlier pending one of the account is withdrawn); the old one stays."""
    PasswordReset.objects.filter(user=user, status=Status.PENDING).update(status=Status.WITHDRAWN)
    reset = PasswordReset(user=user, password=make_password(raw_password), set_by=by)
    reset.full_clean()
    reset.save()
    audit.record(audit.Kind.ACCOUNT, user=by, obj=user, fields=["password"], detail="管理员重置密码，待安全管理员审核")
    return reset


def _check_approver(reset: PasswordReset, by: User) -> None:
    if not by.has_perm("bureau.approve_passwordreset"):
        raise ValidationError(APPROVER_REQUIRED, code="approver")
    if by.pk in {reset.set_by_id, reset.user_id}:
        raise ValidationError(OWN_RESET_REFUSED, code="own_reset")
    if reset.status != Status.PENDING:
        raise ValidationError(NOT_PENDING, code="not_pending")


@transaction.atomic
def password_reset_approve(*, reset: PasswordReset, by: User) -> None:
    """The new password takes effect; the account must change it at its next login."""
    reset = PasswordReset.objects.select_for_update().get(pk=reset.pk)
    _check_approver(reset, by)
    reset.status = Status.APPROVED
    reset.approved_by = by
    reset.approved_at = timezone.now()
    reset.save(update_fields=["status", "approved_by", "approved_at"])
    user = reset.user
    user.password = reset.password
    user.must_change_password = True
    user._password_reset_approved = True  # the check of bureau.rules.signals lets this one through
    user.save(update_fields=["password", "must_change_password"])
    detail = f"批准 {reset.set_by.username} 设置的密码"
    audit.record(audit.Kind.ACCOUNT, user=by, obj=user, fields=["password"], detail=detail)


@transaction.atomic
def password_reset_refuse(*, reset: PasswordReset, by: User) -> None:
    reset = PasswordReset.objects.select_for_update().get(pk=reset.pk)
    _check_approver(reset, by)
    reset.status = Status.REFUSED
    reset.approved_by = by
    reset.approved_at = timezone.now()
    reset.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(audit.Kind.ACCOUNT, user=by, obj=reset.user, detail=f"驳回 {reset.set_by.username} 设置的密码")


def reset_in_use(user) -> PasswordReset | None:
    """The approved reset whose password the account still signs in with (it has not chosen its own yet)."""
    if user is None or user.pk is None:
        return None
    reset = (
        PasswordReset.objects.filter(user=user, status=Status.APPROVED)
        .select_related("set_by", "approved_by")
        .order_by("-approved_at", "-id")
        .first()
    )
    return reset if reset is not None and reset.password == user.password else None


def login_detail(reset: PasswordReset) -> str:
    """The audit event's text for a login made with an administrator's password."""
    set_at = timezone.localtime(reset.set_at).strftime("%Y-%m-%d %H:%M")
    approved = reset.approved_by.username if reset.approved_by else ""
    return f"使用管理员重置的密码登录：{reset.set_by.username} 于 {set_at} 设置，{approved} 审核"


def login_notice(reset: PasswordReset) -> str:
    """What the account's owner is told at the next login."""
    set_at = timezone.localtime(reset.set_at).strftime("%Y年%m月%d日 %H:%M")
    by = reset.set_by.get_full_name() or reset.set_by.username
    approver = (reset.approved_by.get_full_name() or reset.approved_by.username) if reset.approved_by else ""
    return (
        f"您的密码已于 {set_at} 被管理员 {by}（{reset.set_by.username}）重置，经安全管理员 {approver} 审核后生效。"
        "如非您本人申请，请立即联系安全管理员。"
    )


def notify_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: tell the owner, once, of an approved reset of the account."""
    if request is None or not hasattr(request, "_messages"):
        return
    from django.contrib import messages

    resets = PasswordReset.objects.filter(user=user, status=Status.APPROVED, notified_at__isnull=True)
    for reset in resets.select_related("set_by", "approved_by").order_by("approved_at", "id"):
        messages.warning(request, login_notice(reset))
    resets.update(notified_at=timezone.now())


def password_set_check(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """
    pre_save of an account: a password another signed-in user sets for an account with personal-data
    rights, by any path but the approval, is refused (the admin's password page proposes instead).
    """
    if raw or instance._state.adding or instance.pk is None or getattr(instance, "_password_reset_approved", False):
        return
    if update_fields is not None and "password" not in update_fields:
        return
    request = audit.current_request()
    by = getattr(request, "user", None)
    if by is None or not by.is_authenticated or by.pk == instance.pk:
        return
    before = User._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    # Turning password sign-in off (an unusable password) takes nobody's account over.
    if before is None or before == instance.password or not instance.has_usable_password():
        return
    if holds_personal_data(instance):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(DIRECT_SET_REFUSED)
