"""Receivers of the shared core."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from bureau.accounts import remember_login_time
from bureau.otp import forget_second_factor
from bureau.roles import ADMIN_ROLES, check_admin_roles

user_logged_in.connect(remember_login_time, dispatch_uid="bureau.remember_login_time")
user_logged_in.connect(forget_second_factor, dispatch_uid="bureau.forget_second_factor")


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


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="bureau.admin_roles_exclusive")
def admin_roles_exclusive(sender, instance, action, reverse, model, pk_set, **kwargs):
    """三权分立: no account gains a second of the administrators' roles, however the groups are set."""
    if action != "pre_add" or not pk_set:
        return
    if not reverse:  # user.groups.add(group, …)
        names = set(instance.groups.values_list("name", flat=True))
        names |= set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        check_admin_roles(names)
        return
    # group.user_set.add(user, …)
    if instance.name not in ADMIN_ROLES:
        return
    for user in get_user_model().objects.filter(pk__in=pk_set):
        check_admin_roles({*user.groups.values_list("name", flat=True), instance.name})
