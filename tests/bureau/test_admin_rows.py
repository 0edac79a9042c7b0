"""
The kit's lean list rows (bureau.admin.rows) and the side menu's app list built once per user and
permission set (bureau.sites) and its side menu rendered once per app list and current entry: every kit list's page is the page Django's renderer makes, byte for
byte, on the seeded demo district; Django's `items_for_result` is not called for a kit list (it
still is for a list outside the kit); the app list is built once for two pages of one user and
again when the user's permissions change.
"""

import re
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from bureau.admin.listcost import ListCostMixin
from bureau.admin.rows import lean_rows_apply
from bureau.templatetags.kit_list import nav_menus
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db

KIT_LISTS = sorted(
    f"{model._meta.app_label}.{model._meta.model_name}"
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ListCostMixin)
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def changelist(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def rendered_by(client, url: str, lean: bool) -> tuple[str, int]:
    """The page with the lean renderer on or off, and how often Django's `items_for_result` ran."""
    calls = []
    djangos = admin_list.items_for_result

    def counted(cl, result, form):
        calls.append(result)
        return djangos(cl, result, form)

    with (
        mock.patch.object(admin_list, "items_for_result", counted),
        mock.patch("bureau.templatetags.kit_list.lean_rows_apply", lambda cl: lean and lean_rows_apply(cl)),
    ):
        html = page(client, url)
    return html, len(calls)


@pytest.fixture
def root_client(client, demo_district):
    client.force_login(make_persona("superuser"))
    return client


def test_the_kit_has_lists_and_the_demo_fills_most_of_them():
    assert len(KIT_LISTS) >= 100
    assert "bureau.person" in KIT_LISTS and "bureau.payment" in KIT_LISTS


@pytest.mark.parametrize("label", KIT_LISTS)
def test_a_kit_list_renders_the_same_page_as_djangos_rows(root_client, label):
    url = changelist(label)
    lean, lean_calls = rendered_by(root_client, url, lean=True)
    django, django_calls = rendered_by(root_client, url, lean=False)

    assert lean_calls == 0
    table = lean.partition('<table id="result_list">')[2].partition("</table>")[0]
    assert django_calls == max(table.count("<tr") - 1, 0)
    assert lean == django


@pytest.mark.parametrize("query", ["", "?o=-2.1", "?q=%E6%BC%94%E7%A4%BA&township__id__exact=1", "?p=2"])
def test_the_person_and_payment_lists_with_sorting_filters_and_pages_are_the_same(root_client, query):
    for url in ("/admin/bureau/person/", "/admin/bureau/payment/"):
        response = root_client.get(url + query)
        if response.status_code != 200:  # a parameter the list's allow-list refuses: nothing to compare
            continue
        lean, lean_calls = rendered_by(root_client, url + query, lean=True)
        django, _ = rendered_by(root_client, url + query, lean=False)
        assert lean_calls == 0
        assert lean == django


def test_the_clerks_masked_person_list_is_the_same_and_has_its_rows(client, demo_district):
    client.force_login(make_persona("bureau_user"))
    lean, lean_calls = rendered_by(client, "/admin/bureau/person/", lean=True)
    django, django_calls = rendered_by(client, "/admin/bureau/person/", lean=False)

    assert (lean_calls, django_calls) == (0, 100)
    assert lean == django
    assert lean.count('class="action-select"') == 100
    assert '<th class="field-' in lean and "****" in lean


def test_a_list_outside_the_kit_keeps_djangos_renderer(root_client):
    assert not isinstance(admin.site._registry[Group], ListCostMixin)
    _, calls = rendered_by(root_client, "/admin/auth/group/", lean=True)
    assert calls == Group.objects.count() > 0


def test_the_app_list_is_built_once_per_user_and_again_when_permissions_change(client, db):
    clerk = make_persona("bureau_user")
    client.force_login(clerk)
    admin.site.app_dicts.clear()
    nav_menus.clear()
    builds = []
    djangos = AdminSite._build_app_dict

    def counted(site, request, label=None):
        builds.append(label)
        return djangos(site, request, label)

    with mock.patch.object(AdminSite, "_build_app_dict", counted):
        first = page(client, "/admin/bureau/person/")
        second = page(client, "/admin/bureau/payment/")
        assert builds == [None]
        # The side menu of a page seen before is not rendered again, and is the same.
        again = client.get("/admin/bureau/person/")
        assert "admin/app_list.html" not in [template.name for template in again.templates]
        assert CSRF.sub('name="csrfmiddlewaretoken" value=""', again.content.decode()) == first
        assert builds == [None]
        assert 'href="/admin/bureau/person/" aria-current="page"' in first
        assert 'href="/admin/bureau/payment/" aria-current="page"' in second
        assert "/admin/auth/group/" not in second

        clerk.user_permissions.add(Permission.objects.get(codename="view_group"))
        granted = page(client, "/admin/bureau/person/")
        assert builds == [None, None]
        assert 'href="/admin/auth/group/"' in granted
        # An app's own index (`_build_app_dict` with its label) is kept the same way.
        assert client.get("/admin/bureau/").status_code == 200
        assert client.get("/admin/bureau/").status_code == 200
        assert builds == [None, None, "bureau"]

        clerk.user_permissions.remove(Permission.objects.get(codename="view_group"))
        taken = page(client, "/admin/bureau/person/")
        assert builds == [None, None, "bureau"]  # the first permission set's list again
        assert "/admin/auth/group/" not in taken
        assert taken == first
