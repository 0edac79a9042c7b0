"""The account pages of the administrators under separation of duties (三权分立)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_security_administrator_opens_an_account_without_its_password_field(client_for, secadmin, station_user_a):
    # The form leaves the password out for this role; its fieldset named it and the page was a 500.
    response = client_for(secadmin).get(f"/admin/bureau/user/{station_user_a.pk}/change/")

    assert response.status_code == 200
    assert "password" not in response.context["adminform"].form.fields
    assert f"/admin/bureau/user/{station_user_a.pk}/password/" not in response.content.decode()


def test_the_system_administrator_still_sees_the_password_link(client_for, sysadmin, station_user_a):
    response = client_for(sysadmin).get(f"/admin/bureau/user/{station_user_a.pk}/change/")

    assert response.status_code == 200
    assert "password" in response.context["adminform"].form.fields
