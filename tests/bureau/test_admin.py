import datetime
import re

import pytest

from bureau.models import Person, ReviewStatus
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")
INLINES = ("categories", "family_links", "merits")


def person_form(**fields):
    data = {
        "name": "孙三",
        "id_number": make_id_number(birth_date=datetime.date(1990, 3, 3), sequence=411),
        "gender": "",
        "phone": "13700000000",
        "township": "",
        "address": "",
        "status": Person.Status.VETERAN,
        "branch": "",
        "enlisted_on": "",
        "discharged_on": "",
        "rank": "",
        "discharge_route": "",
        "notes": "",
    }
    for prefix in INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(fields)
    return data


def test_bureau_staff_add_a_person_in_the_admin_and_it_is_approved(client_for, bureau_user, township_a):
    client = client_for(bureau_user)

    response = client.post("/admin/bureau/person/add/", person_form(township=township_a.pk))

    assert response.status_code == 302
    person = Person.objects.get(name="孙三")
    assert person.review_status == ReviewStatus.APPROVED
    assert person.birth_date == datetime.date(1990, 3, 3)
    assert person.gender == Person.Gender.MALE


def test_a_bad_id_number_is_refused_in_the_admin_with_a_chinese_message(client_for, bureau_user, township_a):
    client = client_for(bureau_user)

    response = client.post(
        "/admin/bureau/person/add/", person_form(township=township_a.pk, id_number="110105194912310021")
    )

    assert response.status_code == 200
    assert "身份证号校验位错误，请核对号码。" in response.content.decode()
    assert not Person.objects.exists()


def test_leadership_reads_but_cannot_write(client_for, leader, person_a, township_a):
    client = client_for(leader)

    assert client.get("/admin/bureau/person/").status_code == 200
    assert client.get("/admin/bureau/person/add/").status_code == 403
    response = client.post(
        f"/admin/bureau/person/{person_a.pk}/change/", person_form(township=township_a.pk, name="改名")
    )
    assert response.status_code == 403
    assert client.post(f"/admin/bureau/person/{person_a.pk}/delete/", {"post": "yes"}).status_code == 403
    person_a.refresh_from_db()
    assert person_a.name == "张甲"


def test_admin_pages_mask_identifiers_for_leadership(client_for, leader, person_a):
    client = client_for(leader)

    pages = [
        "/admin/bureau/person/",
        f"/admin/bureau/person/{person_a.pk}/change/",
        f"/admin/bureau/person/{person_a.pk}/file/",
        f"/admin/bureau/person/{person_a.pk}/history/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert not FULL_ID.search(body), url
        assert person_a.phone not in body, url
    assert (
        person_a.id_number[:4] + "**********" + person_a.id_number[-4:]
        in client.get("/admin/bureau/person/").content.decode()
    )


def test_bureau_staff_see_the_full_id_number_on_the_persons_page_only(client_for, bureau_user, person_a):
    client = client_for(bureau_user)

    assert person_a.id_number not in client.get("/admin/bureau/person/").content.decode()
    assert person_a.id_number in client.get(f"/admin/bureau/person/{person_a.pk}/change/").content.decode()


def test_station_staff_cannot_enter_the_admin(client_for, station_user_a):
    response = client_for(station_user_a).get("/admin/bureau/person/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_auditor_reads_the_audit_trail_only(client_for, auditor, person_a):
    client = client_for(auditor)

    assert client.get("/admin/bureau/historicalperson/").status_code == 200
    assert client.get("/admin/bureau/exportlog/").status_code == 200
    assert client.get("/admin/bureau/person/").status_code == 403
    assert not FULL_ID.search(client.get("/admin/bureau/historicalperson/").content.decode())


def test_the_person_file_shows_the_core_records(client_for, bureau_user, person_a):
    from bureau.models import Merit, PersonCategory, PreferentialCategory

    PersonCategory.objects.create(
        person=person_a, category=PreferentialCategory.MARTYR_FAMILY, started_on=datetime.date(2001, 1, 1)
    )
    Merit.objects.create(person=person_a, level=Merit.Level.THIRD_CLASS, year=2003, unit="某部")

    body = client_for(bureau_user).get(f"/admin/bureau/person/{person_a.pk}/file/").content.decode()

    assert "烈士遗属" in body
    assert "2003年 三等功" in body
    assert person_a.id_number in body


def test_an_unknown_person_file_is_a_404(client_for, bureau_user):
    assert client_for(bureau_user).get("/admin/bureau/person/999999/file/").status_code == 404


def test_bureau_staff_approve_and_return_submissions(client_for, bureau_user, township_a):
    first = PersonFactory(township=township_a, review_status=ReviewStatus.SUBMITTED)
    second = PersonFactory(township=township_a, review_status=ReviewStatus.SUBMITTED)
    client = client_for(bureau_user)

    client.post("/admin/bureau/person/", {"action": "approve_selected", "_selected_action": [first.pk]})
    confirm = client.post("/admin/bureau/person/", {"action": "return_selected", "_selected_action": [second.pk]})
    assert "请填写退回原因" in confirm.content.decode()
    client.post(
        "/admin/bureau/person/",
        {"action": "return_selected", "_selected_action": [second.pk], "apply": "1", "reason": "身份证复印件不清晰"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_status == ReviewStatus.APPROVED
    assert second.review_status == ReviewStatus.RETURNED
    assert second.return_reason == "身份证复印件不清晰"


def test_the_admin_header_links_the_dashboard_for_leadership_only(client_for, leader, auditor):
    assert '<a href="/dashboard/">年度报告看板</a>' in client_for(leader).get("/admin/").content.decode()
    assert "年度报告看板" not in client_for(auditor).get("/admin/").content.decode()
