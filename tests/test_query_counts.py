"""
No N+1: every admin change list and every API list costs as many queries with 20 rows as with 2,
and so does the admin index with 2 or 20 submitted records of every kind in its review inbox.

The cases are discovered, not listed: every model registered on the admin site (the
history admins too) and every viewset with a list on the API router. Rows come from the
model's factory, found in any `tests/**/factories.py`; a model without one fails with a
message saying where to add it. Every nullable foreign key of a row is filled (Django's
default join skips nullable ones, which is how per-row queries crept in), each reverse
relation with a factory gets one child and each many-to-many one member, so a relation
read per row shows up as growth.

Models with a single row in practice (SiteProfile: the admin refuses a second) or managed
by Django (users, groups, tokens) are built like any other: the database allows many
rows, and a list of them must not query per row either.
"""

import importlib
import re
from collections import Counter
from pathlib import Path

import factory
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from simple_history.models import HistoricalChanges

import bureau.api.urls  # noqa: F401  (imports the area apps' API modules, which register their viewsets)
from bureau.api.router import router
from bureau.models import ReviewStatus, TownshipRecord
from tests.factories import PaymentBatchFactory, PaymentFactory

FEW, MANY = 2, 20

# --- factories ---------------------------------------------------------------------------


def discover_factories() -> dict[type, type]:
    """Every model factory of the test suite, by model: the model's own (PersonFactory) before variants (VeteranFactory)."""
    tests_dir = Path(__file__).parent
    found = {}
    for path in sorted(tests_dir.rglob("factories.py")):
        module = importlib.import_module(".".join(path.relative_to(tests_dir.parent).with_suffix("").parts))
        for candidate in vars(module).values():
            if not (isinstance(candidate, type) and issubclass(candidate, factory.django.DjangoModelFactory)):
                continue
            model = candidate._meta.get_model_class()
            if model is not None and (model not in found or candidate.__name__ == f"{model.__name__}Factory"):
                found[model] = candidate
    return found


FACTORIES = discover_factories()


def factory_for(model):
    # A proxy (authtoken's TokenProxy) lists the rows of its concrete model.
    found = FACTORIES.get(model) or FACTORIES.get(model._meta.concrete_model)
    if found is None:
        pytest.fail(
            f"No factory for {model._meta.label}: add one to tests/factories.py (or the app's "
            "tests/<app>/factories.py) so the query-count test can build rows of it.",
            pytrace=False,
        )
    return found


def create_row(model, *, depth: int):
    """A row from the model's factory, its empty nullable foreign keys filled `depth` levels deep."""
    row = factory_for(model)()
    if depth:
        fill_nullable_relations(model._base_manager.filter(pk=row.pk), depth=depth - 1)
    return row


# A row holds exactly one of these (a check constraint): the factory alternates between them.
EITHER_OR = {"reports.ReportDownload": {"run", "final"}}


def fill_nullable_relations(queryset, *, depth: int) -> None:
    """Point every empty nullable foreign key of these rows at a new related row."""
    either_or = EITHER_OR.get(queryset.model._meta.label, set())
    for field in queryset.model._meta.concrete_fields:
        if not (field.is_relation and field.null) or field.name in either_or:
            continue
        empty = queryset.filter(**{f"{field.name}__isnull": True})
        if field.unique:
            for pk in empty.values_list("pk", flat=True):
                queryset.filter(pk=pk).update(**{field.name: create_row(field.related_model, depth=depth)})
        elif empty.exists():
            empty.update(**{field.name: create_row(field.related_model, depth=depth)})


def create_children(row) -> None:
    """One child on each reverse relation and one member in each many-to-many that has a factory."""
    opts = type(row)._meta
    for relation in opts.related_objects:
        child_factory = FACTORIES.get(relation.related_model)
        if child_factory and not relation.many_to_many:
            child_factory(**{relation.field.name: row})
    for field in opts.many_to_many:
        member_factory = FACTORIES.get(field.related_model)
        if member_factory:
            getattr(row, field.name).add(member_factory())


def create_rows(model, count: int) -> None:
    if issubclass(model, HistoricalChanges):
        # A history table's rows are written by saving the tracked model.
        for _ in range(count):
            create_row(model.instance_type, depth=1)
        fill_nullable_relations(model._base_manager.all(), depth=1)
        return
    for _ in range(count):
        create_children(create_row(model, depth=2))


# --- counting ----------------------------------------------------------------------------


def normalised(sql: str) -> str:
    """The statement without its values, savepoint names and IN-list lengths, to compare two runs."""
    sql = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
    sql = re.sub(r'SAVEPOINT "[^"]*"', "SAVEPOINT ?", sql)
    return re.sub(r"IN \([^)]*\)", "IN (…)", sql)


def assert_no_growth(few: CaptureQueriesContext, many: CaptureQueriesContext) -> None:
    before = Counter(normalised(query["sql"]) for query in few.captured_queries)
    after = Counter(normalised(query["sql"]) for query in many.captured_queries)
    grown = [f"  +{after[sql] - before[sql]} × {sql}" for sql in after if after[sql] > before[sql]]
    assert len(many) == len(few), (
        f"{len(few)} queries with {FEW} rows, {len(many)} with {MANY}; repeated per row:\n" + "\n".join(grown[:10])
    )


# --- admin change lists ------------------------------------------------------------------


# Over the test budget (docs/testing.md): 20 persons, each with a child on every reverse relation
# that has a factory, are about 2.7 s of CPU.
SLOW_CASES = {"admin-bureau.person", "api-persons"}


def case(*values, id: str):
    return pytest.param(*values, id=id, marks=[pytest.mark.slow] if id in SLOW_CASES else [])


def admin_cases():
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label_lower):
        yield case(model, id=f"admin-{model._meta.label_lower}")


def get_change_list(client, url: str, *, rows: int) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    change_list = response.context["cl"]
    assert change_list.result_count >= rows
    assert len(change_list.result_list) == change_list.result_count, "some rows are not on the first page"
    return queries


ADMIN_CASES = list(admin_cases())


@pytest.mark.parametrize("model", ADMIN_CASES)
def test_admin_change_list_queries_do_not_grow_with_rows(model, client, superuser, monkeypatch):
    # Every row on one page, so a per-row query cannot hide behind pagination.
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 1000)
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    create_rows(model, FEW)
    client.get(url)  # warms per-process caches (content types, permissions) out of the count
    few = get_change_list(client, url, rows=FEW)
    create_rows(model, MANY - FEW)
    many = get_change_list(client, url, rows=MANY)

    assert_no_growth(few, many)


# --- the admin index's review inbox ------------------------------------------------------


def create_submitted_rows(count: int) -> None:
    """`count` submitted records of every workflow model on the admin, each in a township of its own where it has one."""
    for model in admin.site._registry:
        if issubclass(model, TownshipRecord):
            for _ in range(count):
                record = factory_for(model)()
                model._base_manager.filter(pk=record.pk).update(review_status=ReviewStatus.SUBMITTED)


@pytest.mark.slow  # builds the admin index twice around a batch of submissions (~3 s of CPU)
def test_admin_index_queries_do_not_grow_with_submitted_records(client, bureau_user):
    # The inbox is one grouped query per model, however many records and townships wait.
    client.force_login(bureau_user)
    create_submitted_rows(FEW)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/admin/")
    assert response.context["inbox_total"] >= FEW
    create_submitted_rows(MANY - FEW)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/")
    assert response.context["inbox_total"] >= MANY
    assert len(response.context["inbox_rows"]) > len(few.captured_queries), "the rows must outnumber the queries"

    assert_no_growth(few, many)


# --- API lists ---------------------------------------------------------------------------


def api_cases():
    for prefix, viewset, basename in sorted(router.registry, key=lambda entry: entry[0]):
        if hasattr(viewset, "list"):
            yield case(viewset, basename, id=f"api-{prefix}")


def get_api_list(client, url: str, *, rows: int) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    results = data["results"] if isinstance(data, dict) else data
    assert len(results) >= rows
    if isinstance(data, dict):
        assert data["next"] is None, "some rows are not on the first page"
    return queries


API_CASES = list(api_cases())


@pytest.mark.parametrize(("viewset", "basename"), API_CASES)
def test_api_list_queries_do_not_grow_with_rows(viewset, basename, bureau_user, monkeypatch):
    if viewset.pagination_class is not None:
        monkeypatch.setattr(viewset.pagination_class, "page_size", 1000)
    client = APIClient()
    # A token, as API clients sign in: the user and permissions are loaded afresh for every request.
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bureau_user).key}")
    model = viewset.queryset.model if viewset.queryset is not None else viewset.serializer_class.Meta.model
    url = reverse(f"{basename}-list")

    create_rows(model, FEW)
    client.get(url)
    few = get_api_list(client, url, rows=FEW)
    create_rows(model, MANY - FEW)
    many = get_api_list(client, url, rows=MANY)

    assert_no_growth(few, many)


def test_every_admin_and_api_list_is_covered():
    # The cases are read from the registries when the module is collected: an admin or a viewset
    # registered later (a module imported only by the URLconf) would go unchecked.
    admin_models = set(admin.site._registry)
    api_viewsets = {viewset for _, viewset, _ in router.registry if hasattr(viewset, "list")}

    assert {case.values[0] for case in ADMIN_CASES} == admin_models
    assert {case.values[0] for case in API_CASES} == api_viewsets


# --- the payment ledger ------------------------------------------------------------------


def test_admin_payment_list_costs_the_same_with_a_batch_on_every_row(client, bureau_user):
    # A batch is a nullable foreign key, which Django's default join leaves out (ScopedAdmin's
    # get_list_select_related joins it); the ledger is counted once (show_full_result_count).
    url = reverse("admin:bureau_payment_changelist")
    client.force_login(bureau_user)
    for _ in range(FEW):
        PaymentFactory(batch=PaymentBatchFactory())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(100 - FEW):
        PaymentFactory(batch=PaymentBatchFactory())

    with CaptureQueriesContext(connection) as page:
        response = client.get(url)

    assert len(response.context["cl"].result_list) == 100
    # 10: the session, the user, the user's permissions in one query (bureau.rules.accounts.PermissionBackend),
    # the programmes and townships of the filters (the 期间 filter's choices do not read the ledger:
    # bureau.admin.filters.PeriodFilter), the capped count, the page, the site profile, and the request's
    # savepoint and its release; the session is not written again within a minute (bureau.base.sessions).
    assert len(page) == len(few) == 10
