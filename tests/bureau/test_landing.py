"""Everyone lands where their work is: from `/` and after login (station login page and admin login page)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from bureau import roles
from tests.conftest import PERSONAS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Landing-Pass-2026!"

START_PAGES = {
    "leader": "/dashboard/",
    "bureau_user": "/admin/",
    "auditor": "/admin/",
    "sysadmin": "/admin/",
    "secadmin": "/admin/",
    "superuser": "/admin/",
    "station_user_a": "/station/",
}


@pytest.mark.parametrize(("persona", "start"), START_PAGES.items())
def test_slash_sends_each_role_to_its_start_page(request, client, persona, start):
    client.force_login(request.getfixturevalue(persona))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == start
    assert client.get(start).status_code == 200


def test_a_clerk_opening_slash_no_longer_meets_the_station_refusal(client, bureau_user):
    client.force_login(bureau_user)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/admin/"
    assert "无权访问此页面" not in response.content.decode()


def test_a_leader_who_is_also_a_clerk_works_in_the_admin(client, leader):
    leader.groups.add(Group.objects.get(name=roles.BUREAU_STAFF))
    client.force_login(leader)

    assert client.get("/")["Location"] == "/admin/"


def test_slash_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('station:login')}?next=/"


def _user(persona_kwargs):
    user = UserFactory(**persona_kwargs)
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save()
    return user


@pytest.mark.parametrize("login_url", ["/station/login/", "/admin/login/"])
def test_after_login_a_leader_lands_on_the_dashboard(client, login_url):
    user = _user(PERSONAS["leader"])

    response = client.post(login_url, {"username": user.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert response.status_code == 200


@pytest.mark.parametrize("login_url", ["/station/login/", "/admin/login/"])
def test_after_login_a_clerk_lands_on_the_admin_with_its_review_panel(client, login_url):
    user = _user(PERSONAS["bureau_user"])

    response = client.post(login_url, {"username": user.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_after_login_a_station_lands_on_its_home_page(client, township_a):
    user = _user({"username": "station_login", "township": township_a, "groups": [roles.STATION_STAFF]})

    response = client.post("/station/login/", {"username": user.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/station/"


def test_an_explicit_next_is_still_followed(client):
    user = _user(PERSONAS["leader"])

    response = client.post(
        "/admin/login/?next=/admin/bureau/person/", {"username": user.username, "password": PASSWORD}
    )

    assert response["Location"] == "/admin/bureau/person/"
