"""
The kit works for a record type that is declarations only: `tests.kit_area` declares
`Grant` (a TownshipRecord with a person and a sensitive bank account) and its admin,
resource, serializer, viewset, station form and pages, and every part behaves as the
kit promises without a line copied from an area app.
"""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from bureau.models import ExportLog, PendingChange, ReviewStatus
from bureau.roles import station_models
from bureau.rules.services import change_review
from tests.kit_area.factories import GrantFactory
from tests.kit_area.models import Grant
from tests.kit_area.resources import GrantResource

pytestmark = pytest.mark.django_db

ACCOUNT = "6222021234567890123"
MASKED_ACCOUNT = "***************0123"
CHANGELIST = "/admin/kit_area/grant/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_declaration_grants_the_station_its_model_and_mounts_its_pages(client_for, station_user_a):
    assert "grant" in station_models()
    assert station_user_a.has_perm("kit_area.add_grant")

    response = client_for(station_user_a).get("/station/")
    assert '<a href="/station/kit_area/grants/"' in response.content.decode()
    assert "测试领域" in response.content.decode()


# --- admin -------------------------------------------------------------------------------


def test_the_admin_masks_the_declared_account_and_the_persons_id_for_leadership(client_for, leader, person_a):
    GrantFactory(person=person_a, bank_account=ACCOUNT)

    body = client_for(leader).get(CHANGELIST).content.decode()

    assert MASKED_ACCOUNT in body
    assert ACCOUNT not in body
    assert person_a.id_number not in body
    assert person_a.id_number[:4] + "**********" + person_a.id_number[-4:] in body


def test_the_admin_shows_bureau_staff_the_whole_values_on_the_records_page_only(client_for, bureau_user, person_a):
    grant = GrantFactory(person=person_a, bank_account=ACCOUNT)
    client = client_for(bureau_user)

    body = client.get(CHANGELIST).content.decode()
    assert ACCOUNT not in body
    assert person_a.id_number not in body
    assert MASKED_ACCOUNT in body
    assert ACCOUNT in client.get(f"{CHANGELIST}{grant.pk}/change/").content.decode()
    # A related field's column is headed by the field's Chinese name, not Django's "Person id number".
    header = re.sub(r"<[^>]*>|\s+", " ", re.search(r"<thead>.*?</thead>", body, re.S).group(0))
    assert "身份证号" in header
    assert "id number" not in header.lower()


def test_an_admin_save_by_bureau_staff_is_approved_and_takes_the_persons_township(client_for, bureau_user, person_a):
    response = client_for(bureau_user).post(
        CHANGELIST + "add/",
        {"person": person_a.pk, "amount": "800.00", "granted_on": "2021-05-01", "bank_account": ACCOUNT},
    )

    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.review_status, grant.township, grant.amount) == (
        ReviewStatus.APPROVED,
        person_a.township,
        Decimal("800.00"),
    )


def test_the_export_is_masked_for_leadership_and_logged_as_masked(client_for, leader, person_a):
    GrantFactory(person=person_a, bank_account=ACCOUNT)

    # The export form posts the columns to include; all of them here.
    fields = {f"grantresource_{name}": "on" for name in GrantResource().get_export_order()}
    response = client_for(leader).post(CHANGELIST + "export/", {"format": "0", "resource": "0", **fields})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("身份证号", "姓名", "金额（元）", "发放日期", "银行账号", "版本")
    assert rows[1][4] == MASKED_ACCOUNT
    assert rows[1][0] == person_a.id_number[:4] + "**********" + person_a.id_number[-4:]
    log = ExportLog.objects.get()
    assert (log.user, log.row_count, log.unmasked) == (leader, 1, False)


def test_an_import_writes_every_row_or_none(client_for, bureau_user, person_a, person_b):
    def upload(rows):
        workbook = openpyxl.Workbook()
        workbook.active.append(["身份证号", "姓名", "金额（元）", "发放日期", "银行账号"])
        for row in rows:
            workbook.active.append(row)
        stream = BytesIO()
        workbook.save(stream)
        stream.seek(0)
        stream.name = "grants.xlsx"
        client = client_for(bureau_user)
        # The import job's validation runs eagerly at the end of the request; then its page.
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(CHANGELIST + "import/", {"format": "0", "resource": "0", "import_file": stream})
        return client.get(response["Location"])

    good = [person_a.id_number, person_a.name, 500, "2021-03-01", ACCOUNT]
    wrong_name = [person_b.id_number, "王五", 500, "2021-03-01", ACCOUNT]
    response = upload([good, wrong_name])

    assert response.status_code == 200
    assert any("第 3 行" in message and "王五" in message for message in response.context["job"].errors)
    assert Grant.objects.count() == 0


# --- API ---------------------------------------------------------------------------------


def test_a_station_posts_through_the_api_as_a_submission(station_user_a, person_a):
    payload = {"person": person_a.pk, "amount": "300.00", "granted_on": "2021-06-01", "bank_account": ACCOUNT}

    response = api(station_user_a).post("/api/v1/kit-area/grants/", payload, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["review_status"] == ReviewStatus.SUBMITTED
    assert response.json()["person_name"] == person_a.name
    assert Grant.objects.get().township == person_a.township


def test_another_townships_person_is_not_found_through_the_api(station_user_a, person_b):
    payload = {"person": person_b.pk, "amount": "300.00", "granted_on": "2021-06-01"}

    response = api(station_user_a).post("/api/v1/kit-area/grants/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["person"] == ["人员不存在，或不在您可查看的乡镇（街道）范围内。"]
    assert not Grant.objects.exists()


def test_the_api_list_is_scoped_masked_and_filtered_by_year(leader, station_user_a, person_a, person_b):
    GrantFactory(person=person_a, granted_on=datetime.date(2021, 4, 1))
    GrantFactory(person=person_b, granted_on=datetime.date(2020, 4, 1))

    own = api(station_user_a).get("/api/v1/kit-area/grants/").json()["results"]
    assert [row["person"] for row in own] == [person_a.pk]
    assert own[0]["bank_account"] == MASKED_ACCOUNT  # a list is masked for every role
    one = api(station_user_a).get(f"/api/v1/kit-area/grants/{own[0]['id']}/").json()
    assert one["bank_account"] == ACCOUNT  # station staff hold the permission for their own township

    district = api(leader).get("/api/v1/kit-area/grants/", {"year": 2021}).json()["results"]
    assert [(row["person"], row["bank_account"]) for row in district] == [(person_a.pk, MASKED_ACCOUNT)]


def test_an_api_create_sent_again_with_its_key_is_answered_not_saved(station_user_a, person_a):
    payload = {"person": person_a.pk, "amount": "300.00", "granted_on": "2021-06-01"}
    client = api(station_user_a)

    first = client.post("/api/v1/kit-area/grants/", payload, format="json", headers={"Idempotency-Key": "g1"})
    again = client.post("/api/v1/kit-area/grants/", payload, format="json", headers={"Idempotency-Key": "g1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Grant.objects.count() == 1


# --- station pages -------------------------------------------------------------------------


def test_a_station_form_submits_a_grant_for_its_own_resident(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    response = client.post(
        "/station/kit_area/grants/new/",
        {"person": person_a.pk, "amount": "650.00", "granted_on": "2021-07-01", "bank_account": ACCOUNT},
    )

    assert response.status_code == 302
    assert response["Location"] == "/station/kit_area/grants/"
    grant = Grant.objects.get()
    assert (grant.review_status, grant.submitted_by) == (ReviewStatus.SUBMITTED, station_user_a)
    listing = client.get("/station/kit_area/grants/?status=submitted").content.decode()
    assert person_a.name in listing and "650.00 元" in listing


def test_the_station_form_offers_only_its_own_residents(client_for, station_user_a, person_a, person_b):
    response = client_for(station_user_a).post(
        "/station/kit_area/grants/new/", {"person": person_b.pk, "amount": "650.00", "granted_on": "2021-07-01"}
    )

    assert response.status_code == 200
    assert "只能选择本乡镇（街道）登记在册的退役军人。" in response.content.decode()
    assert not Grant.objects.exists()


def test_a_station_edit_of_an_approved_grant_waits_as_a_proposed_change(client_for, station_user_a, bureau_user):
    grant = GrantFactory(person__township=station_user_a.township, amount=Decimal("1200.00"))
    data = {
        "person": grant.person_id,
        "amount": "1500.00",
        "granted_on": f"{grant.granted_on:%Y-%m-%d}",
        "bank_account": ACCOUNT,
        "version": grant.version,
    }

    response = client_for(station_user_a).post(f"/station/kit_area/grants/{grant.pk}/", data)

    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.amount, grant.review_status) == (Decimal("1200.00"), ReviewStatus.APPROVED)
    change = PendingChange.objects.get()
    assert change.changes == {"amount": {"old": "1200.00", "new": "1500.00"}}
    change_review(change=change, by=bureau_user, approve=True)
    grant.refresh_from_db()
    assert (grant.amount, grant.review_status, grant.version) == (Decimal("1500.00"), ReviewStatus.APPROVED, 2)


def test_a_stale_api_write_of_a_grant_is_refused(bureau_user, person_a):
    grant = GrantFactory(person=person_a, amount=Decimal("1200.00"))
    read = api(bureau_user).get(f"/api/v1/kit-area/grants/{grant.pk}/").json()
    grant.amount = Decimal("1300.00")
    grant.save()

    response = api(bureau_user).patch(
        f"/api/v1/kit-area/grants/{grant.pk}/", {"amount": "900.00", "version": read["version"]}, format="json"
    )

    assert response.status_code == 409
    assert "您看到的是修改前的内容" in response.json()["detail"]
    grant.refresh_from_db()
    assert grant.amount == Decimal("1300.00")


def test_a_station_page_posted_twice_saves_once(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    key = client.get("/station/kit_area/grants/new/").context["submission_key"]
    data = {"person": person_a.pk, "amount": "650.00", "granted_on": "2021-07-01", "submission_key": key}

    first = client.post("/station/kit_area/grants/new/", data)
    again = client.post("/station/kit_area/grants/new/", data, follow=True)

    assert first.status_code == 302
    assert again.redirect_chain == [("/station/kit_area/grants/", 302)]
    assert "该表单已提交，未重复保存。" in again.content.decode()
    assert Grant.objects.count() == 1


# --- history ---------------------------------------------------------------------------------


def test_the_auditor_reads_the_grants_history_in_chinese_with_the_account_masked(client_for, auditor, person_a):
    grant = GrantFactory(person=person_a, bank_account=ACCOUNT)
    row = grant.history.get()

    listing = client_for(auditor).get("/admin/kit_area/historicalgrant/")
    detail = client_for(auditor).get(f"/admin/kit_area/historicalgrant/{row.pk}/change/").content.decode()

    assert listing.status_code == 200
    assert "测试补助变更记录" in listing.content.decode()
    visible_text = re.sub(r"<[^>]*>", " ", listing.content.decode()).lower()
    assert not re.search(r"historical|history date|history type", visible_text)
    assert MASKED_ACCOUNT in detail
    assert ACCOUNT not in detail
