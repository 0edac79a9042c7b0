"""
Personal data (PIPL Art. 28/51, MLPS level 3): every list is masked for every role; the whole
value is on one record's page only, for a role with the permission, and each such view is an
audit event; no URL carries an ID number (find by it in a POST body); an export with whole
values needs the permission and a stated purpose.
"""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from bureau.base.masking import mask_id_number, mask_phone
from bureau.importexport.records import PersonResource
from bureau.models import AuditEvent, ExportLog

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/bureau/person/export/"


def sensitive_views():
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_VIEW).order_by("id"))


# --- lists are masked for every role -----------------------------------------------------


def test_the_admin_list_masks_id_numbers_and_phones_also_for_bureau_staff(client_for, bureau_user, person_a):
    body = client_for(bureau_user).get("/admin/bureau/person/").content.decode()

    assert person_a.id_number not in body
    assert person_a.phone not in body
    assert mask_id_number(person_a.id_number) in body
    assert mask_phone(person_a.phone) in body
    assert sensitive_views() == []


def test_the_admin_change_page_shows_the_whole_number_to_bureau_staff_and_records_it(client_for, bureau_user, person_a):
    client = client_for(bureau_user)
    body = client.get(
        reverse("admin:bureau_person_change", args=[person_a.pk]), REMOTE_ADDR="10.1.2.3"
    ).content.decode()

    assert f'value="{person_a.id_number}"' in body
    [event] = sensitive_views()
    assert (event.user, event.username, event.object_id, event.object_repr) == (
        bureau_user,
        "clerk",
        str(person_a.pk),
        "张甲",
    )
    assert (event.fields, event.ip_address, event.path) == (
        "id_number,phone",
        "10.1.2.3",
        f"/admin/bureau/person/{person_a.pk}/change/",
    )


def test_leadership_sees_the_change_page_masked_and_no_view_is_recorded(client_for, leader, person_a):
    body = client_for(leader).get(reverse("admin:bureau_person_change", args=[person_a.pk])).content.decode()

    assert person_a.id_number not in body
    assert mask_id_number(person_a.id_number) in body
    assert sensitive_views() == []


def test_the_person_file_page_is_a_recorded_view(client_for, bureau_user, person_a):
    body = client_for(bureau_user).get(reverse("admin:bureau_person_file", args=[person_a.pk])).content.decode()

    assert person_a.id_number in body
    [event] = sensitive_views()
    assert (event.object_id, event.fields) == (str(person_a.pk), "id_number")


def test_the_station_list_is_masked_and_the_person_page_is_a_recorded_view(client_for, station_user_a, person_a):
    client = client_for(station_user_a)
    listing = client.get(reverse("station:submissions")).content.decode()
    assert person_a.id_number not in listing
    assert mask_id_number(person_a.id_number) in listing
    assert sensitive_views() == []

    detail = client.get(reverse("station:person_detail", args=[person_a.pk])).content.decode()
    assert person_a.id_number in detail
    edit = client.get(reverse("station:person_edit", args=[person_a.pk])).content.decode()
    assert f'value="{person_a.id_number}"' in edit
    assert [(e.user, e.object_id, e.fields) for e in sensitive_views()] == [
        (station_user_a, str(person_a.pk), "id_number,phone"),
        (station_user_a, str(person_a.pk), "id_number,phone"),
    ]


def test_the_api_list_is_masked_and_one_record_is_a_recorded_view(client_for, bureau_user, person_a):
    client = client_for(bureau_user)
    [row] = client.get("/api/v1/persons/").json()["results"]
    assert (row["id_number"], row["phone"]) == (mask_id_number(person_a.id_number), mask_phone(person_a.phone))
    assert sensitive_views() == []

    record = client.get(f"/api/v1/persons/{person_a.pk}/").json()
    assert (record["id_number"], record["phone"]) == (person_a.id_number, person_a.phone)
    [event] = sensitive_views()
    assert (event.user, event.object_id, event.fields, event.path) == (
        bureau_user,
        str(person_a.pk),
        "id_number,phone",
        f"/api/v1/persons/{person_a.pk}/",
    )


def test_leadership_api_record_stays_masked_and_is_not_recorded(client_for, leader, person_a):
    record = client_for(leader).get(f"/api/v1/persons/{person_a.pk}/").json()

    assert record["id_number"] == mask_id_number(person_a.id_number)
    assert sensitive_views() == []


# --- no ID number in a URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/bureau/person/?id_number={number}",
        "/admin/bureau/person/?id_number__startswith={prefix}",
        "/admin/bureau/payment/?person__id_number={number}",
    ],
)
def test_bureau_staff_cannot_filter_by_id_number_in_a_url_either(client_for, bureau_user, person_a, url):
    response = client_for(bureau_user).get(url.format(number=person_a.id_number, prefix=person_a.id_number[:6]))

    assert response.status_code == 400
    assert "按身份证号查找" in response.content.decode()


def test_the_admin_search_does_not_match_id_numbers(client_for, bureau_user, person_a):
    response = client_for(bureau_user).get("/admin/bureau/person/", {"q": person_a.id_number})

    assert response.context["cl"].result_count == 0


def test_api_filters_and_searches_on_id_numbers_are_refused_for_every_role(client_for, bureau_user, person_a):
    client = client_for(bureau_user)

    assert client.get("/api/v1/persons/", {"id_number": person_a.id_number}).status_code == 400
    assert len(client.get("/api/v1/persons/", {"q": person_a.id_number}).json()["results"]) == 0
    assert len(client.get("/api/v1/persons/", {"q": "张甲"}).json()["results"]) == 1


def test_bureau_staff_find_a_person_by_the_number_in_a_post_body(client_for, bureau_user, person_a, person_b):
    client = client_for(bureau_user)

    response = client.post("/admin/bureau/person/find/", {"id_number": person_a.id_number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:bureau_person_change", args=[person_a.pk])
    missing = client.post("/admin/bureau/person/find/", {"id_number": "110101199001011237"}, follow=True)
    assert "未找到该身份证号" in missing.content.decode()
    listing = client.get("/admin/bureau/person/").content.decode()
    assert 'action="/admin/bureau/person/find/"' in listing


def test_a_record_list_is_filtered_to_the_person_found(client_for, bureau_user, person_a, person_b):
    from tests.factories import PaymentFactory

    mine = PaymentFactory(person=person_a)
    PaymentFactory(person=person_b)
    client = client_for(bureau_user)

    response = client.post("/admin/bureau/payment/find/", {"id_number": person_a.id_number})
    assert response["Location"] == f"/admin/bureau/payment/?person__id__exact={person_a.pk}"
    assert list(client.get(response["Location"]).context["cl"].result_list) == [mine]


def test_leadership_cannot_find_by_id_number(client_for, leader, person_a):
    client = client_for(leader)

    assert client.post("/admin/bureau/person/find/", {"id_number": person_a.id_number}).status_code == 403
    assert client.post("/api/v1/persons/find/", {"id_number": person_a.id_number}).status_code == 403
    assert 'action="/admin/bureau/person/find/"' not in client.get("/admin/bureau/person/").content.decode()


def test_the_api_finds_a_person_by_the_number_in_the_body_and_records_the_view(client_for, bureau_user, person_a):
    client = client_for(bureau_user)

    response = client.post("/api/v1/persons/find/", {"id_number": person_a.id_number}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["id_number"]) == (person_a.pk, person_a.id_number)
    assert [(e.object_id, e.path) for e in sensitive_views()] == [(str(person_a.pk), "/api/v1/persons/find/")]
    short = client.post("/api/v1/persons/find/", {"id_number": "3201"}, content_type="application/json")
    assert short.status_code == 400
    assert short.json()["id_number"] == ["请输入完整的 18 位身份证号。"]


def test_a_station_finds_only_its_own_township_by_number(client_for, station_user_a, person_a, person_b):
    client = client_for(station_user_a)

    found = client.post(reverse("station:person_find"), {"id_number": person_a.id_number})
    assert found["Location"] == reverse("station:person_detail", args=[person_a.pk])
    other = client.post(reverse("station:person_find"), {"id_number": person_b.id_number}, follow=True)
    assert "未找到该身份证号" in other.content.decode()
    api = client.post("/api/v1/persons/find/", {"id_number": person_b.id_number}, content_type="application/json")
    assert api.status_code == 404


# --- exports ------------------------------------------------------------------------------


def export(client, **extra):
    fields = {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
    return client.post(EXPORT_URL, {"format": "0", "resource": "0", **fields, **extra})


def sheet_rows(response):
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_an_export_is_masked_for_bureau_staff_by_default(client_for, bureau_user, person_a):
    [row] = sheet_rows(export(client_for(bureau_user)))

    assert row["身份证号"] == mask_id_number(person_a.id_number)
    assert ExportLog.objects.get().unmasked is False


def test_an_unmasked_export_needs_a_purpose(client_for, bureau_user, person_a):
    response = export(client_for(bureau_user), unmasked="on", purpose="  ")

    assert response.status_code == 200
    assert "导出完整个人信息时必须填写用途。" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_an_unmasked_export_with_a_purpose_is_whole_and_logged_with_it(client_for, bureau_user, person_a):
    response = export(client_for(bureau_user), unmasked="on", purpose="核对优抚对象银行发放名单")

    [row] = sheet_rows(response)
    assert (row["身份证号"], row["联系电话"]) == (person_a.id_number, person_a.phone)
    log = ExportLog.objects.get()
    assert log.unmasked is True
    assert log.detail.startswith("用途：核对优抚对象银行发放名单")


def test_leadership_is_not_offered_and_cannot_force_an_unmasked_export(client_for, leader, person_a):
    client = client_for(leader)

    assert "导出完整的身份证号" not in client.get(EXPORT_URL).content.decode()
    assert export(client, unmasked="on", purpose="看看").status_code == 403
    assert not ExportLog.objects.exists()


def test_the_station_search_answers_the_same_whatever_the_hidden_number(client_for, station_user_a, person_a):
    client = client_for(station_user_a)

    def listed(text):
        return client.get(reverse("station:submissions"), {"q": text}).context["page"].object_list

    assert list(listed(person_a.id_number[:6])) == list(listed("999999")) == []
    assert list(listed("张")) == [person_a]
