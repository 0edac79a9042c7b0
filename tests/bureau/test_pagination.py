"""Keyset pagination of the large API lists (bureau.api.pagination): stable pages, deep pages as cheap as page 1."""

import base64
import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bureau.api.pagination import KeysetPagination
from bureau.models import Payment
from tests.factories import PaymentProgrammeFactory, PersonFactory

PAYMENTS = "/api/v1/payments/"
PERSONS = "/api/v1/persons/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_ledger(people, *, months: int = 12) -> list[Payment]:
    """One payment a person a month, all of a month paid on the same day: many ties on paid_on."""
    programme = PaymentProgrammeFactory(code="pension")
    Payment.objects.bulk_create(
        Payment(
            person=person,
            programme=programme,
            amount=Decimal("100.00"),
            period=f"2021-{month:02d}",
            paid_on=datetime.date(2021, month, 15),
        )
        for month in range(1, months + 1)
        for person in people
    )
    return list(Payment.objects.order_by("-paid_on", "-id"))


def walk(client, url, params=None, *, link="next") -> list[dict]:
    pages = []
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        pages.append(response.json())
        if not pages[-1][link]:
            return pages
        response = client.get(pages[-1][link])


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 7)


def test_payment_pages_follow_the_ledger_order_with_every_row_once(bureau_user, township_a, small_pages):
    expected = make_ledger(PersonFactory.create_batch(5, township=township_a))

    pages = walk(api(bureau_user), PAYMENTS)

    ids = [row["id"] for page in pages for row in page["results"]]
    assert ids == [payment.pk for payment in expected]
    assert len(pages) == 9  # 60 payments, 7 a page
    assert "count" not in pages[0]
    assert pages[0]["previous"] is None


def test_previous_links_walk_back_over_the_same_pages(bureau_user, township_a, small_pages):
    make_ledger(PersonFactory.create_batch(5, township=township_a))
    client = api(bureau_user)
    forward = walk(client, PAYMENTS)

    backward = []
    response = client.get(forward[-1]["previous"])
    while True:
        backward.append(response.json())
        if not backward[-1]["previous"]:
            break
        response = client.get(backward[-1]["previous"])

    assert [page["results"] for page in reversed(backward)] == [page["results"] for page in forward[:-1]]


def test_a_payment_saved_meanwhile_does_not_shift_the_next_page(bureau_user, township_a, small_pages):
    people = PersonFactory.create_batch(5, township=township_a)
    expected = make_ledger(people)
    client = api(bureau_user)
    first = client.get(PAYMENTS).json()

    # Newest of all, so it belongs on page 1, which the client has already read.
    Payment.objects.create(
        person=people[0],
        programme=expected[0].programme,
        amount=Decimal("1.00"),
        period="2022-01",
        paid_on=datetime.date(2022, 1, 15),
    )
    second = client.get(first["next"]).json()

    assert [row["id"] for row in second["results"]] == [payment.pk for payment in expected[7:14]]


def test_page_one_and_a_page_near_the_end_issue_the_same_queries(bureau_user, township_a, small_pages):
    make_ledger(PersonFactory.create_batch(20, township=township_a))  # 240 payments, 35 pages
    client = api(bureau_user)
    client.get(PAYMENTS)  # warms per-process caches out of the count
    pages = walk(client, PAYMENTS)
    near_the_end = pages[-2]["next"]

    with CaptureQueriesContext(connection) as first:
        assert len(client.get(PAYMENTS).json()["results"]) == 7
    with CaptureQueriesContext(connection) as deep:
        assert len(client.get(near_the_end).json()["results"]) == 2  # the last page: 240 = 34 * 7 + 2

    assert len(first.captured_queries) == len(deep.captured_queries)
    reads = [
        query["sql"].upper() for query in first.captured_queries + deep.captured_queries if "SELECT" in query["sql"]
    ]
    assert len(reads) == 2  # one a page: the rows, with their person and programme
    for sql in reads:
        assert "COUNT(" not in sql
        assert "OFFSET" not in sql


def test_page_numbers_still_work_for_the_first_pages(bureau_user, township_a, small_pages):
    expected = make_ledger(PersonFactory.create_batch(5, township=township_a))
    client = api(bureau_user)

    second = client.get(PAYMENTS, {"page": 2}).json()

    assert [row["id"] for row in second["results"]] == [payment.pk for payment in expected[7:14]]
    assert second["previous"] == "http://testserver/api/v1/payments/"
    third = client.get(second["next"]).json()
    assert [row["id"] for row in third["results"]] == [payment.pk for payment in expected[14:21]]


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": values}).encode()).decode()


def test_deep_page_numbers_and_bad_cursors_are_refused_in_chinese(bureau_user, township_a):
    bad_values = [["x", "y"], [1], [1, 2], ["2021-02-30", 1], ["2021-01-15", 2**70], ["2021-01-15", True], "x", None]
    make_ledger(PersonFactory.create_batch(2, township=township_a))
    client = api(bureau_user)

    too_deep = client.get(PAYMENTS, {"page": KeysetPagination.max_page + 1})
    assert too_deep.status_code == 404
    assert "cursor" in too_deep.json()["detail"]
    assert client.get(PAYMENTS, {"page": 2}).status_code == 404  # 24 rows fit on page 1
    cursors = ["abc", "%%%", *(cursor_of(values) for values in bad_values)]
    for cursor in cursors:
        response = client.get(PAYMENTS, {"cursor": cursor})
        assert response.status_code == 404
        assert "翻页参数" in response.json()["detail"]


def test_filters_carry_over_to_the_next_page(bureau_user, township_a, small_pages):
    expected = make_ledger(PersonFactory.create_batch(5, township=township_a))
    march = [payment.pk for payment in expected if payment.period == "2021-03"]

    pages = walk(api(bureau_user), PAYMENTS, {"year": 2021})
    ids = [row["id"] for page in pages for row in page["results"]]

    assert len(ids) == 60
    assert all("year=2021" in page["next"] for page in pages[:-1])
    assert [pk for pk in ids if pk in march] == march


def test_persons_are_paged_in_order_of_registration_within_the_users_township(
    station_user_a, township_a, township_b, small_pages
):
    own = PersonFactory.create_batch(10, township=township_a)
    PersonFactory.create_batch(10, township=township_b)

    pages = walk(api(station_user_a), PERSONS)

    assert [row["id"] for page in pages for row in page["results"]] == [person.pk for person in own]


def test_the_schema_describes_the_cursor_and_no_count(bureau_user):
    schema = api(bureau_user).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"][PAYMENTS]["get"]
    assert {"cursor", "page"} <= {parameter["name"] for parameter in operation["parameters"]}
    page_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][page_schema]["properties"]) == {"next", "previous", "results"}
