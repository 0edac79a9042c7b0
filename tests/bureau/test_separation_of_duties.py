"""
三权分立 (MLPS level 3): the system administrator manages accounts and settings, the security
administrator roles and unlocking, the auditor reads the audit trail; no account holds two of
these roles, and none of them sees personal data by that role alone.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from bureau import roles
from bureau.models import AuditEvent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_FIXTURES = ["sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize(
    "first, second",
    [
        (roles.SYSTEM_ADMIN, roles.SECURITY_ADMIN),
        (roles.SYSTEM_ADMIN, roles.AUDITOR),
        (roles.SECURITY_ADMIN, roles.AUDITOR),
    ],
)
def test_no_account_holds_two_administrator_roles_however_the_groups_are_set(first, second):
    user = UserFactory(groups=[first])
    second_group = Group.objects.get(name=second)

    # Each refusal inside its own savepoint, as a request's transaction would roll it back.
    with pytest.raises(ValidationError, match="互斥"), transaction.atomic():
        user.groups.add(second_group)
    with pytest.raises(ValidationError, match="互斥"), transaction.atomic():
        second_group.user_set.add(user)
    with pytest.raises(ValidationError, match="互斥"), transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=[first, second]))
    assert list(user.groups.values_list("name", flat=True)) == [first]


def test_an_administrator_role_goes_with_a_business_role_only_through_the_exclusivity_rule():
    # The rule is about the three administrators' roles; replacing one by another is allowed.
    user = UserFactory(groups=[roles.SYSTEM_ADMIN])
    user.groups.set(Group.objects.filter(name=roles.AUDITOR))

    assert list(user.groups.values_list("name", flat=True)) == [roles.AUDITOR]


@pytest.mark.parametrize("fixture", ADMIN_FIXTURES)
def test_no_administrator_role_sees_personal_data(request, fixture, client_for, person_a):
    user = request.getfixturevalue(fixture)
    client = client_for(user)

    assert not user.has_perm("bureau.view_sensitive_person")
    assert not user.has_perm("bureau.view_person")
    assert client.get("/admin/bureau/person/").status_code == 403
    assert client.get(reverse("admin:bureau_person_change", args=[person_a.pk])).status_code == 403
    assert client.get("/api/v1/persons/").status_code == 403


def test_the_system_administrator_creates_an_account_that_must_change_its_password(client_for, sysadmin):
    client = client_for(sysadmin)
    page = client.get(reverse("admin:bureau_user_add")).content.decode()
    assert 'name="groups"' not in page  # roles are the security administrator's

    response = client.post(
        reverse("admin:bureau_user_add"),
        {
            "username": "new_clerk",
            "password1": "Bureau-2026-pass!",
            "password2": "Bureau-2026-pass!",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="new_clerk")
    assert created.must_change_password is True
    assert list(created.groups.all()) == []


def test_the_system_administrator_cannot_assign_roles(client_for, sysadmin, bureau_user):
    client = client_for(sysadmin)
    url = reverse("admin:bureau_user_change", args=[bureau_user.pk])
    page = client.get(url)

    assert page.status_code == 200
    assert "groups" in page.context["adminform"].readonly_fields
    assert "is_superuser" in page.context["adminform"].readonly_fields


def test_the_security_administrator_assigns_roles_but_edits_nothing_else(client_for, secadmin, bureau_user):
    client = client_for(secadmin)
    url = reverse("admin:bureau_user_change", args=[bureau_user.pk])
    page = client.get(url)
    readonly = set(page.context["adminform"].readonly_fields)

    assert {"username", "first_name", "email", "township", "is_superuser"} <= readonly
    assert not {"groups", "is_active"} & readonly
    assert client.get(reverse("admin:auth_user_password_change", args=[bureau_user.pk])).status_code in (403, 404)
    assert client.get(reverse("admin:bureau_user_add")).status_code == 403

    leader_group = Group.objects.get(name=roles.LEADERSHIP)
    response = client.post(url, {"groups": [leader_group.pk], "is_active": "on"})
    assert response.status_code == 302
    bureau_user.refresh_from_db()
    assert list(bureau_user.groups.values_list("name", flat=True)) == [roles.LEADERSHIP]
    assert bureau_user.username == "clerk"


def test_the_security_administrator_gets_a_chinese_error_for_a_second_administrator_role(
    client_for, secadmin, sysadmin
):
    client = client_for(secadmin)
    groups = Group.objects.filter(name__in=[roles.SYSTEM_ADMIN, roles.AUDITOR])
    response = client.post(
        reverse("admin:bureau_user_change", args=[sysadmin.pk]),
        {"groups": [group.pk for group in groups], "is_active": "on"},
    )

    assert response.status_code == 200
    assert roles.ADMIN_ROLES_EXCLUSIVE in response.content.decode()
    assert list(sysadmin.groups.values_list("name", flat=True)) == [roles.SYSTEM_ADMIN]


def test_the_security_administrator_unlocks_an_account_and_it_is_audited(client_for, secadmin, station_user_a):
    AccessAttempt.objects.create(
        username=station_user_a.username, ip_address="10.0.0.9", failures_since_start=5, get_data="", post_data=""
    )
    client = client_for(secadmin)

    response = client.post(
        reverse("admin:bureau_user_changelist"),
        {"action": "unlock_selected", "_selected_action": [station_user_a.pk]},
        follow=True,
    )

    assert "已解除 1 个账号的登录锁定。" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.UNLOCK)
    assert (event.user, event.object_id, event.object_repr) == (secadmin, str(station_user_a.pk), str(station_user_a))


@pytest.mark.parametrize("fixture", ["sysadmin", "auditor", "bureau_user"])
def test_only_the_security_administrator_may_unlock(request, fixture, client_for, station_user_a):
    user = request.getfixturevalue(fixture)
    AccessAttempt.objects.create(
        username=station_user_a.username, ip_address="10.0.0.9", failures_since_start=5, get_data="", post_data=""
    )
    client_for(user).post(
        reverse("admin:bureau_user_changelist"), {"action": "unlock_selected", "_selected_action": [station_user_a.pk]}
    )

    assert AccessAttempt.objects.count() == 1
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.UNLOCK).exists()


def test_the_auditor_reads_no_accounts(client_for, auditor):
    assert client_for(auditor).get(reverse("admin:bureau_user_changelist")).status_code == 403


# --- an administrator's role excludes business roles and personal data (issue 23) -------------


def change_groups(client, account, groups, **extra):
    return client.post(
        reverse("admin:bureau_user_change", args=[account.pk]),
        {"groups": [Group.objects.get(name=name).pk for name in groups], "is_active": "on", **extra},
    )


def role_names(account) -> list[str]:
    return sorted(account.groups.values_list("name", flat=True))


def test_the_security_administrator_cannot_give_itself_a_business_role(client_for, secadmin):
    client = client_for(secadmin)
    page = client.get(reverse("admin:bureau_user_change", args=[secadmin.pk]))
    assert "groups" in page.context["adminform"].readonly_fields

    response = change_groups(client, secadmin, [roles.BUREAU_STAFF, roles.SECURITY_ADMIN])

    assert response.status_code == 200
    assert roles.OWN_ROLES_REFUSED in response.content.decode()
    assert role_names(secadmin) == [roles.SECURITY_ADMIN]
    assert not secadmin.has_perm("bureau.view_sensitive_person")


def test_the_security_administrator_cannot_make_the_auditor_a_bureau_clerk(client_for, secadmin, auditor):
    response = change_groups(client_for(secadmin), auditor, [roles.AUDITOR, roles.BUREAU_STAFF])

    assert response.status_code == 200
    assert roles.ADMIN_AND_BUSINESS_EXCLUSIVE in response.content.decode()
    assert role_names(auditor) == [roles.AUDITOR]


def test_the_security_administrator_still_moves_an_account_between_business_roles(client_for, secadmin, leader):
    response = change_groups(client_for(secadmin), leader, [roles.BUREAU_STAFF])

    assert response.status_code == 302
    assert role_names(leader) == [roles.BUREAU_STAFF]


def test_a_superuser_cannot_change_its_own_privileges_either(client_for, superuser):
    response = change_groups(client_for(superuser), superuser, [roles.BUREAU_STAFF], username="root")

    assert response.status_code == 200
    assert roles.OWN_ROLES_REFUSED in response.content.decode()
    assert role_names(superuser) == []


@pytest.mark.parametrize("admin_role", roles.ADMIN_ROLES)
@pytest.mark.parametrize("business_role", roles.BUSINESS_ROLES)
def test_no_path_gives_an_administrator_a_business_role(admin_role, business_role):
    user = UserFactory(groups=[admin_role])
    business = Group.objects.get(name=business_role)

    with pytest.raises(ValidationError, match="不能同时担任业务角色"), transaction.atomic():
        user.groups.add(business)
    with pytest.raises(ValidationError, match="不能同时担任业务角色"), transaction.atomic():
        business.user_set.add(user)
    business_user = UserFactory(groups=[business_role])
    with pytest.raises(ValidationError, match="不能同时担任业务角色"), transaction.atomic():
        Group.objects.get(name=admin_role).user_set.add(business_user)
    assert role_names(user) == [admin_role]
    assert role_names(business_user) == [business_role]


def test_no_path_gives_an_administrator_a_personal_data_permission(secadmin):
    sensitive = Permission.objects.get(codename="view_sensitive_person")
    view_person = Permission.objects.get(codename="view_person", content_type__app_label="bureau")
    helpers = Group.objects.create(name="数据协助")

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        secadmin.user_permissions.add(sensitive)
    assert refused.value.messages == ["系统管理员、安全管理员、审计员不能拥有个人信息权限：可查看完整身份证号和电话。"]
    with pytest.raises(ValidationError, match="不能拥有个人信息权限：查看人员。"), transaction.atomic():
        view_person.user_set.add(secadmin)
    # Through a group of its own: given the group, or the group given the permission afterwards.
    helpers.permissions.add(view_person)
    with pytest.raises(ValidationError, match="不能拥有个人信息权限"), transaction.atomic():
        secadmin.groups.add(helpers)
    helpers.permissions.clear()
    secadmin.groups.add(helpers)
    with pytest.raises(ValidationError, match="不能拥有个人信息权限"), transaction.atomic():
        helpers.permissions.add(sensitive)

    secadmin = User.objects.get(pk=secadmin.pk)
    assert not secadmin.has_perm("bureau.view_sensitive_person")
    assert not secadmin.has_perm("bureau.view_person")


def test_an_administrator_keeps_the_grants_of_the_administrator_roles(sysadmin):
    # What any administrator's role holds is no personal data (the system administrator's townships).
    sysadmin.user_permissions.add(Permission.objects.get(codename="view_township"))

    assert sysadmin.has_perm("bureau.view_township")


def test_the_personal_data_permissions_are_those_of_business_roles_only():
    codenames = set(
        Permission.objects.filter(pk__in=roles.personal_data_permission_ids()).values_list("codename", flat=True)
    )

    assert {"view_sensitive_person", "view_person", "change_person", "view_payment", "review_records"} <= codenames
    assert not {"view_township", "view_user", "view_auditevent", "view_historicalperson"} & codenames
