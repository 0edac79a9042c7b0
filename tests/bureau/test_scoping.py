import pytest
from django.contrib.auth.models import AnonymousUser

from bureau.models import Payment, Person
from tests.factories import PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_station_user_sees_only_their_own_township(person_a, person_b, station_user_a):
    assert list(Person.objects.visible_to(station_user_a)) == [person_a]


@pytest.mark.parametrize("role", ["bureau_user", "leader", "auditor", "superuser"])
def test_district_roles_see_every_township(request, person_a, person_b, role):
    user = request.getfixturevalue(role)

    assert set(Person.objects.visible_to(user)) == {person_a, person_b}


def test_anonymous_and_roleless_users_see_nothing(person_a):
    assert not Person.objects.visible_to(AnonymousUser()).exists()
    assert not Person.objects.visible_to(UserFactory(username="nobody")).exists()


def test_an_inactive_station_user_sees_nothing(person_a, station_user_a):
    station_user_a.is_active = False
    station_user_a.save()

    assert not Person.objects.visible_to(station_user_a).exists()


def test_payments_are_scoped_by_the_township_of_the_person_paid(person_a, person_b, station_user_a):
    paid_a = PaymentFactory(person=person_a)
    PaymentFactory(person=person_b)

    assert list(Payment.objects.visible_to(station_user_a)) == [paid_a]
