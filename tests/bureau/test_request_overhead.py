"""
What every request costs besides its page: an API list by token reads the token, the user's
permissions in one query (bureau.rules.accounts.PermissionBackend) and its page, and builds no filter
set when asked without filters (bureau.api.filters.FilterSetBackend); a signed-in session renewed
less than a minute ago is not written again (bureau.base.sessions).
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau import roles
from bureau.api.filters import FilterSetBackend
from bureau.models import User
from bureau.rules.accounts import PermissionBackend
from tests.factories import PaymentFactory, PersonCategoryFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"
PAYMENTS = "/api/v1/payments/"


def statements(queries) -> list[str]:
    """The SQL a request ran, without the savepoints of its transaction."""
    return [query["sql"] for query in queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.fixture
def token_client(bureau_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bureau_user).key}")
    return client


def test_a_list_by_token_reads_the_token_the_permissions_once_and_its_page(token_client, township_a):
    for _ in range(3):
        person = PersonFactory(township=township_a)
        PersonCategoryFactory(person=person)
        PaymentFactory(person=person)
    with CaptureQueriesContext(connection) as queries:
        response = token_client.get(PERSONS)
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    sql = statements(queries)
    assert len(sql) == 4, sql
    assert "authtoken_token" in sql[0]
    assert [statement for statement in sql if "auth_permission" in statement] == [sql[1]]
    assert '"bureau_person"' in sql[2]
    # The categories of the page, without joining the person and township for their ordering.
    assert "bureau_personcategory" in sql[3] and "JOIN" not in sql[3]
    assert not response.cookies
    with CaptureQueriesContext(connection) as queries:
        response = token_client.get(PAYMENTS)
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    sql = statements(queries)
    assert len(sql) == 3, sql
    assert "bureau_payment" in sql[2]


def test_a_list_asked_without_its_filters_builds_no_filter_set(token_client, township_a, township_b, monkeypatch):
    PersonFactory(township=township_a, name="王一")
    PersonFactory(township=township_b, name="李二")
    built = []
    get_filterset = FilterSetBackend.get_filterset

    def counted(self, *args, **kwargs):
        built.append(type(self))
        return get_filterset(self, *args, **kwargs)

    monkeypatch.setattr(FilterSetBackend, "get_filterset", counted)
    plain = token_client.get(PERSONS)
    assert [row["name"] for row in plain.json()["results"]] == ["王一", "李二"]
    assert built == []
    # A parameter of the paginator's only: no filter set either.
    assert token_client.get(PERSONS, {"page": 1}).json()["results"] == plain.json()["results"]
    assert built == []
    searched = token_client.get(PERSONS, {"q": "王"})
    assert [row["name"] for row in searched.json()["results"]] == ["王一"]
    by_township = token_client.get(PERSONS, {"township": township_b.code})
    assert [row["name"] for row in by_township.json()["results"]] == ["李二"]
    assert built == [FilterSetBackend, FilterSetBackend]
    # An undeclared parameter is still refused, a sensitive one still said so.
    assert token_client.get(PERSONS, {"colour": "red"}).status_code == 400
    assert token_client.get(PERSONS, {"id_number": "1"}).status_code == 400


def test_permissions_read_in_one_query_are_djangos(
    django_assert_num_queries, bureau_user, station_user_a, leader, auditor, sysadmin, secadmin, superuser
):
    direct = UserFactory(username="direct_grant", groups=[roles.STATION_STAFF])
    direct.user_permissions.add(Permission.objects.get(codename="view_payment"))
    inactive = UserFactory(username="gone", is_active=False, groups=[roles.STATION_STAFF])
    users = [bureau_user, station_user_a, leader, auditor, sysadmin, secadmin, superuser, direct, inactive]
    for user in users:
        ours = PermissionBackend().get_all_permissions(User.objects.get(pk=user.pk))
        djangos = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
        assert ours == djangos, user.username
    station_perms = ModelBackend().get_all_permissions(User.objects.get(pk=station_user_a.pk))
    assert PermissionBackend().get_all_permissions(User.objects.get(pk=direct.pk)) == station_perms | {
        "bureau.view_payment"
    }
    assert PermissionBackend().get_all_permissions(User.objects.get(pk=inactive.pk)) == set()
    fresh = User.objects.get(pk=bureau_user.pk)
    with django_assert_num_queries(1):
        assert fresh.has_perm("bureau.view_person")
        assert not fresh.has_perm("bureau.no_such_permission")
        assert fresh.has_perm("bureau.view_payment")


def test_a_session_renewed_within_a_minute_is_not_written_again(client, bureau_user):
    client.force_login(bureau_user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PERSONS)
    assert response.status_code == 200
    assert not [sql for sql in statements(queries) if "django_session" in sql and not sql.startswith("SELECT")]
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "Cookie" in response["Vary"]
    # Renewed ten minutes ago, as its row says: this request renews it, row and cookie.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=20))
    response = client.get(PERSONS)
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # Signing out still ends the session at once.
    client.post("/admin/logout/")
    assert not Session.objects.filter(pk=key).exists()
    assert client.get(PERSONS).status_code in (401, 403)
