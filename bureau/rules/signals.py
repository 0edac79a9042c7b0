"""Receivers of the shared core."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from bureau.roles import ADMIN_ROLES, ROLES, check_account_roles, check_not_own_account
from bureau.rules import password_resets
from bureau.rules.accounts import remember_login_time
from bureau.rules.audit import current_request
from bureau.rules.otp import forget_second_factor

user_logged_in.connect(remember_login_time, dispatch_uid="bureau.remember_login_time")
user_logged_in.connect(forget_second_factor, dispatch_uid="bureau.forget_second_factor")
user_logged_in.connect(password_resets.notify_at_login, dispatch_uid="bureau.password_reset_notice")
pre_save.connect(password_resets.password_set_check, sender=get_user_model(), dispatch_uid="bureau.password_set_check")


@receiver(pre_save, sender=get_user_model(), dispatch_uid="bureau.revoke_tokens_on_credentials_change")
def revoke_tokens_on_credentials_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new password or a deactivation ends the user's API token, wherever the change was made."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login
    before = sender._base_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()


@receiver(user_logged_out, dispatch_uid="bureau.revoke_tokens_on_logout")
def revoke_tokens_on_logout(sender, request, user, **kwargs):
    if user is not None:
        Token.objects.filter(user=user).delete()


def _acting_user():
    """The signed-in user of the request being answered, if any (a command or a task has none)."""
    request = current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _check_account(user, *, more_groups=(), more_permissions=()) -> None:
    check_account_roles(
        group_ids={*user.groups.values_list("pk", flat=True), *more_groups},
        permission_ids={*user.user_permissions.values_list("pk", flat=True), *more_permissions},
    )


CHANGES = {"pre_add", "pre_remove", "pre_clear"}


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="bureau.admin_roles_exclusive")
@receiver(m2m_changed, sender=get_user_model().user_permissions.through, dispatch_uid="bureau.account_permissions")
def account_roles_hold(sender, instance, action, reverse, model, pk_set, **kwargs):
    """
    三权分立, whatever path sets an account's roles or permissions (a form, the shell, a script,
    from either side of the relation): nobody changes their own, and `roles.check_account_roles`
    holds for the account afterwards.
    """
    if action not in CHANGES:
        return
    User = get_user_model()
    accounts = list(User.objects.filter(pk__in=pk_set or ())) if reverse else [instance]
    acting = _acting_user()
    for account in accounts:
        check_not_own_account(account, by=acting)
    if action != "pre_add" or not pk_set:
        return
    is_groups = sender is User.groups.through
    added = {instance.pk} if reverse else set(pk_set)
    for account in accounts:
        if is_groups:
            _check_account(account, more_groups=added)
        else:
            _check_account(account, more_permissions=added)


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="bureau.group_permissions")
def group_permissions_hold(sender, instance, action, reverse, model, pk_set, **kwargs):
    """
    A permission given to a group (other than the roles, defined in code) must not reach an
    administrator's account through it.
    """
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # permission.group_set.add(group, …)
        changes = [(group, {instance.pk}) for group in Group.objects.filter(pk__in=pk_set)]
    else:
        changes = [(instance, set(pk_set))]
    for group, added in changes:
        if group.name in ROLES:
            continue
        for account in get_user_model().objects.filter(groups=group).filter(groups__name__in=ADMIN_ROLES).distinct():
            _check_account(account, more_permissions=added)
