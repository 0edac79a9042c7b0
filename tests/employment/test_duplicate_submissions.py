"""
No duplicate submissions: a station's employment outcome, posted twice (a double tap, a
retry) or three times at once through the station form or the API, is saved once.

The natural key (person, employer, start date) is a unique constraint; the station kit's
hidden `submission_key` and the API's `Idempotency-Key` header make a repeated request
an answer rather than a second write. The parallel tests send real concurrent requests
against a committed database (`transaction=True`), on SQLite as on PostgreSQL.
"""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.models import IdempotencyKey, ReviewStatus
from bureau.rules.services import record_review
from bureau.station.kit import ALREADY_SUBMITTED_MESSAGE, STALE_FORM_MESSAGE, SUBMITTED_MESSAGE
from employment.models import DUPLICATE_OUTCOME_MESSAGE, EmploymentOutcome
from tests.employment.factories import EnterpriseFactory

OUTCOMES = reverse("station:employment:outcome_list")
NEW_OUTCOME = reverse("station:employment:outcome_create")
API_OUTCOMES = "/api/v1/employment/outcomes/"
REPLAYED = "Idempotent-Replayed"


def outcome_data(person, **overrides) -> dict:
    data = {
        "person": person.pk,
        "enterprise": "",
        "employer_name": "甲镇农机合作社",
        "started_on": "2026-03-01",
        "channel": EmploymentOutcome.Channel.REFERRAL,
    }
    data.update(overrides)
    return data


def api_data(person, **overrides) -> dict:
    data = {"person": person.pk, "employer_name": "甲镇农机合作社", "started_on": "2026-03-01", "channel": "referral"}
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def page_key(client) -> str:
    """The submission key of a freshly rendered outcome page."""
    response = client.get(NEW_OUTCOME)
    key = response.context["submission_key"]
    assert f'<input type="hidden" name="submission_key" value="{key}">' in response.content.decode()
    return key


# --- the station form, one request after another -----------------------------------------------


@pytest.mark.django_db
def test_a_double_post_of_the_outcome_page_saves_one_outcome(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    data = {**outcome_data(person_a), "submission_key": page_key(client)}

    first = client.post(NEW_OUTCOME, data)
    second = client.post(NEW_OUTCOME, data)

    assert (first.status_code, first.url) == (302, OUTCOMES)
    assert messages_of(first) == [SUBMITTED_MESSAGE]
    assert (second.status_code, second.url) == (302, OUTCOMES)
    # The first answer's message was never shown (its redirect was not followed): the list shows both.
    assert messages_of(second) == [SUBMITTED_MESSAGE, ALREADY_SUBMITTED_MESSAGE]
    outcome = EmploymentOutcome.objects.get()
    key = IdempotencyKey.objects.get()
    assert (key.user, key.key, key.record, key.status_code) == (station_user_a, data["submission_key"], outcome, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("employer", ["enterprise", "employer_name"])
def test_the_same_outcome_from_two_pages_is_refused_as_a_duplicate(client_for, station_user_a, person_a, employer):
    client = client_for(station_user_a)
    data = outcome_data(person_a)
    if employer == "enterprise":
        data.update(enterprise=EnterpriseFactory().pk, employer_name="")

    first = client.post(NEW_OUTCOME, {**data, "submission_key": page_key(client)})
    second = client.post(NEW_OUTCOME, {**data, "submission_key": page_key(client)})

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].errors == {"__all__": [DUPLICATE_OUTCOME_MESSAGE]}
    assert DUPLICATE_OUTCOME_MESSAGE in second.content.decode()
    assert EmploymentOutcome.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_another_start_date_or_employer_is_another_outcome(client_for, station_user_a, person_a):
    client = client_for(station_user_a)

    client.post(NEW_OUTCOME, outcome_data(person_a))
    client.post(NEW_OUTCOME, outcome_data(person_a, started_on="2026-09-01"))
    client.post(NEW_OUTCOME, outcome_data(person_a, employer_name="甲镇物流公司"))

    assert EmploymentOutcome.objects.count() == 3


@pytest.mark.django_db
def test_a_page_with_errors_keeps_its_key_until_it_is_saved(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    key = page_key(client)

    refused = client.post(NEW_OUTCOME, {**outcome_data(person_a, employer_name=""), "submission_key": key})

    assert refused.status_code == 200
    assert refused.context["submission_key"] == key
    assert f'value="{key}"' in refused.content.decode()
    assert not IdempotencyKey.objects.exists()
    saved = client.post(NEW_OUTCOME, {**outcome_data(person_a), "submission_key": key})
    assert saved.status_code == 302
    assert messages_of(saved) == [SUBMITTED_MESSAGE]
    assert EmploymentOutcome.objects.count() == 1


@pytest.mark.django_db
def test_a_submitted_page_changed_and_posted_again_is_not_taken_for_a_repeat(client_for, station_user_a, person_a):
    # The back button: the old page, with its old key, now holding another outcome.
    client = client_for(station_user_a)
    key = page_key(client)
    client.post(NEW_OUTCOME, {**outcome_data(person_a), "submission_key": key})

    changed = client.post(NEW_OUTCOME, {**outcome_data(person_a, started_on="2026-09-01"), "submission_key": key})

    assert changed.status_code == 200
    assert messages_of(changed) == [SUBMITTED_MESSAGE, STALE_FORM_MESSAGE]
    assert EmploymentOutcome.objects.count() == 1
    new_key = changed.context["submission_key"]
    assert new_key != key
    again = client.post(NEW_OUTCOME, {**outcome_data(person_a, started_on="2026-09-01"), "submission_key": new_key})
    assert again.status_code == 302
    assert EmploymentOutcome.objects.count() == 2


@pytest.mark.django_db
def test_a_key_older_than_a_week_is_forgotten(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    data = {**outcome_data(person_a), "submission_key": page_key(client)}
    client.post(NEW_OUTCOME, data)
    EmploymentOutcome.objects.all().delete()
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))

    response = client.post(NEW_OUTCOME, data)

    assert response.status_code == 302
    assert messages_of(response) == [SUBMITTED_MESSAGE, SUBMITTED_MESSAGE]
    assert EmploymentOutcome.objects.count() == 1
    assert IdempotencyKey.objects.get().created_at > timezone.now() - datetime.timedelta(minutes=1)


# --- the API, one request after another -------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_an_api_retry_with_the_same_key_gets_the_first_answer(station_user_a, bureau_user, person_a):
    client = api(station_user_a)

    first = client.post(API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "a1"})
    record_review(record=EmploymentOutcome.objects.get(), by=bureau_user, approve=True)
    retry = client.post(API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "a1"})

    assert first.status_code == 201
    assert REPLAYED not in first.headers
    assert first.json()["review_status"] == "submitted"
    assert retry.status_code == 201
    assert retry.headers[REPLAYED] == "true"
    # The record as it is now: approved since the first answer.
    assert retry.json() == {**first.json(), "review_status": "approved", "version": 2}
    assert EmploymentOutcome.objects.count() == 1


@pytest.mark.django_db
def test_an_api_key_used_for_another_body_is_a_422(station_user_a, person_a):
    client = api(station_user_a)
    client.post(API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "a1"})

    other = client.post(
        API_OUTCOMES, api_data(person_a, started_on="2026-09-01"), format="json", headers={"Idempotency-Key": "a1"}
    )

    assert other.status_code == 422
    assert other.json() == {"detail": "该 Idempotency-Key 已用于内容不同的另一请求，新的请求请使用新的键。"}
    assert EmploymentOutcome.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_api_request_does_not_use_up_its_key(station_user_a, person_a):
    client = api(station_user_a)

    refused = client.post(
        API_OUTCOMES, api_data(person_a, employer_name=""), format="json", headers={"Idempotency-Key": "a1"}
    )
    saved = client.post(API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "a1"})

    assert refused.status_code == 400
    assert saved.status_code == 201
    assert REPLAYED not in saved.headers
    assert EmploymentOutcome.objects.count() == 1


@pytest.mark.django_db
def test_api_keys_belong_to_their_user(station_user_a, bureau_user, person_a):
    api(station_user_a).post(API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "a1"})

    other_user = api(bureau_user).post(
        API_OUTCOMES, api_data(person_a, started_on="2026-09-01"), format="json", headers={"Idempotency-Key": "a1"}
    )

    assert other_user.status_code == 201
    assert REPLAYED not in other_user.headers
    assert EmploymentOutcome.objects.count() == 2


@pytest.mark.django_db
def test_an_overlong_api_key_is_refused(station_user_a, person_a):
    response = api(station_user_a).post(
        API_OUTCOMES, api_data(person_a), format="json", headers={"Idempotency-Key": "k" * 101}
    )

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["请求头 Idempotency-Key 应为 1 至 100 个字符。"]}
    assert not EmploymentOutcome.objects.exists()


@pytest.mark.django_db
def test_the_same_outcome_twice_without_a_key_is_a_400_in_chinese(station_user_a, person_a):
    client = api(station_user_a)

    first = client.post(API_OUTCOMES, api_data(person_a), format="json")
    second = client.post(API_OUTCOMES, api_data(person_a), format="json")

    assert first.status_code == 201
    assert second.status_code == 400
    assert second.json() == {"non_field_errors": [DUPLICATE_OUTCOME_MESSAGE]}
    assert EmploymentOutcome.objects.count() == 1


@pytest.mark.django_db
def test_the_schema_documents_the_key_on_creates(bureau_user):
    paths = api(bureau_user).get("/api/schema/", {"format": "json"}).json()["paths"]

    headers = [p["name"] for p in paths[API_OUTCOMES]["post"].get("parameters", []) if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]


# --- three requests at once ------------------------------------------------------------------
# Each thread has its own client and database connection; a barrier releases them together.
# Whichever order the database lets them through, one outcome is saved and nobody gets a 500.


def send_at_once(requests: list) -> list:
    """Run the callables in threads started together; their results (a response each), in order."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def station_client(user) -> Client:
    # raise_request_exception=False: a server error would be a 500 response, as a browser sees it.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


parallel = pytest.mark.django_db(transaction=True)


@parallel
def test_three_parallel_posts_of_one_page_save_one_outcome(station_user_a, person_a):
    clients = [station_client(station_user_a) for _ in range(3)]
    data = {**outcome_data(person_a), "submission_key": "one-page-key"}

    responses = send_at_once([lambda client=client: client.post(NEW_OUTCOME, data) for client in clients])

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert [response.url for response in responses] == [OUTCOMES] * 3
    assert sorted(messages_of(response)[0] for response in responses) == sorted(
        [SUBMITTED_MESSAGE, ALREADY_SUBMITTED_MESSAGE, ALREADY_SUBMITTED_MESSAGE]
    )
    assert EmploymentOutcome.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@parallel
def test_three_parallel_posts_of_the_same_outcome_from_three_pages_save_one(station_user_a, person_a):
    clients = [station_client(station_user_a) for _ in range(3)]
    posts = [
        lambda client=client, n=n: client.post(NEW_OUTCOME, {**outcome_data(person_a), "submission_key": f"page-{n}"})
        for n, client in enumerate(clients)
    ]

    responses = send_at_once(posts)

    assert sorted(response.status_code for response in responses) == [200, 200, 302]
    for response in responses:
        if response.status_code == 200:
            assert DUPLICATE_OUTCOME_MESSAGE in response.content.decode()
    assert EmploymentOutcome.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@parallel
def test_three_parallel_api_posts_with_one_key_save_one_outcome(station_user_a, person_a):
    clients = [api_client(station_user_a) for _ in range(3)]
    post = {"path": API_OUTCOMES, "data": api_data(person_a), "format": "json", "headers": {"Idempotency-Key": "k1"}}

    responses = send_at_once([lambda client=client: client.post(**post) for client in clients])

    assert [response.status_code for response in responses] == [201, 201, 201]
    assert sorted(response.headers.get(REPLAYED, "") for response in responses) == ["", "true", "true"]
    outcome = EmploymentOutcome.objects.get()
    assert {response.json()["id"] for response in responses} == {outcome.pk}


@parallel
def test_three_parallel_api_posts_without_a_key_save_one_outcome(station_user_a, person_a):
    clients = [api_client(station_user_a) for _ in range(3)]

    responses = send_at_once(
        [lambda client=client: client.post(API_OUTCOMES, api_data(person_a), format="json") for client in clients]
    )

    assert sorted(response.status_code for response in responses) == [201, 400, 400]
    refused = [response.json() for response in responses if response.status_code == 400]
    assert refused == [{"non_field_errors": [DUPLICATE_OUTCOME_MESSAGE]}] * 2
    assert EmploymentOutcome.objects.count() == 1
    assert EmploymentOutcome.objects.get().review_status == ReviewStatus.SUBMITTED
