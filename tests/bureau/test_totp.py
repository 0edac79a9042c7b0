"""
The TOTP second factor (MLPS level 3 身份鉴别, two factors): with REQUIRE_TOTP on, every login asks
for the authenticator's code after the password, on the station portal, in the admin and at the
API token endpoint; with it off nothing changes. Codes are computed here with pyotp.
"""

import re
import time
from urllib.parse import quote

import pyotp
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau.models import AuditEvent, SiteProfile
from bureau.rules import otp
from bureau.rules.accounts import LOCKOUT_MESSAGE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OTP = reverse("otp")
HOME = reverse("station:home")
ADMIN_INDEX = reverse("admin:index")
TOKEN = reverse("api-token")


@pytest.fixture
def totp_required(settings):
    settings.REQUIRE_TOTP = True


def enrol(user) -> pyotp.TOTP:
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return pyotp.TOTP(user.totp_secret)


def station_login(client, username="station_a"):
    response = client.post(reverse("station:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def admin_login(client, username="clerk"):
    response = client.post(reverse("admin:login"), {"username": username, "password": PASSWORD, "next": ADMIN_INDEX})
    assert response.status_code == 302
    return response


def send_code(client, code, **extra):
    return client.post(OTP, {"code": code, **extra})


def token_login(**extra):
    return APIClient().post(TOKEN, {"username": "station_a", "password": PASSWORD, **extra}, format="json")


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- setting off ---------------------------------------------------------------------------


def test_with_the_setting_off_a_login_is_unchanged(client, station_user_a, bureau_user):
    enrol(station_user_a)

    station_login(client)
    assert client.get(HOME).status_code == 200
    client.logout()
    admin_login(client)
    assert client.get(ADMIN_INDEX).status_code == 200
    # Nothing to do on the second-factor page either.
    assert client.get(OTP)["Location"] == ADMIN_INDEX


def test_with_the_setting_off_the_token_endpoint_asks_for_no_code(station_user_a):
    enrol(station_user_a)

    response = token_login()

    assert response.status_code == 200
    assert "token" in response.json()


# --- enrolment -----------------------------------------------------------------------------


def test_a_station_user_without_a_secret_enrols_with_a_first_code(client, station_user_a, totp_required):
    station_login(client)
    response = client.get(HOME)
    assert response["Location"] == f"{OTP}?next={HOME}"

    page = client.get(response["Location"]).content.decode()
    assert "绑定动态口令" in page
    assert "<svg" in page
    assert "login-card" in page
    secret = re.search(r'<code class="otp-secret">([A-Z2-7]+)</code>', page).group(1)
    # Reloading the page offers the same secret, so a scanned code stays valid.
    assert secret in client.get(OTP).content.decode()

    response = send_code(client, pyotp.TOTP(secret).now(), next=HOME)

    assert response["Location"] == HOME
    station_user_a.refresh_from_db()
    assert station_user_a.totp_secret == secret
    assert client.get(HOME).status_code == 200


def test_a_wrong_first_code_does_not_enrol(client, station_user_a, totp_required):
    station_login(client)
    client.get(OTP)

    response = send_code(client, "000000")

    assert response.status_code == 200
    assert otp.WRONG_CODE_MESSAGE in response.content.decode()
    station_user_a.refresh_from_db()
    assert station_user_a.totp_secret == ""


def test_the_enrolment_uri_names_the_bureau_and_the_account(station_user_a):
    profile = SiteProfile.get()
    profile.district_name = "东城区"
    profile.save()

    uri = otp.provisioning_uri(user=station_user_a, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    assert uri.startswith("otpauth://totp/")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri
    assert f"issuer={quote('东城区退役军人事务局')}" in uri
    assert "station_a" in uri


# --- verification --------------------------------------------------------------------------


def test_an_enrolled_station_user_gives_the_code_after_the_password(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    station_login(client)
    assert client.get(HOME).status_code == 302
    page = client.get(OTP).content.decode()
    assert "动态口令验证" in page
    assert "<svg" not in page

    assert send_code(client, totp.now())["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_an_enrolled_bureau_user_gives_the_code_in_the_admin_look(client, bureau_user, totp_required):
    totp = enrol(bureau_user)
    admin_login(client)

    response = client.get(ADMIN_INDEX)
    assert response["Location"] == f"{OTP}?next={ADMIN_INDEX}"
    assert "content-main" in client.get(response["Location"]).content.decode()

    assert send_code(client, totp.now(), next=ADMIN_INDEX)["Location"] == ADMIN_INDEX
    assert client.get(ADMIN_INDEX).status_code == 200


def test_before_the_code_the_session_api_answers_403_and_sign_out_works(client, station_user_a, totp_required):
    enrol(station_user_a)
    station_login(client)

    response = client.get("/api/v1/persons/")
    assert response.status_code == 403
    assert response.json() == {"detail": otp.OTP_REQUIRED_MESSAGE}
    assert client.get(reverse("healthz")).status_code == 200
    client.post(reverse("station:logout"))
    assert not is_signed_in(client)


def test_a_code_of_the_previous_step_is_accepted_once(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    station_login(client)

    assert send_code(client, totp.at(time.time() - totp.interval))["Location"] == HOME


def test_a_code_cannot_be_used_twice(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    code = totp.now()
    station_login(client)
    assert send_code(client, code)["Location"] == HOME
    client.post(reverse("station:logout"))

    station_login(client)
    assert client.get(HOME).status_code == 302  # every login asks again
    response = send_code(client, code)

    assert response.status_code == 200
    assert otp.WRONG_CODE_MESSAGE in response.content.decode()
    # Nor an older code still inside the window.
    assert send_code(client, totp.at(time.time() - totp.interval)).status_code == 200
    assert client.get(HOME).status_code == 302


def is_locked_page(response) -> bool:
    return response.status_code == 429 and LOCKOUT_MESSAGE in response.content.decode()


def test_five_wrong_codes_in_a_row_lock_the_account_and_log_the_user_out(client, station_user_a, totp_required):
    enrol(station_user_a)
    station_login(client)
    for _ in range(4):
        response = send_code(client, "123456" if _ % 2 else "not a code")
        assert response.status_code == 200
        assert otp.WRONG_CODE_MESSAGE in response.content.decode()
    assert is_signed_in(client)

    response = send_code(client, "654321")

    assert is_locked_page(response)
    assert not is_signed_in(client)
    failures = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED, user=station_user_a)
    assert list(failures.values_list("detail", flat=True)) == ["动态口令错误"] * 5
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, username="station_a").count() == 1
    # The right password no longer helps.
    response = client.post(reverse("station:login"), {"username": "station_a", "password": PASSWORD})
    assert is_locked_page(response)


def test_a_bureau_user_locked_for_wrong_codes_is_logged_out(client, bureau_user, totp_required):
    enrol(bureau_user)
    admin_login(client)
    for _ in range(4):
        send_code(client, "000000")

    assert is_locked_page(send_code(client, "000000"))
    assert not is_signed_in(client)


def test_wrong_codes_spread_over_several_logins_lock_the_account(client, station_user_a, totp_required):
    # Issue 23: four cycles of password login + wrong codes gave 20 guesses without a lock.
    totp = enrol(station_user_a)
    for _ in range(2):
        station_login(client)
        assert send_code(client, "000000").status_code == 200
        assert send_code(client, "111111").status_code == 200
        client.post(reverse("station:logout"))
    station_login(client)  # four failures: the password still signs in

    assert is_locked_page(send_code(client, "222222"))
    assert not is_signed_in(client)
    response = client.post(reverse("station:login"), {"username": "station_a", "password": PASSWORD})
    assert is_locked_page(response)
    assert token_login(otp=totp.now()).status_code == 429


def test_wrong_codes_on_the_web_and_at_the_token_endpoint_add_up(client, station_user_a, totp_required):
    enrol(station_user_a)
    station_login(client)
    for _ in range(3):
        send_code(client, "000000")
    client.post(reverse("station:logout"))
    assert token_login(otp="000000").status_code == 400

    assert token_login(otp="000000").status_code == 400
    response = client.post(reverse("station:login"), {"username": "station_a", "password": PASSWORD})
    assert is_locked_page(response)


def test_a_right_code_clears_the_failures_and_a_password_alone_does_not(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    station_login(client)
    for _ in range(4):
        send_code(client, "000000")
    assert send_code(client, totp.now())["Location"] == HOME
    client.post(reverse("station:logout"))

    station_login(client)
    for _ in range(4):
        assert send_code(client, "000000").status_code == 200
    assert is_signed_in(client)


def test_a_session_waiting_for_its_code_is_refused_once_the_account_is_locked(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    station_login(client)
    for _ in range(5):
        token_login(otp="000000")

    assert is_locked_page(send_code(client, totp.now()))
    assert not is_signed_in(client)


# --- API token -----------------------------------------------------------------------------


def test_the_token_endpoint_asks_for_the_code(station_user_a, totp_required):
    enrol(station_user_a)

    response = token_login()

    assert response.status_code == 400
    assert response.json() == {"otp": [otp.MISSING_CODE_MESSAGE]}
    assert not Token.objects.filter(user=station_user_a).exists()


def test_the_token_endpoint_refuses_a_wrong_code(station_user_a, totp_required):
    enrol(station_user_a)

    response = token_login(otp="000000")

    assert response.status_code == 400
    assert response.json() == {"otp": [otp.WRONG_CODE_MESSAGE]}


def test_the_token_endpoint_issues_a_token_for_the_right_code_once(station_user_a, totp_required):
    totp = enrol(station_user_a)
    code = totp.now()

    response = token_login(otp=code)
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=station_user_a).key

    assert token_login(otp=code).status_code == 400


def test_the_token_endpoint_refuses_an_account_not_yet_enrolled(station_user_a, totp_required):
    response = token_login(otp="123456")

    assert response.status_code == 400
    assert response.json() == {"otp": [otp.NOT_ENROLLED_MESSAGE]}


def test_wrong_codes_at_the_token_endpoint_lock_the_account_like_wrong_passwords(station_user_a, totp_required):
    totp = enrol(station_user_a)
    for _ in range(5):
        assert token_login(otp="000000").status_code == 400

    response = token_login(otp=totp.now())

    assert response.status_code == 429
    assert response.json() == {"detail": LOCKOUT_MESSAGE}


# --- reset ---------------------------------------------------------------------------------


def reset_action(client, user):
    return client.post(
        reverse("admin:bureau_user_changelist"), {"action": "reset_second_factor", "_selected_action": [user.pk]}
    )


def test_the_security_administrator_resets_an_enrolment(client, secadmin, station_user_a, totp_required):
    enrol(station_user_a)
    client.force_login(secadmin)
    session = client.session
    session[otp.VERIFIED_KEY] = True
    session.save()

    reset_action(client, station_user_a)

    station_user_a.refresh_from_db()
    assert station_user_a.totp_secret == ""
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT, detail="重置动态口令").count() == 1
    # The next login enrols afresh.
    client.logout()
    station_login(client)
    assert "绑定动态口令" in client.get(OTP).content.decode()


def test_only_the_unlock_permission_may_reset(client, sysadmin, station_user_a):
    totp = enrol(station_user_a)
    client.force_login(sysadmin)

    changelist = client.get(reverse("admin:bureau_user_changelist")).content.decode()
    reset_action(client, station_user_a)

    assert "reset_second_factor" not in changelist
    station_user_a.refresh_from_db()
    assert station_user_a.totp_secret == totp.secret


def test_with_both_rules_the_code_comes_before_the_new_password(client, station_user_a, totp_required):
    totp = enrol(station_user_a)
    station_user_a.must_change_password = True
    station_user_a.save(update_fields=["must_change_password"])
    station_login(client)

    assert client.get(reverse("password_change"))["Location"].startswith(OTP)
    send_code(client, totp.now())

    assert client.get(HOME)["Location"].startswith(reverse("password_change"))
    assert client.get(reverse("password_change")).status_code == 200
