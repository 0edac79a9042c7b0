"""
One flower per visitor (the session) per martyr per day on the public memorial: a second press the
same day does not count and says so, another visitor's counts, and the next day's counts again.
"""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commemoration.models import DailyFlower, Tribute
from tests.commemoration.factories import FallenFactory, MartyrFactory

ALREADY = "您今天已献过花，明天可再来。"


@pytest.fixture
def martyr(db):
    cache.clear()
    yield MartyrFactory(person=FallenFactory(name="李英雄"))
    cache.clear()


def flowers(martyr):
    return Tribute.objects.filter(martyr=martyr, kind=Tribute.Kind.FLOWER).count()


def test_a_second_flower_the_same_day_does_not_count(martyr):
    url = reverse("commemoration:memorial_flower", args=[martyr.pk])
    visitor = Client()

    first = visitor.post(url, headers={"accept": "application/json"}).json()
    second = visitor.post(url, headers={"accept": "application/json"}).json()
    page = visitor.post(url, follow=True).content.decode()

    assert (first["flowers"], first["counted"]) == (1, True)
    assert second == {"flowers": 1, "counted": False, "detail": ALREADY}
    assert ALREADY in page
    assert flowers(martyr) == 1
    assert DailyFlower.objects.count() == 1


def test_another_visitor_and_the_next_day_count(martyr):
    url = reverse("commemoration:memorial_flower", args=[martyr.pk])
    visitor = Client()
    visitor.post(url)

    assert Client().post(url, headers={"accept": "application/json"}).json()["flowers"] == 2
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with mock.patch("commemoration.public_views.timezone.localdate", return_value=tomorrow):
        answer = visitor.post(url, headers={"accept": "application/json"}).json()
    assert (answer["flowers"], answer["counted"]) == (3, True)
    assert flowers(martyr) == 3
