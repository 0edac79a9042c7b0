"""
Sign-in under MLPS level 3: lockout after five failures on every login, the password policy
in Chinese, API tokens that expire and end with the password, and session time limits.
"""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau.api.authentication import EXPIRED_MESSAGE
from bureau.rules.accounts import LOCKOUT_MESSAGE, LOGIN_TIME_KEY
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATION_LOGIN = reverse("station:login")
ADMIN_LOGIN = reverse("admin:login")
TOKEN = reverse("api-token")
HOME = reverse("station:home")
PERSONS = "/api/v1/persons/"


def station_login(client, username, password, **extra):
    return client.post(STATION_LOGIN, {"username": username, "password": password}, **extra)


def admin_login(client, username, password, **extra):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def token_login(client, username, password, **extra):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", **extra)


def fail_five_times(login, client, username, **extra):
    """Four failures answered as usual (the form again, or the API's 400); the fifth locks."""
    for _ in range(4):
        assert login(client, username, "wrong-password", **extra).status_code in (200, 400)
    assert login(client, username, "wrong-password", **extra).status_code == 429


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout -------------------------------------------------------------------------------


def test_station_login_is_locked_after_five_failures_even_for_the_right_password(client, station_user_a):
    fail_five_times(station_login, client, "station_a")

    response = station_login(client, "station_a", PASSWORD)

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


def test_admin_login_is_locked_after_five_failures_even_for_the_right_password(client, bureau_user):
    fail_five_times(admin_login, client, "clerk")

    response = admin_login(client, "clerk", PASSWORD)

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


def test_token_login_is_locked_after_five_failures_even_for_the_right_password(client, station_user_a):
    fail_five_times(token_login, client, "station_a")

    response = token_login(client, "station_a", PASSWORD)

    assert response.status_code == 429
    assert response.json() == {"detail": LOCKOUT_MESSAGE}
    assert not Token.objects.filter(user=station_user_a).exists()


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client, station_user_a):
    for _ in range(4):
        station_login(client, "station_a", "wrong-password")
    assert station_login(client, "station_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        station_login(client, "station_a", "wrong-password")

    assert station_login(client, "station_a", PASSWORD).status_code == 302


def test_a_locked_account_does_not_lock_other_accounts_from_the_same_address(client, station_user_a, station_user_b):
    fail_five_times(station_login, client, "station_a")

    assert station_login(client, "station_b", PASSWORD).status_code == 302


@pytest.mark.parametrize("login", [station_login, admin_login, token_login], ids=["station", "admin", "token"])
def test_the_account_is_locked_from_a_second_address(client, login, station_user_a, bureau_user):
    # Issue 23: station_liuhe locked from 127.0.0.1 got a token with the right password from 127.0.0.2.
    username = "clerk" if login is admin_login else "station_a"
    fail_five_times(login, client, username, REMOTE_ADDR="127.0.0.1")

    response = login(client, username, PASSWORD, REMOTE_ADDR="127.0.0.2")

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert not is_signed_in(client)
    assert not Token.objects.exists()


def test_failures_from_several_addresses_add_up_to_the_lock(client, station_user_a):
    for number in range(4):
        station_login(client, "station_a", "wrong-password", REMOTE_ADDR=f"10.0.0.{number + 1}")

    assert station_login(client, "station_a", "wrong-password", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert token_login(client, "station_a", PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 429


def fail_against_accounts(login, client, usernames, **extra):
    for username in usernames:
        response = login(client, username, "wrong-password", **extra)
    return response


@pytest.mark.parametrize("login", [station_login, token_login], ids=["station", "token"])
def test_an_address_that_fails_against_many_accounts_is_locked(client, login, station_user_a, settings):
    # One wrong password each for five usernames (existing or not): the address is locked for everyone.
    assert settings.LOGIN_ADDRESS_ACCOUNT_LIMIT == 5
    last = fail_against_accounts(login, client, ["zhang", "wang", "li", "zhao", "qian"], REMOTE_ADDR="127.0.0.1")
    assert last.status_code == 429

    locked = login(client, "station_a", PASSWORD, REMOTE_ADDR="127.0.0.1")
    assert locked.status_code == 429
    assert LOCKOUT_MESSAGE in locked.content.decode()
    # The accounts themselves are not locked: from another address the right password signs in.
    assert login(client, "station_a", PASSWORD, REMOTE_ADDR="127.0.0.2").status_code in (200, 302)


def test_four_accounts_failed_from_one_address_do_not_lock_it(client, station_user_a):
    fail_against_accounts(station_login, client, ["zhang", "wang", "li", "zhao"])

    assert station_login(client, "station_a", PASSWORD).status_code == 302


def test_a_sign_in_clears_its_own_failures_only_not_the_addresss(client, station_user_a):
    # Signing in with one's own account between guesses does not reset the address's count.
    fail_against_accounts(station_login, client, ["zhang", "wang", "li", "zhao"])
    assert station_login(client, "station_a", PASSWORD).status_code == 302
    client.logout()

    assert station_login(client, "qian", "wrong-password").status_code == 429
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").count() == 5


def test_the_lock_ends_after_thirty_minutes(client, station_user_a):
    fail_five_times(station_login, client, "station_a")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))
    assert station_login(client, "station_a", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))

    assert station_login(client, "station_a", PASSWORD).status_code == 302
    assert is_signed_in(client)


USERNAMES = ["zhang", "wang", "li", "zhao", "qian"]


@pytest.mark.parametrize("login", [station_login, token_login], ids=["station", "token"])
def test_a_forwarded_address_is_ignored_unless_the_proxy_header_is_configured(client, login, station_user_a):
    # Without the setting a client cannot escape the address lock by sending a new X-Forwarded-For each time.
    for number, username in enumerate(USERNAMES):
        login(client, username, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")

    assert login(client, "station_a", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_the_configured_proxy_header_gives_the_client_address(client, station_user_a, settings):
    settings.AXES_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    fail_against_accounts(station_login, client, USERNAMES, HTTP_X_REAL_IP="10.1.1.1")

    assert station_login(client, "station_a", PASSWORD, HTTP_X_REAL_IP="10.1.1.1").status_code == 429
    assert station_login(client, "station_a", PASSWORD, HTTP_X_REAL_IP="10.1.1.2").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.1.1.1"}


def test_of_a_forwarded_list_the_address_the_proxy_added_counts(client, station_user_a, settings):
    # The proxy appends the address it saw; the entries before it are whatever the client sent.
    settings.AXES_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for number, username in enumerate(USERNAMES):
        station_login(client, username, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 10.1.1.1")

    assert station_login(client, "station_a", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.99, 10.1.1.1").status_code == 429
    assert station_login(client, "station_a", PASSWORD, HTTP_X_FORWARDED_FOR="10.1.1.1, 10.1.1.2").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.1.1.1"}


# --- password policy -----------------------------------------------------------------------


def password_errors(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_a_long_password_of_three_kinds_passes():
    assert password_errors("Tuiyi-junren-2021") == []
    assert password_errors("tuiyijunren2021!") == []


def test_password_policy_messages_are_chinese():
    assert password_errors("Ab1!xyz") == ["密码至少需要 12 个字符。"]
    assert password_errors("veteranaffairs") == ["密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"]
    assert password_errors("Password1234") == ["密码过于常见，请换一个不易猜到的密码。"]


def test_a_password_like_the_username_is_refused(db):
    user = UserFactory(username="zhangweiguo")

    assert password_errors("Zhangweiguo1!", user) == ["密码与用户名、姓名或邮箱过于相似。"]


def test_the_set_password_form_shows_the_chinese_messages(station_user_a):
    form = SetPasswordForm(station_user_a, {"new_password1": "short", "new_password2": "short"})

    assert form.errors["new_password2"] == [
        "密码至少需要 12 个字符。",
        "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。",
    ]


# --- API tokens ----------------------------------------------------------------------------


def token_client(token: Token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def issued_hours_ago(token: Token, hours: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(hours=hours))


def test_a_token_older_than_its_lifetime_is_refused_with_401(station_user_a):
    token = Token.objects.create(user=station_user_a)
    issued_hours_ago(token, 7.9)
    assert token_client(token).get(PERSONS).status_code == 200

    issued_hours_ago(token, 8.1)
    response = token_client(token).get(PERSONS)

    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED_MESSAGE}


def test_signing_in_again_replaces_an_expired_token(station_user_a):
    token = Token.objects.create(user=station_user_a)
    issued_hours_ago(token, 9)

    response = token_login(None, "station_a", PASSWORD)

    assert response.status_code == 200
    assert response.json()["token"] != token.key
    assert token_client(Token.objects.get(user=station_user_a)).get(PERSONS).status_code == 200


def test_a_password_change_deletes_the_token(station_user_a):
    Token.objects.create(user=station_user_a)

    station_user_a.set_password("Another-password-2021")
    station_user_a.save()

    assert not Token.objects.filter(user=station_user_a).exists()


def test_deactivation_deletes_the_token(station_user_a):
    Token.objects.create(user=station_user_a)

    station_user_a.is_active = False
    station_user_a.save()

    assert not Token.objects.filter(user=station_user_a).exists()


def test_other_changes_to_the_user_keep_the_token(station_user_a):
    token = Token.objects.create(user=station_user_a)

    station_user_a.first_name = "甲镇服务站"
    station_user_a.save()

    assert Token.objects.filter(pk=token.pk).exists()


def test_logging_out_of_the_station_deletes_the_token(client_for, station_user_a):
    Token.objects.create(user=station_user_a)
    client = client_for(station_user_a)

    client.post(reverse("station:logout"))

    assert not Token.objects.filter(user=station_user_a).exists()


def test_deleting_the_token_signs_the_api_client_out(station_user_a):
    token = Token.objects.create(user=station_user_a)
    client = token_client(token)

    assert client.delete(TOKEN).status_code == 204
    assert client.get(PERSONS).status_code == 401


# --- sessions ------------------------------------------------------------------------------


def test_an_idle_session_ends_after_thirty_minutes(client_for, station_user_a):
    client = client_for(station_user_a)
    response = client.get(HOME)
    assert response.status_code == 200
    session = Session.objects.get(pk=client.session.session_key)
    # Every request renews the thirty minutes.
    assert abs(session.expire_date - (timezone.now() + datetime.timedelta(minutes=30))) < datetime.timedelta(minutes=1)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get(HOME).url.startswith(STATION_LOGIN)


def set_login_time(client, seconds_ago: int) -> None:
    session = client.session
    session[LOGIN_TIME_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_a_session_ends_twelve_hours_after_login_however_active(client_for, station_user_a):
    client = client_for(station_user_a)
    set_login_time(client, 12 * 60 * 60 - 60)
    assert client.get(HOME).status_code == 200

    set_login_time(client, 12 * 60 * 60 + 60)
    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(STATION_LOGIN)
    assert not is_signed_in(client)
