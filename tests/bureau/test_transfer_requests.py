"""
No oracle at registration (issue 23, item 6): a station registering an ID number the district
already holds (another township's, or its own) gets the answer of any registration, and the
bureau sees a transfer request (迁入申请) naming both townships, which it approves (the person
moves, in their history) or rejects. Nothing tells the station where the person is.
"""

import pytest
from django.urls import reverse

from bureau.models import AuditEvent, Person, TransferRequest
from bureau.station.kit import SUBMITTED_MESSAGE
from tests.bureau.test_api import PERSONS, api, new_person
from tests.bureau.test_station import CREATE, person_data

pytestmark = pytest.mark.django_db


def register(client, **fields):
    response = client.post(CREATE, person_data(**fields), follow=True)
    return response, [str(message) for message in response.context["messages"]]


def test_a_station_registering_another_townships_number_is_answered_like_a_new_registration(
    client_for, station_user_a, person_b
):
    client = client_for(station_user_a)

    new, new_messages = register(client)
    known, known_messages = register(client, id_number=person_b.id_number, name="李乙乙")

    assert (new.status_code, new.redirect_chain) == (known.status_code, known.redirect_chain)
    assert new_messages == known_messages == [SUBMITTED_MESSAGE]
    content = known.content.decode()
    assert "已登记" not in content
    assert person_b.township.name not in content
    assert "李乙" not in content.replace("李乙乙", "")
    # The person stays where they are; the bureau has a request naming both townships.
    person_b.refresh_from_db()
    assert person_b.township != station_user_a.township
    transfer = TransferRequest.objects.get()
    assert (transfer.person, transfer.from_township, transfer.to_township, transfer.state) == (
        person_b,
        person_b.township,
        station_user_a.township,
        TransferRequest.State.PENDING,
    )
    assert (transfer.submitted_name, transfer.requested_by) == ("李乙乙", station_user_a)


def test_its_own_townships_number_is_answered_alike_too(client_for, station_user_a, person_a):
    _, messages = register(client_for(station_user_a), id_number=person_a.id_number)

    assert messages == [SUBMITTED_MESSAGE]
    assert Person.objects.count() == 1
    assert TransferRequest.objects.get().within_township


def test_a_known_number_with_a_bad_field_gets_the_errors_of_a_new_registration(client_for, station_user_a, person_b):
    client = client_for(station_user_a)

    new = client.post(CREATE, person_data(discharged_on="2001-01-01"))
    known = client.post(CREATE, person_data(id_number=person_b.id_number, discharged_on="2001-01-01"))

    assert new.status_code == known.status_code == 200
    assert (
        new.context["form"].errors == known.context["form"].errors == {"discharged_on": ["退役日期不能早于入伍日期。"]}
    )
    assert not TransferRequest.objects.exists()


def test_the_api_answers_a_station_alike_for_a_new_and_a_known_number(station_user_a, township_a, person_b):
    client = api(station_user_a)

    new = client.post(PERSONS, new_person(township_a), format="json")
    known = client.post(PERSONS, new_person(township_a, id_number=person_b.id_number), format="json")

    assert (new.status_code, new.json()) == (known.status_code, known.json()) == (201, {"detail": SUBMITTED_MESSAGE})
    assert TransferRequest.objects.get().to_township == township_a
    assert Person.objects.filter(township=township_a).count() == 1


def test_an_idempotent_replay_of_a_station_registration_answers_alike(station_user_a, township_a, person_b):
    client = api(station_user_a)
    data = new_person(township_a, id_number=person_b.id_number)

    first = client.post(PERSONS, data, format="json", headers={"Idempotency-Key": "k1"})
    again = client.post(PERSONS, data, format="json", headers={"Idempotency-Key": "k1"})

    assert first.json() == again.json() == {"detail": SUBMITTED_MESSAGE}
    assert again["Idempotent-Replayed"] == "true"
    assert TransferRequest.objects.count() == 1


def test_bureau_staff_still_get_the_registrys_error(bureau_user, township_a, person_b):
    response = api(bureau_user).post(PERSONS, new_person(township_a, id_number=person_b.id_number), format="json")

    assert (response.status_code, response.json()) == (400, {"id_number": ["该身份证号已登记。"]})
    assert not TransferRequest.objects.exists()


@pytest.fixture
def transfer(client_for, station_user_a, person_b):
    register(client_for(station_user_a), id_number=person_b.id_number)
    return TransferRequest.objects.get()


def test_the_bureau_sees_the_request_in_its_review_panel(client_for, bureau_user, transfer):
    page = client_for(bureau_user).get(reverse("admin:index"))

    rows = [row for row in page.context["inbox_rows"] if row.kind == "transfer_request"]
    assert [(row.heading, row.township_name, row.count) for row in rows] == [("迁入申请", transfer.to_township.name, 1)]
    listed = client_for(bureau_user).get(rows[0].url)
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [transfer]


def test_approving_moves_the_person_and_records_it_in_their_history(client_for, bureau_user, transfer, person_b):
    client = client_for(bureau_user)
    url = reverse("admin:bureau_transferrequest_approve", args=[transfer.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "确认同意迁入" in page.content.decode()
    assert client.post(url).status_code == 302

    person_b.refresh_from_db()
    transfer.refresh_from_db()
    assert person_b.township == transfer.to_township
    assert (transfer.state, transfer.decided_by) == (TransferRequest.State.APPROVED, bureau_user)
    latest = person_b.history.first()
    assert latest.history_user == bureau_user
    assert latest.history_change_reason.startswith(f"迁入：由{transfer.from_township}迁至{transfer.to_township}")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APPROVE, object_id=str(transfer.pk)).exists()
    # Decided once.
    assert "该迁入申请已审核，不能重复审核。" in client.get(url).content.decode()


def test_rejecting_needs_a_reason_and_keeps_the_person(client_for, bureau_user, transfer, person_b):
    client = client_for(bureau_user)
    url = reverse("admin:bureau_transferrequest_reject", args=[transfer.pk])
    township = person_b.township

    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "经核实，该人员未迁居。"}).status_code == 302

    person_b.refresh_from_db()
    transfer.refresh_from_db()
    assert person_b.township == township
    assert (transfer.state, transfer.reason) == (TransferRequest.State.REJECTED, "经核实，该人员未迁居。")


def test_only_reviewers_decide(client_for, leader, station_user_a, transfer):
    url = reverse("admin:bureau_transferrequest_approve", args=[transfer.pk])
    assert client_for(leader).post(url).status_code == 403
    assert client_for(station_user_a).get(reverse("admin:bureau_transferrequest_changelist")).status_code == 302
    assert TransferRequest.objects.get().state == TransferRequest.State.PENDING
