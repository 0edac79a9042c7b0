"""
Lean API lists (bureau.api.lean): the person and payment lists read `.values()` rows and give, byte
for byte, the page the serializers gave, masked and scoped as before, in a number of queries that does
not grow with the rows, without building a model instance or calling a serializer per row.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from bureau import roles
from bureau.api import lean
from bureau.api.serializers import PaymentSerializer, PersonSerializer, ScopedModelSerializer
from bureau.api.views import PaymentViewSet, PersonViewSet
from bureau.models import Payment, PaymentProgramme, Person, PersonCategory, PreferentialCategory
from tests.conftest import make_persona
from tests.factories import (
    PaymentBatchFactory,
    PaymentFactory,
    PaymentProgrammeFactory,
    PersonCategoryFactory,
    PersonFactory,
    TownshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"
PAYMENTS = "/api/v1/payments/"
ROLES = ("clerk", "station")
LEDGER_ROLES = ("clerk", "township_ledger")


@dataclass
class Dataset:
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    townships: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Two townships (12 and 45 persons, so the clerk's list has a second page), categories, payments."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = Dataset()
        small = built.townships["small"] = TownshipFactory(code="L01", name="小镇", order=1)
        large = built.townships["large"] = TownshipFactory(code="L02", name="大镇", order=2)
        built.users["clerk"] = make_persona("bureau_user")
        built.users["station"] = UserFactory(username="station_lean", township=small, groups=[roles.STATION_STAFF])
        # Stations do not read the ledger (403); a township's user with the view permission does, scoped.
        built.users["township_ledger"] = UserFactory(username="ledger_lean", township=small)
        built.users["township_ledger"].user_permissions.add(Permission.objects.get(codename="view_payment"))
        for role, user in built.users.items():
            built.clients[role] = APIClient()
            built.clients[role].force_authenticate(user)
        people = [
            PersonFactory(
                township=small if number < 12 else large,
                phone="" if number % 5 == 0 else f"139{number:08d}",
                enlisted_on=datetime.date(1990 + number % 20, 3, 1) if number % 2 else None,
                discharged_on=datetime.date(2000 + number % 20, 12, 1) if number % 2 else None,
                branch=Person.Branch.NAVY if number % 3 else "",
                notes=f"备注{number}" if number % 4 == 0 else "",
            )
            for number in range(57)
        ]
        for number, person in enumerate(people):
            for started in range(number % 3):
                PersonCategoryFactory(
                    person=person,
                    category=[PreferentialCategory.DISABLED_SOLDIER, PreferentialCategory.MARTYR_FAMILY][started],
                    started_on=datetime.date(2010 + started, 1, 1),
                    ended_on=datetime.date(2015, 1, 1) if started and number % 2 else None,
                )
        monthly = PaymentProgrammeFactory(code="lean-monthly", name="定期抚恤金")
        once = PaymentProgrammeFactory(code="lean-once", name="一次性补助")
        batch = PaymentBatchFactory(programme=monthly, created_by=built.users["clerk"])
        for number, person in enumerate(people[:40]):
            PaymentFactory(
                person=person,
                programme=monthly if number % 2 else once,
                amount=Decimal(1000 + number) + Decimal("0.5"),
                period=f"2021-{number % 12 + 1:02d}",
                paid_on=datetime.date(2021, number % 12 + 1, 10 + number % 3),
                fiscal_share=Decimal("800.00") if number % 3 == 0 else None,
                batch=batch if number % 4 == 0 else None,
                note="补发" if number % 5 == 0 else "",
            )
        yield built
        transaction.set_rollback(True)


def serialized(serializer_class, rows, user) -> list:
    """What the serializer gives for these rows, as JSON (masked as a list is: no `reveal`)."""
    request = RequestFactory().get("/")
    request.user = user
    data = serializer_class(rows, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def person_rows(user, after: int = 0):
    queryset = Person.objects.visible_to(user).select_related("township").prefetch_related("categories")
    return list(queryset.filter(pk__gt=after).order_by("id")[:50])


def payment_rows(user, before: tuple | None = None):
    queryset = Payment.objects.visible_to(user).select_related("person", "programme").order_by("-paid_on", "-id")
    return list(queryset[:50])


def without_lean(monkeypatch, client, url, params=None):
    """The same request answered by the serializers (the path before lean lists)."""
    with monkeypatch.context() as patched:
        patched.setattr(PersonViewSet, "lean_list", False)
        patched.setattr(PaymentViewSet, "lean_list", False)
        return client.get(url, params or {})


def test_person_pages_are_the_serializers_for_clerk_and_station(dataset, monkeypatch):
    for role in ROLES:
        user, client = dataset.users[role], dataset.clients[role]
        first = client.get(PERSONS)
        assert first.status_code == 200
        page = first.json()
        expected = serialized(PersonSerializer, person_rows(user), user)
        assert page["results"] == expected, role
        assert first.content == without_lean(monkeypatch, client, PERSONS).content, role
        visible = set(Person.objects.visible_to(user).values_list("pk", flat=True))
        assert {row["id"] for row in page["results"]} <= visible
        if role == "station":
            assert len(page["results"]) == 12 and page["next"] is None
            assert {row["township"] for row in page["results"]} == {dataset.townships["small"].pk}
            continue
        # The clerk's second page, by the cursor of the first's `next` link.
        assert len(page["results"]) == 50
        second = client.get(page["next"])
        assert second.json()["results"] == serialized(
            PersonSerializer, person_rows(user, after=expected[-1]["id"]), user
        )
        assert second.content == without_lean(monkeypatch, client, page["next"]).content
        assert len(second.json()["results"]) == 7
        # ?page=2, the offset form.
        assert (
            client.get(PERSONS, {"page": 2}).content == without_lean(monkeypatch, client, PERSONS, {"page": 2}).content
        )


def test_person_lists_are_masked_for_every_role(dataset):
    for role in ROLES:
        results = dataset.clients[role].get(PERSONS).json()["results"]
        stored = dict(Person.objects.values_list("pk", "id_number"))
        for row in results:
            number = stored[row["id"]]
            assert row["id_number"] == number[:4] + "*" * 10 + number[-4:], role
            assert row["phone"] == "" or row["phone"][3:7] == "****", role
        with_categories = [row for row in results if row["categories"]]
        assert with_categories and with_categories[0]["categories"][0]["label"], role


def test_payment_pages_are_the_serializers_for_clerk_and_a_townships_user(dataset, monkeypatch):
    assert dataset.clients["station"].get(PAYMENTS).status_code == 403
    for role in LEDGER_ROLES:
        user, client = dataset.users[role], dataset.clients[role]
        response = client.get(PAYMENTS)
        assert response.status_code == 200
        page = response.json()
        assert page["results"] == serialized(PaymentSerializer, payment_rows(user), user), role
        assert response.content == without_lean(monkeypatch, client, PAYMENTS).content, role
        expected_count = 12 if role == "township_ledger" else 40
        assert len(page["results"]) == expected_count
        first = page["results"][0]
        assert isinstance(first["amount"], str) and first["amount"].endswith(".50")
        assert first["created_at"].endswith("+08:00")
        for params in ({"programme": "lean-once"}, {"year": 2021, "township": "L02"}, {"page": 1}):
            filtered = client.get(PAYMENTS, params)
            assert filtered.status_code == 200
            assert filtered.content == without_lean(monkeypatch, client, PAYMENTS, params).content, (role, params)


def test_list_queries_do_not_grow_with_the_rows(dataset):
    client = dataset.clients["clerk"]
    client.get(PERSONS)  # the user's permissions, cached on the user for the requests below
    counts, statements = {}, {}
    for path in (PERSONS, PAYMENTS):
        for code in ("L01", "L02"):
            with CaptureQueriesContext(connection) as queries:
                rows = client.get(path, {"township": code}).json()["results"]
            counts[(path, code)] = (len(rows), len(queries))
            statements[(path, code)] = [query["sql"][:70] for query in queries]
    # The request's savepoint and its release, the township of ?township=, the page's rows, and
    # the page's categories (persons only): the same for 12 rows as for 45.
    assert counts == {
        (PERSONS, "L01"): (12, 5),
        (PERSONS, "L02"): (45, 5),
        (PAYMENTS, "L01"): (12, 4),
        (PAYMENTS, "L02"): (28, 4),
    }, statements


def test_lists_build_no_model_and_call_no_serializer_per_row(dataset, monkeypatch):
    built = dict.fromkeys((Person, Payment, PersonCategory, PaymentProgramme), 0)
    calls = []
    for model in built:
        original = model.__init__

        def counting(self, *args, _original=original, _model=model, **kwargs):
            built[_model] += 1
            _original(self, *args, **kwargs)

        monkeypatch.setattr(model, "__init__", counting)
    to_representation = ScopedModelSerializer.to_representation

    def counted(self, instance):
        calls.append(type(self).__name__)
        return to_representation(self, instance)

    monkeypatch.setattr(ScopedModelSerializer, "to_representation", counted)
    client = dataset.clients["clerk"]
    assert len(client.get(PERSONS).json()["results"]) == 50
    assert len(client.get(PAYMENTS).json()["results"]) == 40
    assert built == {Person: 0, Payment: 0, PersonCategory: 0, PaymentProgramme: 0}
    assert calls == []
    # The counters count: the serializers' path builds every row, and one record's answer still does.
    without_lean(monkeypatch, client, PAYMENTS)
    assert built[Payment] == 40 and calls == ["PaymentSerializer"] * 40
    person = Person.objects.visible_to(dataset.users["clerk"]).order_by("pk").first()
    assert client.get(f"{PERSONS}{person.pk}/").status_code == 200
    assert calls[-1] == "PersonSerializer"


def test_a_serializer_with_a_field_of_its_own_keeps_the_serializers_path(dataset):
    class WithMethod(PaymentSerializer):
        shown_twice = lean.serializers.SerializerMethodField()

        class Meta(PaymentSerializer.Meta):
            fields = [*PaymentSerializer.Meta.fields, "shown_twice"]

        def get_shown_twice(self, payment):
            return payment.amount * 2

    class OwnRepresentation(PaymentSerializer):
        def to_representation(self, instance):
            return super().to_representation(instance)

    request = RequestFactory().get("/")
    request.user = dataset.users["clerk"]
    context = {"request": request}
    queryset = Payment.objects.all()
    assert lean.lean_plan(PaymentSerializer, context, queryset) is not None
    assert lean.lean_plan(WithMethod, context, queryset) is None
    assert lean.lean_plan(OwnRepresentation, context, queryset) is None
    # One record's answer (`reveal`) is never a lean list.
    assert lean.lean_plan(PaymentSerializer, {**context, "reveal": True}, queryset) is None
