"""The core's care API (visits, check-up rounds, check-ups) and bank accounts: scoping, area filters, masking, errors."""

import datetime

import pytest
from rest_framework.test import APIClient

from bureau.api.serializers import ACCOUNT_FIXED_MESSAGE
from bureau.models import BankAccount, CheckUp, CheckUpBatch, ReviewStatus, Visit
from tests.factories import (
    BankAccountFactory,
    CheckUpBatchFactory,
    CheckUpFactory,
    PaymentProgrammeFactory,
    PersonFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

VISITS = "/api/v1/visits/"
BATCHES = "/api/v1/checkup-batches/"
CHECKUPS = "/api/v1/checkups/"
ACCOUNTS = "/api/v1/bank-accounts/"
PERSON_NOT_VISIBLE = "人员不存在，或不在您可查看的乡镇（街道）范围内。"
HIDDEN = "（已隐藏）"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def visit_data(person, **overrides) -> dict:
    data = {
        "area": "pensions",
        "occasion": "spring_festival",
        "person": person.pk,
        "visited_on": "2021-02-01",
        "visitor": "甲镇服务站",
    }
    return {**data, **overrides}


# --- visits -------------------------------------------------------------------------------------


def test_station_records_a_visit_of_its_own_person_submitted_in_the_persons_township(
    station_user_a, township_a, person_a
):
    response = api(station_user_a).post(VISITS, visit_data(person_a, township=999), format="json")

    assert response.status_code == 201, response.content
    visit = Visit.objects.get()
    assert (visit.area, visit.person, visit.township) == ("pensions", person_a, township_a)
    assert visit.review_status == ReviewStatus.SUBMITTED
    assert visit.submitted_by == station_user_a
    body = response.json()
    assert (body["person_name"], body["township"], body["review_status"]) == ("张甲", township_a.pk, "submitted")
    assert body["payment"] is None
    assert body["version"] == 1


def test_station_cannot_record_a_visit_of_another_townships_person(station_user_a, person_b):
    response = api(station_user_a).post(VISITS, visit_data(person_b), format="json")

    assert response.status_code == 400
    assert response.json() == {"person": [PERSON_NOT_VISIBLE]}
    assert not Visit.objects.exists()


def test_station_b_gets_a_404_for_township_as_visit(station_user_a, station_user_b, person_a):
    visit = VisitFactory(person=person_a)

    assert api(station_user_b).get(f"{VISITS}{visit.pk}/").status_code == 404
    assert api(station_user_b).patch(f"{VISITS}{visit.pk}/", {"visitor": "乙"}, format="json").status_code == 404
    assert ids(api(station_user_b).get(VISITS)) == []
    assert ids(api(station_user_a).get(VISITS)) == [visit.pk]


def test_each_area_filters_its_own_visits(bureau_user, person_a):
    pensions = VisitFactory(person=person_a, area="pensions")
    employment = VisitFactory(person=person_a, area="employment", occasion="routine")
    client = api(bureau_user)

    assert ids(client.get(VISITS, {"area": "pensions"})) == [pensions.pk]
    assert ids(client.get(VISITS, {"area": "employment"})) == [employment.pk]
    assert client.get(VISITS, {"area": "nowhere"}).status_code == 400


def test_money_without_a_programme_is_refused_in_chinese(station_user_a, person_a):
    response = api(station_user_a).post(VISITS, visit_data(person_a, amount="500.00"), format="json")

    assert response.status_code == 400
    assert response.json() == {"programme": ["发放慰问金时须选择资金项目。"]}
    assert not Visit.objects.exists()


def test_the_programme_is_named_by_its_code(station_user_a, person_a):
    PaymentProgrammeFactory(code="spring-festival", name="春节慰问金", area="pensions")
    client = api(station_user_a)

    unknown = client.post(VISITS, visit_data(person_a, amount="500.00", programme="no-such"), format="json")
    known = client.post(VISITS, visit_data(person_a, amount="500.00", programme="spring-festival"), format="json")

    assert unknown.status_code == 400
    assert unknown.json() == {"programme": ["资金项目不存在或已停用。"]}
    assert known.status_code == 201, known.content
    assert (known.json()["programme"], known.json()["programme_name"]) == ("spring-festival", "春节慰问金")


def test_the_same_visit_twice_is_refused_with_the_models_message(bureau_user, person_a):
    VisitFactory(person=person_a, occasion="spring_festival", visited_on=datetime.date(2021, 2, 1))

    response = api(bureau_user).post(VISITS, visit_data(person_a), format="json")

    assert response.status_code == 400
    assert "该人员在同一天已有同一事由的走访记录。" in str(response.json())


def test_leader_reads_visits_but_never_writes(leader, person_a):
    visit = VisitFactory(person=person_a)

    assert ids(api(leader).get(VISITS)) == [visit.pk]
    assert api(leader).post(VISITS, visit_data(person_a), format="json").status_code == 403


# --- check-up rounds ----------------------------------------------------------------------------


def test_stations_read_district_wide_rounds_and_their_own_but_not_anothers(station_user_a, township_a, township_b):
    district = CheckUpBatchFactory(township=None)
    own = CheckUpBatchFactory(township=township_a)
    other = CheckUpBatchFactory(township=township_b)
    client = api(station_user_a)

    assert sorted(ids(client.get(BATCHES))) == sorted([district.pk, own.pk])
    assert client.get(f"{BATCHES}{district.pk}/").status_code == 200
    assert client.get(f"{BATCHES}{other.pk}/").status_code == 404


def test_stations_do_not_create_rounds(station_user_a):
    data = {"title": "体检", "start_date": "2021-05-10", "institution": "区医院", "population": "key_beneficiaries"}

    assert api(station_user_a).post(BATCHES, data, format="json").status_code == 403
    assert not CheckUpBatch.objects.exists()


def test_rounds_and_checkups_are_filtered_by_population(bureau_user, person_a):
    key = CheckUpBatchFactory(population="key_beneficiaries")
    children = CheckUpBatchFactory(population="martyr_children")
    key_checkup = CheckUpFactory(batch=key, person=person_a)
    children_checkup = CheckUpFactory(batch=children, person=person_a)
    client = api(bureau_user)

    assert ids(client.get(BATCHES, {"population": "key_beneficiaries"})) == [key.pk]
    assert ids(client.get(CHECKUPS, {"population": "martyr_children"})) == [children_checkup.pk]
    assert ids(client.get(CHECKUPS, {"population": "key_beneficiaries"})) == [key_checkup.pk]


# --- check-ups ----------------------------------------------------------------------------------


def test_station_records_a_checkup_in_a_district_round(station_user_a, township_a, person_a):
    batch = CheckUpBatchFactory(township=None)
    data = {"batch": batch.pk, "person": person_a.pk, "mode": "home_visit", "checked_on": "2021-05-12"}

    response = api(station_user_a).post(CHECKUPS, {**data, "result_summary": "血压正常。"}, format="json")

    assert response.status_code == 201, response.content
    checkup = CheckUp.objects.get()
    assert (checkup.township, checkup.review_status, checkup.mode) == (township_a, "submitted", "home_visit")
    assert response.json()["population"] == "key_beneficiaries"


def test_a_second_checkup_in_the_same_round_is_refused(station_user_a, person_a):
    batch = CheckUpBatchFactory()
    CheckUpFactory(batch=batch, person=person_a)
    data = {"batch": batch.pk, "person": person_a.pk, "checked_on": "2021-05-12"}

    response = api(station_user_a).post(CHECKUPS, data, format="json")

    assert response.status_code == 400
    assert "该人员在本批次已有体检记录。" in str(response.json())
    assert CheckUp.objects.count() == 1


def test_result_summary_is_masked_in_lists_and_shown_whole_on_the_record_to_stations(station_user_a, person_a):
    checkup = CheckUpFactory(person=person_a, result_summary="血压偏高，建议复查。")
    client = api(station_user_a)

    listed = client.get(CHECKUPS).json()["results"]
    one = client.get(f"{CHECKUPS}{checkup.pk}/").json()

    assert [row["result_summary"] for row in listed] == [HIDDEN]
    assert one["result_summary"] == "血压偏高，建议复查。"


def test_leadership_never_sees_a_health_result(leader, person_a):
    checkup = CheckUpFactory(person=person_a, result_summary="血压偏高，建议复查。")

    response = api(leader).get(f"{CHECKUPS}{checkup.pk}/")

    assert response.status_code == 200
    assert response.json()["result_summary"] == HIDDEN
    assert "血压" not in response.content.decode()


def test_station_b_gets_a_404_for_township_as_checkup(station_user_b, person_a):
    checkup = CheckUpFactory(person=person_a)

    assert api(station_user_b).get(f"{CHECKUPS}{checkup.pk}/").status_code == 404
    assert api(station_user_b).delete(f"{CHECKUPS}{checkup.pk}/").status_code == 403


# --- bank accounts ------------------------------------------------------------------------------


def test_account_numbers_are_masked_in_the_list_and_whole_on_the_account_for_the_clerk(bureau_user, person_a):
    account = BankAccountFactory(person=person_a, account_number="6228480012345678901")
    client = api(bureau_user)

    listed = client.get(ACCOUNTS).json()["results"]
    one = client.get(f"{ACCOUNTS}{account.pk}/").json()

    assert [row["account_number"] for row in listed] == ["***************8901"]
    assert one["account_number"] == "6228480012345678901"


def test_leadership_sees_the_account_number_masked_and_stations_see_no_accounts(leader, station_user_a, person_a):
    account = BankAccountFactory(person=person_a, account_number="6228480012345678901")

    assert api(leader).get(f"{ACCOUNTS}{account.pk}/").json()["account_number"] == "***************8901"
    assert api(station_user_a).get(ACCOUNTS).status_code == 403


def test_an_accounts_number_never_changes_a_new_one_is_a_new_account(bureau_user, person_a):
    account = BankAccountFactory(person=person_a, account_number="6228480012345678901")
    client = api(bureau_user)

    changed = client.patch(f"{ACCOUNTS}{account.pk}/", {"account_number": "6228480099999999999"}, format="json")
    second = client.post(
        ACCOUNTS,
        {"person": person_a.pk, "bank": "中国银行", "account_number": "6216600000000000001", "account_name": "张甲"},
        format="json",
    )
    retired = client.patch(f"{ACCOUNTS}{account.pk}/", {"active": False}, format="json")

    assert changed.status_code == 400
    assert changed.json() == {"account_number": [ACCOUNT_FIXED_MESSAGE]}
    assert second.status_code == 400
    assert "该人员已有在用的银行账户；请先将原账户设为不在用。" in str(second.json())
    assert retired.status_code == 200
    account.refresh_from_db()
    assert (account.account_number, account.active) == ("6228480012345678901", False)


def test_a_bad_account_number_is_refused_in_chinese(bureau_user):
    person = PersonFactory()

    response = api(bureau_user).post(
        ACCOUNTS, {"person": person.pk, "bank": "农行", "account_number": "12AB", "account_name": "某"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"account_number": ["银行账号应为 10 至 30 位数字。"]}
    assert not BankAccount.objects.exists()
