"""
Insurance continuation (社保接续): stations register their township's, the bureau enters, imports,
reviews and exports them; every list is scoped to the township and masks the ID number.
"""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.test import TestCase
from django.urls import reverse

from bureau.models import ExportLog, ReviewStatus
from resettlement.models import InsuranceContinuation
from resettlement.resources import InsuranceContinuationResource
from tests.resettlement.factories import InsuranceContinuationFactory

pytestmark = pytest.mark.django_db

LIST = "/station/resettlement/insurance/"
NEW = "/station/resettlement/insurance/new/"
CHANGELIST = "/admin/resettlement/insurancecontinuation/"
HEADERS = ["身份证号", "姓名", "险种", "办理日期", "接续月数", "个人负担（元）", "财政负担（元）", "办理状态", "备注"]


def form(person, **changes) -> dict:
    return {
        "person": person.pk,
        "kind": "pension",
        "handled_on": "2021-10-08",
        "months": "24",
        "personal_share": "3840.00",
        "fiscal_share": "9600.00",
        "state": "accounted",
        "notes": "",
        **changes,
    }


def test_a_station_registers_a_continuation_for_its_own_veteran(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    assert client.get(NEW).status_code == 200

    response = client.post(NEW, form(person_a))

    assert response.status_code == 302
    assert response["Location"] == LIST
    record = InsuranceContinuation.objects.get()
    assert (record.review_status, record.submitted_by, record.township) == (
        ReviewStatus.SUBMITTED,
        station_user_a,
        person_a.township,
    )
    assert (record.months, record.total) == (24, Decimal("13440.00"))
    listing = client.get(LIST).content.decode()
    assert "张甲：养老保险" in listing and "接续 24 个月" in listing


def test_a_station_cannot_register_another_townships_veteran(client_for, station_user_a, person_b):
    response = client_for(station_user_a).post(NEW, form(person_b))

    assert response.status_code == 200
    assert "只能选择本乡镇（街道）登记在册的退役军人。" in response.content.decode()
    assert not InsuranceContinuation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "dental"}, "选择一个有效的选项"),
        ({"personal_share": "-5"}, ""),
        ({"months": "601"}, ""),
        ({"handled_on": "2021-02-30"}, ""),
    ],
)
def test_bad_input_is_the_form_again_with_nothing_saved(client_for, station_user_a, person_a, changes, message):
    response = client_for(station_user_a).post(NEW, form(person_a, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InsuranceContinuation.objects.exists()


def test_the_same_kind_on_the_same_day_is_refused_in_chinese(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    client.post(NEW, form(person_a))
    again = client.post(NEW, form(person_a, months="12"))
    assert again.status_code == 200
    assert "该人员在该日期已有同一险种的办理记录。" in again.content.decode()
    assert InsuranceContinuation.objects.count() == 1


def test_a_station_sees_and_edits_only_its_own_township(client_for, station_user_a, station_user_b, person_a, person_b):
    own = InsuranceContinuationFactory(person=person_a)
    other = InsuranceContinuationFactory(person=person_b)
    client = client_for(station_user_a)

    listing = client.get(LIST).content.decode()

    assert person_a.name in listing and person_b.name not in listing
    assert client.get(f"/station/resettlement/insurance/{own.pk}/edit/").status_code == 200
    assert client.get(f"/station/resettlement/insurance/{other.pk}/edit/").status_code == 404
    assert client.post(f"/station/resettlement/insurance/{other.pk}/edit/", form(person_b)).status_code == 404


def test_the_station_menu_offers_the_page(client_for, station_user_a):
    home = client_for(station_user_a).get(reverse("station:home")).content.decode()
    assert LIST in home and "社保接续" in home


def test_the_admin_list_masks_the_id_number_and_is_reviewed(client_for, bureau_user, station_user_a, person_a):
    client_for(station_user_a).post(NEW, form(person_a))
    record = InsuranceContinuation.objects.get()
    client = client_for(bureau_user)

    listing = client.get(CHANGELIST).content.decode()
    assert person_a.id_number not in listing
    assert f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}" in listing

    response = client.post(f"{CHANGELIST}{record.pk}/review/", {"decision": "approve"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.review_status == ReviewStatus.APPROVED


def test_bureau_staff_enter_staff_medical_insurance_approved(client_for, bureau_user, person_a):
    response = client_for(bureau_user).post(
        f"{CHANGELIST}add/",
        {
            "person": person_a.pk,
            "kind": "staff_medical",
            "handled_on": "2021-03-01",
            "months": "12",
            "personal_share": "1800.00",
            "fiscal_share": "5400.00",
            "state": "paid",
            "notes": "",
        },
    )
    assert response.status_code == 302
    record = InsuranceContinuation.objects.get()
    assert (record.kind, record.review_status, record.township) == (
        "staff_medical",
        ReviewStatus.APPROVED,
        person_a.township,
    )


def upload(client, rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADERS)
    for row in rows:
        workbook.active.append(row)
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = "insurance.xlsx"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(CHANGELIST + "import/", {"format": "0", "resource": "0", "import_file": stream})
    return client.get(response["Location"])


def test_an_import_writes_every_row_or_none(client_for, bureau_user, person_a, person_b):
    client = client_for(bureau_user)
    good = [person_a.id_number, person_a.name, "养老保险", "2021-10-08", 24, 3840, 9600, "已接续", ""]
    wrong_name = [person_b.id_number, "王五", "医疗保险", "2021-10-08", 24, 1440, 3600, "已接续", ""]
    bad_kind = [person_b.id_number, person_b.name, "牙科保险", "2021-10-08", 24, 1440, 3600, "已接续", ""]

    response = upload(client, [good, wrong_name, bad_kind])

    errors = response.context["job"].errors
    assert any("第 3 行" in message and "王五" in message for message in errors)
    assert any("第 4 行" in message for message in errors)
    assert not InsuranceContinuation.objects.exists()


def test_an_import_of_valid_rows_is_confirmed_and_written(client_for, bureau_user, person_a, person_b):
    client = client_for(bureau_user)
    rows = [
        [person_a.id_number, person_a.name, "养老保险", "2021-10-08", 24, 3840, 9600, "已接续", ""],
        [person_b.id_number, person_b.name, "职工医疗保险（退休人员）", "2021-03-01", 12, 1800, 5400, "已缴费", ""],
    ]
    page = upload(client, rows)
    job = page.context["job"]
    assert not job.errors
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(CHANGELIST + "process_import/", {"job": job.pk})
    records = InsuranceContinuation.objects.order_by("handled_on")
    assert [(r.person, r.kind, r.state, r.fiscal_share) for r in records] == [
        (person_b, "staff_medical", "paid", Decimal("5400.00")),
        (person_a, "pension", "transferred", Decimal("9600.00")),
    ]
    assert {r.township for r in records} == {person_a.township, person_b.township}


def test_the_export_masks_the_id_number_and_is_logged(client_for, leader, person_a):
    InsuranceContinuationFactory(person=person_a)
    fields = {
        f"insurancecontinuationresource_{name}": "on" for name in InsuranceContinuationResource().get_export_order()
    }

    response = client_for(leader).post(CHANGELIST + "export/", {"format": "0", "resource": "0", **fields})

    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("身份证号", "姓名", "险种")
    assert rows[1][:3] == (f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}", "张甲", "养老保险")
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.row_count, log.unmasked) == (leader, "社保接续", 1, False)
