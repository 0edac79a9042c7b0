"""
The initial password (MLPS level 3 身份鉴别): an account created, or a password set, by an administrator
must choose its own password at the next login before it can open anything else, on the station
portal, in the admin and through the API.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau.rules.accounts import (
    API_PASSWORD_CHANGE_REQUIRED_MESSAGE,
    PASSWORD_CHANGE_REQUIRED_MESSAGE,
    SAME_PASSWORD_MESSAGE,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHANGE = reverse("password_change")
HOME = reverse("station:home")
ADMIN_INDEX = reverse("admin:index")
TOKEN = reverse("api-token")
NEW_PASSWORD = "Xin-mima-2026-chun"


def flag(user):
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    return user


def station_login(client, username):
    return client.post(reverse("station:login"), {"username": username, "password": PASSWORD})


def admin_login(client, username):
    return client.post(reverse("admin:login"), {"username": username, "password": PASSWORD, "next": ADMIN_INDEX})


def change_password(client, old=PASSWORD, new=NEW_PASSWORD, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": new, **extra}
    return client.post(CHANGE, data)


def test_a_flagged_station_user_is_sent_to_the_change_page_from_every_page(client, station_user_a, person_a):
    flag(station_user_a)
    assert station_login(client, "station_a").status_code == 302

    for url in (HOME, reverse("station:person_detail", args=[person_a.pk]), reverse("reports:dashboard")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{CHANGE}?next=")


def test_the_api_refuses_a_flagged_session_with_a_chinese_403(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = client.get("/api/v1/persons/")

    assert response.status_code == 403
    assert response.json() == {"detail": PASSWORD_CHANGE_REQUIRED_MESSAGE}


def test_a_flagged_user_may_still_sign_out_and_the_health_check_and_static_files_answer(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    assert client.post(reverse("station:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_station_change_page_wears_the_station_look_and_says_why(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    page = client.get(CHANGE).content.decode()

    assert PASSWORD_CHANGE_REQUIRED_MESSAGE in page
    assert "login-card" in page
    assert "content-main" not in page


def test_changing_the_password_clears_the_flag_and_opens_the_portal(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = change_password(client)

    assert response.status_code == 302
    assert response["Location"] == HOME
    station_user_a.refresh_from_db()
    assert not station_user_a.must_change_password
    assert station_user_a.check_password(NEW_PASSWORD)
    assert client.get(HOME).status_code == 200


def test_the_change_page_returns_to_the_page_first_asked_for(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = change_password(client, next=reverse("station:submissions"))

    assert response["Location"] == reverse("station:submissions")


def test_a_new_password_equal_to_the_old_one_is_refused(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = change_password(client, new=PASSWORD)

    assert response.status_code == 200
    assert SAME_PASSWORD_MESSAGE in response.content.decode()
    station_user_a.refresh_from_db()
    assert station_user_a.must_change_password
    assert client.get(HOME).status_code == 302


def test_the_new_password_must_follow_the_policy(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = change_password(client, new="short")

    assert response.status_code == 200
    assert "密码至少需要 12 个字符。" in response.content.decode()
    station_user_a.refresh_from_db()
    assert station_user_a.must_change_password


def test_a_wrong_old_password_is_refused(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")

    response = change_password(client, old="not-the-password-1")

    assert response.status_code == 200
    station_user_a.refresh_from_db()
    assert station_user_a.must_change_password


def test_a_flagged_bureau_user_changes_the_password_in_the_admin_look(client, bureau_user):
    flag(bureau_user)
    assert admin_login(client, "clerk")["Location"] == ADMIN_INDEX

    response = client.get(ADMIN_INDEX)
    assert response["Location"] == f"{CHANGE}?next={ADMIN_INDEX}"
    page = client.get(response["Location"]).content.decode()
    assert "content-main" in page
    assert PASSWORD_CHANGE_REQUIRED_MESSAGE in page

    response = change_password(client, next=ADMIN_INDEX)

    assert response["Location"] == ADMIN_INDEX
    assert client.get(ADMIN_INDEX).status_code == 200
    bureau_user.refresh_from_db()
    assert not bureau_user.must_change_password


def test_an_account_the_system_administrator_creates_must_change_its_password(client, sysadmin, township_a):
    client.force_login(sysadmin)
    client.post(
        reverse("admin:bureau_user_add"),
        {"username": "new_station", "password1": PASSWORD, "password2": PASSWORD, "township": township_a.pk},
    )
    client.logout()

    station_login(client, "new_station")

    assert client.get(HOME)["Location"].startswith(CHANGE)


def test_the_token_endpoint_refuses_a_flagged_account_with_a_chinese_403(station_user_a):
    flag(station_user_a)
    api = APIClient()

    response = api.post(TOKEN, {"username": "station_a", "password": PASSWORD}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": API_PASSWORD_CHANGE_REQUIRED_MESSAGE}
    assert not Token.objects.filter(user=station_user_a).exists()


def test_after_the_change_the_token_endpoint_issues_a_token(client, station_user_a):
    flag(station_user_a)
    station_login(client, "station_a")
    change_password(client)

    response = APIClient().post(TOKEN, {"username": "station_a", "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200
    assert "token" in response.json()


def test_an_unflagged_user_is_not_stopped(client, station_user_a):
    station_login(client, "station_a")

    assert client.get(HOME).status_code == 200
