"""
Rows read from the database become instances without a setattr per field (bureau.base.rowbuild): the
instance is the one Django's `from_db` makes (values, their order, the state, related rows, deferred
fields), and Django's own `from_db` still runs for a class whose construction does more.
"""

from unittest import mock

import pytest
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from bureau.base import rowbuild
from bureau.models import Payment, Person, Township
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def djangos(queryset):
    """The queryset's rows as Django's own `from_db` builds them."""
    with mock.patch.object(Model, "from_db", rowbuild.DJANGOS_FROM_DB):
        return list(queryset.all())


def state(instance) -> dict:
    values = dict(instance.__dict__)
    held = values.pop("_state")
    return {"values": list(values.items()), "adding": held.adding, "db": held.db, "cached": held.fields_cache}


def test_the_kit_builds_rows_and_django_sees_them_so():
    assert Model.__dict__["from_db"].__func__ is rowbuild.from_db
    assert Person.from_db.__func__ is not rowbuild.from_db  # the person's own from_db, calling super()


def test_a_row_is_the_instance_djangos_from_db_makes(person_a, person_b):
    PaymentFactory(person=person_a)
    PaymentFactory(person=person_b, batch=None)
    for queryset in (
        Township.objects.order_by("pk"),
        Person.objects.order_by("pk"),
        Person.objects.only("name", "township").order_by("pk"),
        Person.objects.defer("phone", "died_on").order_by("pk"),
    ):
        ours, theirs = list(queryset.all()), djangos(queryset)
        assert [state(row) for row in ours] == [state(row) for row in theirs]
        assert [row._stored_values for row in ours if isinstance(row, Person)] == [
            row._stored_values for row in theirs if isinstance(row, Person)
        ]
    # A deferred field is loaded on first use, as Django's.
    deferred = Person.objects.defer("phone").get(pk=person_a.pk)
    with CaptureQueriesContext(connection) as queries:
        assert deferred.phone == person_a.phone
    assert len(queries) == 1
    # Rows with their related rows joined in.
    joined = Payment.objects.select_related("person__township", "programme", "batch").order_by("pk")
    ours, theirs = list(joined.all()), djangos(joined)
    for mine, django in zip(ours, theirs, strict=True):
        assert state(mine)["values"] == state(django)["values"]
        for relation in ("person", "programme", "batch"):
            related, expected = getattr(mine, relation), getattr(django, relation)
            assert (related and state(related)) == (expected and state(expected))
        assert state(mine.person.township) == state(django.person.township)
    assert ours[1].batch is None
    # Saved and compared as Django's: a stale version is still refused, an unchanged save still works.
    row = Person.objects.get(pk=person_a.pk)
    row.phone = "13900000000"
    row.save()
    assert Person.objects.get(pk=person_a.pk).phone == "13900000000"


def test_a_class_with_an_init_listener_or_its_own_init_or_a_field_descriptor_gets_djangos_from_db(township_a):
    made = []

    def listener(sender, instance, **kwargs):
        made.append(instance.pk)

    post_init.connect(listener, sender=Township)
    try:
        assert [row.pk for row in Township.objects.filter(pk=township_a.pk)] == made == [township_a.pk]
    finally:
        post_init.disconnect(listener, sender=Township)

    own_init_calls = []

    def own_init(self, *args, **kwargs):
        own_init_calls.append(args)
        Model.__init__(self, *args, **kwargs)

    class Setter:
        def __get__(self, instance, owner=None):
            return self if instance is None else instance.__dict__["name"]

        def __set__(self, instance, value):
            instance.__dict__["name"] = f"set:{value}"

    rowbuild._attnames.pop(Township, None)
    try:
        with mock.patch.object(Township, "__init__", own_init, create=True):
            assert Township.objects.get(pk=township_a.pk).name == township_a.name
        assert len(own_init_calls) == 1
        rowbuild._attnames.pop(Township, None)
        with mock.patch.object(Township, "name", Setter(), create=True):
            assert Township.objects.get(pk=township_a.pk).name == f"set:{township_a.name}"
    finally:
        rowbuild._attnames.pop(Township, None)
    assert Township.objects.get(pk=township_a.pk).name == township_a.name
