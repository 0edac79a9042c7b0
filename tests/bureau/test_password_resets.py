"""
A password an administrator sets for an account with personal-data rights takes effect only when
the security administrator approves it (issue 23: the system administrator set clerk2's password,
signed in as clerk2 and read whole ID numbers); the owner is told at the next login, the auditor's
trail flags the logins made with it.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau import roles
from bureau.models import AuditEvent, PasswordReset, User
from bureau.rules import audit, password_resets
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Admin-set-2026-pass!"
STATION_LOGIN = reverse("station:login")
ADMIN_LOGIN = reverse("admin:login")
RESETS = reverse("admin:bureau_passwordreset_changelist")


@pytest.fixture
def clerk2(db):
    return UserFactory(username="clerk2", first_name="复核员", is_staff=True, groups=[roles.BUREAU_STAFF])


def set_password(client, account, password=NEW_PASSWORD):
    return client.post(
        reverse("admin:auth_user_password_change", args=[account.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )


def admin_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def decide(client, reset, action="approve_selected"):
    return client.post(RESETS, {"action": action, "_selected_action": [reset.pk]}, follow=True)


def test_the_system_administrators_reset_of_a_clerk_does_not_let_it_in_before_approval(client, sysadmin, clerk2):
    client.force_login(sysadmin)

    response = set_password(client, clerk2)

    assert response.status_code == 302
    assert password_resets.PENDING_MESSAGE in client.get(response["Location"]).content.decode()
    client.logout()
    # The takeover of issue 23: the administrator signs in as clerk2 with the password it set.
    assert admin_login(client, "clerk2", NEW_PASSWORD).status_code == 200
    assert not signed_in_as(client)
    api = APIClient().post(reverse("api-token"), {"username": "clerk2", "password": NEW_PASSWORD}, format="json")
    assert api.status_code == 400
    assert not Token.objects.exists()
    clerk2.refresh_from_db()
    assert clerk2.check_password(PASSWORD)
    assert not clerk2.must_change_password
    reset = PasswordReset.objects.get()
    assert (reset.user, reset.set_by, reset.status, reset.approved_by) == (clerk2, sysadmin, "pending", None)
    assert NEW_PASSWORD not in reset.password


def test_the_security_administrator_approves_and_the_owner_is_told_at_the_next_login(
    client, sysadmin, secadmin, clerk2, auditor
):
    client.force_login(sysadmin)
    set_password(client, clerk2)
    reset = PasswordReset.objects.get()
    client.force_login(secadmin)
    assert client.get(RESETS).status_code == 200

    response = decide(client, reset)

    assert password_resets.APPROVED_MESSAGE.format(count=1) in response.content.decode()
    reset.refresh_from_db()
    assert (reset.status, reset.approved_by) == ("approved", secadmin)
    clerk2.refresh_from_db()
    assert clerk2.check_password(NEW_PASSWORD)
    assert clerk2.must_change_password
    client.logout()

    response = client.post(STATION_LOGIN, {"username": "clerk2", "password": NEW_PASSWORD}, follow=True)

    page = response.content.decode()
    assert "您的密码已于" in page
    assert "被管理员 系统管理员（sysadmin）重置，经安全管理员 安全管理员 审核后生效" in page
    # Told once.
    reset.refresh_from_db()
    assert reset.notified_at is not None
    # The auditor sees the login flagged in the trail.
    event = AuditEvent.objects.filter(user=clerk2).exclude(kind=AuditEvent.Kind.ACCOUNT).latest("id")
    assert event.kind == AuditEvent.Kind.LOGIN_AFTER_RESET
    assert event.detail.startswith("使用管理员重置的密码登录：sysadmin 于 ")
    assert event.detail.endswith("，secadmin 审核")
    client.force_login(auditor)
    trail = client.get(reverse("admin:bureau_auditevent_changelist"), {"kind__exact": "login_after_reset"})
    assert trail.status_code == 200
    assert "管理员重置密码后登录" in trail.content.decode()
    assert list(trail.context["cl"].result_list) == [event]


def test_a_login_after_the_owner_chose_its_own_password_is_not_flagged(client, sysadmin, secadmin, clerk2):
    client.force_login(sysadmin)
    set_password(client, clerk2)
    password_resets.password_reset_approve(reset=PasswordReset.objects.get(), by=secadmin)
    clerk2.refresh_from_db()
    clerk2.set_password("Own-choice-2026-pass")
    clerk2.must_change_password = False
    clerk2.save()
    client.logout()

    client.post(STATION_LOGIN, {"username": "clerk2", "password": "Own-choice-2026-pass"})

    assert AuditEvent.objects.filter(user=clerk2).exclude(kind=AuditEvent.Kind.ACCOUNT).latest("id").kind == "login"


def test_nobody_approves_a_reset_they_set_themselves(client, superuser, clerk2):
    client.force_login(superuser)
    set_password(client, clerk2)
    reset = PasswordReset.objects.get()

    response = decide(client, reset)

    assert password_resets.OWN_RESET_REFUSED in response.content.decode()
    reset.refresh_from_db()
    assert reset.status == "pending"
    with pytest.raises(ValidationError, match="不能审核自己设置的密码"):
        password_resets.password_reset_approve(reset=reset, by=superuser)


def test_the_system_administrator_may_list_resets_but_not_approve(client, sysadmin, clerk2):
    client.force_login(sysadmin)
    set_password(client, clerk2)

    page = client.get(RESETS)
    decide(client, PasswordReset.objects.get())

    assert page.status_code == 200
    assert "approve_selected" not in page.content.decode()
    assert PasswordReset.objects.get().status == "pending"
    with pytest.raises(ValidationError, match="只有安全管理员"):
        password_resets.password_reset_approve(reset=PasswordReset.objects.get(), by=sysadmin)


def test_a_refused_reset_keeps_the_old_password(client, sysadmin, secadmin, clerk2):
    client.force_login(sysadmin)
    set_password(client, clerk2)
    client.force_login(secadmin)

    decide(client, PasswordReset.objects.get(), "refuse_selected")

    assert PasswordReset.objects.get().status == "refused"
    clerk2.refresh_from_db()
    assert clerk2.check_password(PASSWORD)
    with pytest.raises(ValidationError, match="已处理过"):
        password_resets.password_reset_approve(reset=PasswordReset.objects.get(), by=secadmin)


def test_a_second_reset_withdraws_the_first(client, sysadmin, clerk2):
    client.force_login(sysadmin)
    set_password(client, clerk2)
    set_password(client, clerk2, "Another-admin-2026!")

    assert list(PasswordReset.objects.order_by("id").values_list("status", flat=True)) == ["withdrawn", "pending"]


def test_an_account_without_personal_data_rights_is_reset_at_once(client, sysadmin, auditor):
    client.force_login(sysadmin)

    set_password(client, auditor)

    auditor.refresh_from_db()
    assert auditor.check_password(NEW_PASSWORD)
    assert auditor.must_change_password
    assert not PasswordReset.objects.exists()


def test_no_other_path_sets_the_password_of_a_clerk_in_someone_elses_request(sysadmin, clerk2):
    request = RequestFactory().post("/")
    request.user = sysadmin
    token = audit._current_request.set(request)
    try:
        clerk2.set_password(NEW_PASSWORD)
        with pytest.raises(PermissionDenied):
            clerk2.save()
    finally:
        audit._current_request.reset(token)
    # Outside a signed-in request (the console, the demo's seeding) the password is set as before.
    request.user = AnonymousUser()
    clerk2.save()
    assert User.objects.get(pk=clerk2.pk).check_password(NEW_PASSWORD)
