"""
A nominee's result and rank are the bureau's (`Nominee.bureau_decided_fields`): a station cannot set
them through the API, a proposed change or a submission the bureau approves in bulk. The station's
nomination picker offers whom the selection's title fits, and an approved nomination can be edited.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.models import FamilyLink, PendingChange, Person, ReviewStatus
from bureau.rules.services import change_propose, change_review
from commemoration.models import Nominee
from tests.commemoration.factories import HonourSelectionFactory, NomineeFactory
from tests.factories import FamilyLinkFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOMINEES_API = "/api/v1/commemoration/nominees/"
NEW_NOMINEE = reverse("station:commemoration:nominee_create")
RESULT_REFUSED = "“评审结果”由区局决定，服务站不能填写或修改。"
RANK_REFUSED = "“公布顺序”由区局决定，服务站不能填写或修改。"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def this_years_selection(title="最美退役军人"):
    return HonourSelectionFactory(title=title, edition=9, year=timezone.localdate().year)


def test_a_station_sending_a_result_and_a_rank_is_a_400_naming_both(station_user_a, person_a):
    selection = this_years_selection()
    response = api(station_user_a).post(
        NOMINEES_API,
        {"selection": selection.pk, "person": person_a.pk, "deeds": "事迹", "result": "winner", "rank": 9},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"result": [RESULT_REFUSED], "rank": [RANK_REFUSED]}
    assert not Nominee.objects.exists()
    # Without them it is a nomination, pending the bureau's review.
    created = api(station_user_a).post(
        NOMINEES_API, {"selection": selection.pk, "person": person_a.pk, "deeds": "事迹"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["result"] == "pending"


def test_the_bureau_sets_the_result(bureau_user, person_a):
    nominee = NomineeFactory(person=person_a, result=Nominee.Result.PENDING)
    response = api(bureau_user).patch(f"{NOMINEES_API}{nominee.pk}/", {"result": "winner", "rank": 1}, format="json")
    assert response.status_code == 200
    nominee.refresh_from_db()
    assert (nominee.result, nominee.rank) == ("winner", 1)


def test_a_stations_change_of_an_approved_nominees_result_is_refused_not_proposed(station_user_a, person_a):
    nominee = NomineeFactory(person=person_a, result=Nominee.Result.PENDING)
    response = api(station_user_a).patch(f"{NOMINEES_API}{nominee.pk}/", {"result": "winner"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"result": [RESULT_REFUSED]}
    assert not PendingChange.objects.exists()
    # Nor through the service itself.
    nominee.result = Nominee.Result.WINNER
    current = Nominee.objects.get(pk=nominee.pk)
    with pytest.raises(ValidationError) as refused:
        change_propose(record=nominee, current=current, by=station_user_a)
    assert refused.value.message_dict == {"result": [RESULT_REFUSED]}


def test_a_proposed_change_holding_a_result_is_never_approved(bureau_user, station_user_a, person_a):
    # Proposed before the rule held.
    nominee = NomineeFactory(person=person_a, result=Nominee.Result.PENDING)
    change = PendingChange.objects.create(
        content_type=ContentType.objects.get_for_model(Nominee),
        object_id=nominee.pk,
        township=person_a.township,
        changes={"result": {"old": "pending", "new": "winner"}},
        base_version=nominee.version,
        proposed_by=station_user_a,
        proposed_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as refused:
        change_review(change=change, by=bureau_user, approve=True)
    assert RESULT_REFUSED in refused.value.messages[0]
    nominee.refresh_from_db()
    assert nominee.result == Nominee.Result.PENDING


def test_bulk_approval_does_not_make_a_winner_of_a_stations_value(client_for, bureau_user, station_user_a, person_a):
    # Submitted with a result before the rule held.
    nominee = NomineeFactory(
        person=person_a, result=Nominee.Result.WINNER, rank=9, review_status=ReviewStatus.SUBMITTED
    )
    Nominee.objects.filter(pk=nominee.pk).update(submitted_by=station_user_a)
    response = client_for(bureau_user).post(
        reverse("admin:commemoration_nominee_changelist"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [nominee.pk]},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert any("评审结果、公布顺序是服务站填写的" in text for text in texts), texts
    nominee.refresh_from_db()
    assert nominee.review_status == ReviewStatus.SUBMITTED


def test_the_station_form_offers_no_result(client_for, station_user_a):
    form = client_for(station_user_a).get(NEW_NOMINEE).context["form"]
    assert "result" not in form.fields and "rank" not in form.fields


# --- the picker ---------------------------------------------------------------------------------------


def test_the_picker_offers_a_military_spouse_for_the_spouses_selection(client_for, station_user_a, township_a):
    this_years_selection("最美退役军人")
    spouses = this_years_selection("最美军嫂")
    veteran = PersonFactory(name="周老兵", township=township_a)
    wife = PersonFactory(name="吴军嫂", township=township_a, status=Person.Status.FAMILY, discharged_on=None)
    FamilyLinkFactory(person=wife, relative=veteran, relation=FamilyLink.Relation.SPOUSE)
    PersonFactory(name="郑路人", township=township_a, status=Person.Status.FAMILY, discharged_on=None)
    client = client_for(station_user_a)

    offered = {person.name for person in client.get(NEW_NOMINEE).context["form"].fields["person"].queryset}
    assert offered == {"周老兵", "吴军嫂"}

    key = client.get(NEW_NOMINEE).context["submission_key"]
    response = client.post(
        NEW_NOMINEE, {"selection": spouses.pk, "person": wife.pk, "deeds": "支持丈夫服役。", "submission_key": key}
    )
    assert response.status_code == 302
    assert Nominee.objects.get().person == wife
    key = client.get(NEW_NOMINEE).context["submission_key"]
    misfit = client.post(
        NEW_NOMINEE, {"selection": spouses.pk, "person": veteran.pk, "deeds": "事迹", "submission_key": key}
    )
    assert misfit.context["form"].errors == {"person": ["“最美军嫂”评选只能推荐现役军人、退役军人的配偶。"]}


def test_an_approved_nomination_of_a_closed_selection_is_edited_at_the_station(client_for, station_user_a, township_a):
    closed = HonourSelectionFactory(title="最美军嫂", edition=1, year=2021)
    wife = PersonFactory(name="冯军嫂", township=township_a, status=Person.Status.FAMILY, discharged_on=None)
    nominee = NomineeFactory(selection=closed, person=wife, result=Nominee.Result.WINNER, rank=2)
    client = client_for(station_user_a)
    url = reverse("station:commemoration:nominee_edit", args=[nominee.pk])
    page = client.get(url)
    form = page.context["form"]
    assert closed in form.fields["selection"].queryset and wife in form.fields["person"].queryset

    response = client.post(
        url,
        {
            "selection": closed.pk,
            "person": wife.pk,
            "deeds": "补充：多年照顾公婆。",
            "version": nominee.version,
            "submission_key": page.context["submission_key"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    change = PendingChange.objects.get()
    assert change.changes == {"deeds": {"old": nominee.deeds, "new": "补充：多年照顾公婆。"}}
    nominee.refresh_from_db()
    assert (nominee.result, nominee.rank, nominee.review_status) == ("winner", 2, ReviewStatus.APPROVED)


def test_a_selection_of_the_past_is_not_offered_for_a_new_nomination(client_for, station_user_a):
    HonourSelectionFactory(title="最美军嫂", edition=1, year=2021)
    form = client_for(station_user_a).get(NEW_NOMINEE).context["form"]
    assert not form.fields["selection"].queryset.filter(year=2021).exists()
