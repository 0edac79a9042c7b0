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

The rows are built once per module and xdist worker (`dataset`: two rows of every model,
one logged-in client per role), inside a transaction rolled back when the module ends;
each test gives two of them a hidden and a lower value inside its own savepoint
(pytest-django's per-test transaction) and asks every role in turn, reporting every
role that fails at once. Building the graph per case and per role took most of the
suite's time (docs/testing.md, "A dataset shared by a module").
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from simple_history.models import HistoricalChanges

import bureau.api.urls  # noqa: F401  (imports the area apps' API modules, which register their viewsets)
from bureau.api.router import router
from bureau.base.masking import SENSITIVE_QUERY_REFUSED, can_view_sensitive, concrete_model, sensitive_fields
from bureau.base.query_params import undeclared_message
from bureau.models import Person
from tests.conftest import make_persona
from tests.test_query_counts import create_row, factory_for, fill_nullable_relations

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
    for model_field in model._meta.concrete_fields:
        if model_field.many_to_one:
            paths += [f"{model_field.name}__{name}" for name in sensitive_fields(model_field.related_model)]
    return paths


def cases(models, prefix):
    """One case per model and path; the roles are looped over inside the test, on the same rows."""
    for model in sorted(models, key=lambda model: model._meta.label_lower):
        for path in sensitive_paths(model):
            yield pytest.param(model, path, id=f"{prefix}-{model._meta.label_lower}-{path}")


ADMIN_CASES = list(cases(admin.site._registry, "admin"))
API_MODELS = {viewset.queryset.model: basename for _, viewset, basename in router.registry if hasattr(viewset, "list")}
API_CASES = list(cases(API_MODELS, "api"))


# --- the shared dataset -----------------------------------------------------------------


@dataclass
class Dataset:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    api_clients: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """
    Two rows of every model of the cases (their nullable relations filled, as the query-count test
    builds them) and one logged-in client per role, once per module and worker. The outer
    transaction is rolled back when the module ends, on SQLite and PostgreSQL alike; each test's
    own transaction (pytest-django's `db`) is a savepoint inside it, so a test's changes are gone
    before the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        built = Dataset()
        for role in ROLES:
            user = built.users[role] = make_persona(role)
            assert not can_view_sensitive(user), f"{role} must be a role without view_sensitive_person"
            built.clients[role] = Client()
            built.clients[role].force_login(user)
            built.api_clients[role] = APIClient()
            built.api_clients[role].force_authenticate(user)
        models = sorted({case.values[0] for case in ADMIN_CASES + API_CASES}, key=lambda model: model._meta.label_lower)
        for model in models:
            create_two_rows(model)
        for model in models:
            end_on_two_holders(model)
        yield built
        transaction.set_rollback(True)


def create_two_rows(model) -> None:
    """Two rows from the model's factory, their empty nullable foreign keys filled (a path may run through one)."""
    if issubclass(model, HistoricalChanges):
        # A history table's rows are written by saving the tracked model.
        for _ in range(2):
            create_row(model.instance_type, depth=1)
        fill_nullable_relations(model._base_manager.all(), depth=0)
        return
    for _ in range(2):
        create_row(model, depth=1)


def end_on_two_holders(model) -> None:
    """
    Points the second-newest row's foreign key to an object of its own where the two newest rows share
    one (a history table's rows get one related row for all when their empty keys are filled).
    """
    for relation in {path.split("__")[0] for path in sensitive_paths(model) if "__" in path}:
        rows = list(model._base_manager.order_by("-pk")[:2])
        if len({getattr(row, f"{relation}_id") for row in rows} - {None}) < 2:
            related = model._meta.get_field(relation).related_model
            for row in rows:
                other = factory_for(related)()
                model._base_manager.filter(pk=row.pk).update(**{relation: other})


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


def rows_with_hidden_values(model, path: str) -> list:
    """
    The two newest rows of the dataset whose paths end on two different objects, given the hidden
    and the lower value (in the test's savepoint). Two rows of one payment's history end on one
    person: the second value would overwrite the first.
    """
    rows, holders = [], set()
    for row in model._base_manager.order_by("-pk").iterator():
        holder, _ = holder_of(row, path)
        if holder is None or (type(holder), holder.pk) in holders:
            continue
        holders.add((type(holder), holder.pk))
        rows.append(row)
        if len(rows) == 2:
            break
    assert len(rows) == 2, f"the dataset has no two rows of {model._meta.label} ending on two different {path}"
    for row, value in zip(rows, [HIDDEN, LOWER], strict=True):
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
    assert response.status_code == 400, f"status {response.status_code}"
    message = response.json()["detail"] if api else response.content.decode()
    assert SENSITIVE_QUERY_REFUSED in message


class Failures:
    """Every role's failure of one case, asserted once: a broken rule shows for which roles it breaks."""

    def __init__(self, model, path: str):
        self.case = f"{model._meta.label_lower} · {path}"
        self.found: list[str] = []

    @contextmanager
    def role(self, role: str):
        try:
            yield
        except Exception as error:  # noqa: BLE001  (an error for one role must not hide the others')
            self.found.append(f"  {role} · {self.case}: {type(error).__name__}: {error}")

    def assert_none(self) -> None:
        if self.found:
            pytest.fail(f"{len(self.found)} of {len(ROLES)} roles failed:\n" + "\n".join(self.found), pytrace=False)


# --- the admin (change lists and the history lists) ----------------------------------------


@pytest.mark.parametrize(("model", "path"), ADMIN_CASES)
def test_admin_refuses_a_filter_on_a_sensitive_field(model, path, dataset):
    url = changelist_url(model)
    rows_with_hidden_values(model, path)
    failures = Failures(model, path)
    for role in ROLES:
        client = dataset.clients[role]
        with failures.role(role):
            baseline = client.get(url).status_code
            assert baseline in (200, 403), f"the list answers {baseline}"
            if baseline == 403:
                assert client.get(url, {f"{path}__startswith": MATCHING}).status_code == 403
                continue
            for lookup in LOOKUPS:
                assert_refused(client.get(url, {f"{path}{lookup}": MATCHING}), 200, api=False)
    failures.assert_none()


@pytest.mark.parametrize(("model", "path"), ADMIN_CASES)
def test_admin_search_does_not_depend_on_a_sensitive_field(model, path, dataset):
    url = changelist_url(model)
    rows_with_hidden_values(model, path)
    failures = Failures(model, path)
    for role in ROLES:
        client = dataset.clients[role]
        with failures.role(role):
            if client.get(url).status_code == 403:
                # A list the role cannot open answers nothing about its rows, whatever the search.
                assert client.get(url, {"q": MATCHING}).status_code == 403
                continue
            for found, not_found in [(MATCHING, NOT_MATCHING), (HIDDEN, LOWER)]:
                matching, not_matching = client.get(url, {"q": found}), client.get(url, {"q": not_found})
                assert matching.status_code == not_matching.status_code == 200
                assert listed(matching) == listed(not_matching), f"?q={found} and ?q={not_found} list other rows"
    failures.assert_none()


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


@pytest.mark.parametrize(("model", "path"), ORDERING_CASES)
def test_admin_ordering_does_not_depend_on_a_sensitive_field(model, path, dataset):
    url = changelist_url(model)
    first, second = rows_with_hidden_values(model, path)
    failures = Failures(model, path)

    def orders(client, columns):
        return [listed(client.get(url, {"o": f"{sign}{index}"})) for index in columns for sign in ("", "-")]

    before = {}
    for role in ROLES:
        client = dataset.clients[role]
        with failures.role(role):
            if client.get(url).status_code == 403:
                assert client.get(url, {"o": "1"}).status_code == 403
                continue
            columns = columns_sorted_on(model, path, client)
            assert columns, "the declared column must be in the list"
            before[role] = (columns, orders(client, columns))

    # Swapped, through a third value: an ID number is unique.
    set_hidden(first, path, LOWEST)
    set_hidden(second, path, HIDDEN)
    set_hidden(first, path, LOWER)
    for role, (columns, order) in before.items():
        with failures.role(role):
            assert orders(dataset.clients[role], columns) == order, "swapping the hidden values reorders the list"
    failures.assert_none()


def test_the_refusal_is_a_chinese_page(dataset):
    # The dataset's leader: the module's users exist once (the `leader` fixture would be a second).
    rows_with_hidden_values(Person, "id_number")

    response = dataset.clients["leader"].get(changelist_url(Person), {"id_number__startswith": MATCHING})

    assert response.status_code == 400
    assert "Bad Request" not in response.content.decode()
    assert SENSITIVE_QUERY_REFUSED in response.content.decode()


def test_the_history_list_refuses_with_the_chinese_message(dataset):
    rows_with_hidden_values(Person.history.model, "id_number")

    response = dataset.clients["auditor"].get("/admin/bureau/historicalperson/", {"id_number__startswith": MATCHING})

    assert response.status_code == 400
    assert SENSITIVE_QUERY_REFUSED in response.content.decode()


# Roles with the permission are refused too (no ID number in a URL), and find a person by a POST:
# tests/bureau/test_personal_data.py.


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "path"), API_CASES)
def test_api_refuses_a_filter_or_ordering_on_a_sensitive_field(model, path, dataset):
    url = reverse(f"{API_MODELS[model]}-list")
    rows_with_hidden_values(model, path)
    failures = Failures(model, path)
    for role in ROLES:
        client = dataset.api_clients[role]
        with failures.role(role):
            baseline = client.get(url).status_code
            for lookup in LOOKUPS:
                assert_refused(client.get(url, {f"{path}{lookup}": MATCHING}), baseline, api=True)
            for ordering in [path, f"-{path}", f"pk,{path}"]:
                assert_refused(client.get(url, {"ordering": ordering}), baseline, api=True)
    failures.assert_none()


@pytest.mark.parametrize(("model", "path"), API_CASES)
def test_api_search_does_not_depend_on_a_sensitive_field(model, path, dataset):
    url = reverse(f"{API_MODELS[model]}-list")
    rows_with_hidden_values(model, path)
    failures = Failures(model, path)
    for role in ROLES:
        client = dataset.api_clients[role]
        with failures.role(role):
            if client.get(url).status_code == 403:
                assert client.get(url, {"q": MATCHING}).status_code == 403
                continue
            for parameter in ["q", "search"]:
                for found, not_found in [(MATCHING, NOT_MATCHING), (HIDDEN, LOWER)]:
                    matching = client.get(url, {parameter: found})
                    not_matching = client.get(url, {parameter: not_found})
                    if matching.status_code == 400:
                        # A list without that search refuses the parameter, whatever its value (bureau.base.query_params).
                        assert not_matching.status_code == 400
                        assert matching.json() == not_matching.json() == {"detail": undeclared_message(parameter)}
                        continue
                    assert matching.status_code == not_matching.status_code == 200
                    assert listed(matching) == listed(not_matching), f"?{parameter}={found} and ={not_found} differ"
    failures.assert_none()


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
