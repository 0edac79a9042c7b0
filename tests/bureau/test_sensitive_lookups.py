"""
No list is an oracle for a value it masks. A tester recovered a whole ID number as the
leader in 94 requests by filtering `?id_number__startswith=` one digit at a time; the
same worked on the history list and on the API's `?q=`.

The cases are discovered, not listed: every sensitive field (`Model.sensitive_fields`)
of every model on the admin site (the history admins too) and behind every API list,
and every path through a foreign key that ends on one (`person__id_number`). For each
role without `view_sensitive_person`, a filter or an ordering on it is a 400 with the
Chinese message, and a search answers with the same rows whether or not the hidden
value matches. A role that cannot open the list at all (403) is no oracle either.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

import bureau.api.urls  # noqa: F401  (imports the area apps' API modules, which register their viewsets)
from bureau.api.router import router
from bureau.base.masking import SENSITIVE_QUERY_REFUSED, can_view_sensitive, concrete_model, sensitive_fields
from bureau.base.query_params import undeclared_message
from tests.test_query_counts import create_rows

pytestmark = pytest.mark.django_db

# Every role without `view_sensitive_person` that opens admin lists (the administrators get 403s).
ROLES = ["leader", "auditor", "sysadmin", "secadmin"]
LOOKUPS = ["", "__startswith", "__contains", "__endswith", "__in", "__gt"]
# A value no factory makes, and a prefix of it that matches nothing else.
HIDDEN, LOWER, LOWEST = "97531086420", "97531086419", "97531086418"
MATCHING, NOT_MATCHING = HIDDEN[:6], "975319"


def sensitive_paths(model) -> list[str]:
    """The model's own sensitive fields, and `<foreign key>__<field>` for each one on the related model."""
    paths = list(sensitive_fields(model))
    for field in model._meta.concrete_fields:
        if field.many_to_one:
            paths += [f"{field.name}__{name}" for name in sensitive_fields(field.related_model)]
    return paths


def cases(models, prefix):
    for model in sorted(models, key=lambda model: model._meta.label_lower):
        for path in sensitive_paths(model):
            for role in ROLES:
                yield pytest.param(model, path, role, id=f"{prefix}-{model._meta.label_lower}-{path}-{role}")


ADMIN_CASES = list(cases(admin.site._registry, "admin"))
API_MODELS = {viewset.queryset.model: basename for _, viewset, basename in router.registry if hasattr(viewset, "list")}
API_CASES = list(cases(API_MODELS, "api"))


def holder_of(row, path: str):
    """The object that holds the field a path ends on, and the field's name."""
    *relations, name = path.split("__")
    for relation in relations:
        row = getattr(row, relation)
    return row, name


def set_hidden(row, path: str, value: str) -> None:
    holder, name = holder_of(row, path)
    # Bypasses validation and versioning: the value only has to be there to be asked about.
    type(holder)._base_manager.filter(pk=holder.pk).update(**{name: value})


def rows_with_hidden_values(model, path: str, count: int) -> list:
    create_rows(model, count)
    rows = list(model._base_manager.order_by("-pk")[:count])
    for row, value in zip(rows, [HIDDEN, LOWER], strict=False):
        set_hidden(row, path, value)
    return rows


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def listed(response) -> list:
    """The pks a change list or an API list shows, in order."""
    if "cl" in (response.context or {}):
        return [row.pk for row in response.context["cl"].result_list]
    data = response.json()
    return [row["id"] for row in (data["results"] if isinstance(data, dict) else data)]


def assert_refused(response, baseline_status: int, *, api: bool) -> None:
    if baseline_status == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 400
    message = response.json()["detail"] if api else response.content.decode()
    assert SENSITIVE_QUERY_REFUSED in message


@pytest.fixture
def user_of_role(request):
    def user(role):
        found = request.getfixturevalue(role)
        assert not can_view_sensitive(found)
        return found

    return user


# --- the admin (change lists and the history lists) ----------------------------------------


@pytest.mark.parametrize(("model", "path", "role"), ADMIN_CASES)
def test_admin_refuses_a_filter_on_a_sensitive_field(model, path, role, client, user_of_role):
    client.force_login(user_of_role(role))
    url = changelist_url(model)
    if client.get(url).status_code == 403:
        assert client.get(url, {f"{path}__startswith": MATCHING}).status_code == 403
        return
    rows_with_hidden_values(model, path, 1)

    for lookup in LOOKUPS:
        assert_refused(client.get(url, {f"{path}{lookup}": MATCHING}), 200, api=False)


@pytest.mark.parametrize(("model", "path", "role"), ADMIN_CASES)
def test_admin_search_does_not_depend_on_a_sensitive_field(model, path, role, client, user_of_role):
    client.force_login(user_of_role(role))
    url = changelist_url(model)
    if client.get(url).status_code == 403:
        # A list the role cannot open answers nothing about its rows, whatever the search.
        assert client.get(url, {"q": MATCHING}).status_code == 403
        return
    rows_with_hidden_values(model, path, 1)

    for found, not_found in [(MATCHING, NOT_MATCHING), (HIDDEN, LOWER)]:
        matching, not_matching = client.get(url, {"q": found}), client.get(url, {"q": not_found})
        assert matching.status_code == not_matching.status_code == 200
        assert listed(matching) == listed(not_matching)


def columns_sorted_on(model, path: str, client) -> list[int]:
    """Indexes of the change list's columns showing the field (masked) or declared to sort on it."""
    change_list = client.get(changelist_url(model)).context["cl"]
    model_admin = admin.site._registry[model]
    return [
        index
        for index, column in enumerate(change_list.list_display)
        if column == f"masked_{path}" or (column != path and sorts_on_column(model_admin, column, path))
    ]


def sorts_on_column(model_admin, column, path: str) -> bool:
    order_field = (
        getattr(getattr(model_admin, column, None), "admin_order_field", None) if isinstance(column, str) else None
    )
    return str(order_field or "").lstrip("-").startswith(path)


def sorts_on(model_admin, path: str) -> bool:
    """Does a column the admin declares sort on the field (for a user who sees it whole)?"""
    for column in model_admin.list_display:
        if column == path:
            return True
        order_field = (
            getattr(getattr(model_admin, column, None), "admin_order_field", None) if isinstance(column, str) else None
        )
        if str(order_field or "").lstrip("-").startswith(path):
            return True
    return False


# Only the lists with a column that sorts on the field: elsewhere `?o=` cannot reach it at all.
ORDERING_CASES = [case for case in ADMIN_CASES if sorts_on(admin.site._registry[case.values[0]], case.values[1])]


@pytest.mark.parametrize(("model", "path", "role"), ORDERING_CASES)
def test_admin_ordering_does_not_depend_on_a_sensitive_field(model, path, role, client, user_of_role):
    client.force_login(user_of_role(role))
    url = changelist_url(model)
    if client.get(url).status_code == 403:
        assert client.get(url, {"o": "1"}).status_code == 403
        return
    columns = columns_sorted_on(model, path, client)
    assert columns, "the declared column must be in the list"
    first, second = rows_with_hidden_values(model, path, 2)
    assert holder_of(first, path)[0] != holder_of(second, path)[0]

    def orders():
        return [listed(client.get(url, {"o": f"{sign}{index}"})) for index in columns for sign in ("", "-")]

    before = orders()
    # Swapped, through a third value: an ID number is unique.
    set_hidden(first, path, LOWEST)
    set_hidden(second, path, HIDDEN)
    set_hidden(first, path, LOWER)
    assert orders() == before


def test_the_refusal_is_a_chinese_page(client, leader, person_a):
    client.force_login(leader)

    response = client.get(changelist_url(type(person_a)), {"id_number__startswith": person_a.id_number[:6]})

    assert response.status_code == 400
    assert "Bad Request" not in response.content.decode()
    assert SENSITIVE_QUERY_REFUSED in response.content.decode()


def test_the_history_list_refuses_with_the_chinese_message(client, auditor, person_a):
    client.force_login(auditor)

    response = client.get("/admin/bureau/historicalperson/", {"id_number__startswith": person_a.id_number[:6]})

    assert response.status_code == 400
    assert SENSITIVE_QUERY_REFUSED in response.content.decode()


# Roles with the permission are refused too (no ID number in a URL), and find a person by a POST:
# tests/bureau/test_personal_data.py.


# --- the API --------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(("model", "path", "role"), API_CASES)
def test_api_refuses_a_filter_or_ordering_on_a_sensitive_field(model, path, role, user_of_role):
    client = api_client(user_of_role(role))
    url = reverse(f"{API_MODELS[model]}-list")
    baseline = client.get(url).status_code
    rows_with_hidden_values(model, path, 1)

    for lookup in LOOKUPS:
        assert_refused(client.get(url, {f"{path}{lookup}": MATCHING}), baseline, api=True)
    for ordering in [path, f"-{path}", f"pk,{path}"]:
        assert_refused(client.get(url, {"ordering": ordering}), baseline, api=True)


@pytest.mark.parametrize(("model", "path", "role"), API_CASES)
def test_api_search_does_not_depend_on_a_sensitive_field(model, path, role, user_of_role):
    client = api_client(user_of_role(role))
    url = reverse(f"{API_MODELS[model]}-list")
    if client.get(url).status_code == 403:
        assert client.get(url, {"q": MATCHING}).status_code == 403
        return
    rows_with_hidden_values(model, path, 1)

    for parameter in ["q", "search"]:
        for found, not_found in [(MATCHING, NOT_MATCHING), (HIDDEN, LOWER)]:
            matching, not_matching = client.get(url, {parameter: found}), client.get(url, {parameter: not_found})
            if matching.status_code == 400:
                # A list without that search refuses the parameter, whatever its value (bureau.base.query_params).
                assert not_matching.status_code == 400
                assert matching.json() == not_matching.json() == {"detail": undeclared_message(parameter)}
                continue
            assert matching.status_code == not_matching.status_code == 200
            assert listed(matching) == listed(not_matching)


def test_every_sensitive_field_is_covered():
    # Read from the registries when the module is collected; a model whose declaration is
    # missed here would go unchecked.
    admin_models = {case.values[0] for case in ADMIN_CASES}
    assert {"bureau.person", "bureau.enterprise", "kit_area.grant", "bureau.historicalperson"} <= {
        model._meta.label_lower for model in admin_models
    }
    assert {concrete_model(model)._meta.label_lower for model in API_MODELS if sensitive_paths(model)} >= {
        "bureau.person",
        "kit_area.grant",
    }
