"""
Records that stay right: a station's edit of an approved record waits as a proposed
change while the approved values stay counted, and no write path overwrites what
another user saved since the record was read (admin, station form, API, import).
"""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau import roles
from bureau.base.concurrency import StaleWriteError
from bureau.importexport import PortalXLSX
from bureau.importexport.records import PersonResource
from bureau.models import PendingChange, Person, ReviewStatus
from bureau.reporting.registry import registry_figures
from bureau.rules.services import change_review, record_save
from tests.factories import PersonFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

OLD_PHONE = "13800001111"
NEW_PHONE = "13900002222"
STALE = "该记录已于 {when} 被 {who} 修改，您看到的是修改前的内容。"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def registered_veterans(township) -> int:
    figures = {figure.key: figure.value for figure in registry_figures(year=2021, township=township)}
    return figures["veterans"]


def station_person_data(person: Person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "gender": person.gender,
        "phone": person.phone,
        "address": person.address,
        "status": person.status,
        "branch": person.branch,
        "enlisted_on": "",
        "discharged_on": f"{person.discharged_on:%Y-%m-%d}" if person.discharged_on else "",
        "rank": person.rank,
        "discharge_route": person.discharge_route,
        "notes": person.notes,
        "version": person.version,
    }
    return {**data, **overrides}


def admin_person_data(person: Person, **overrides) -> dict:
    data = {**station_person_data(person), "township": person.township_id}
    for prefix in ("categories", "family_links", "merits"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **overrides}


def edit_url(person: Person) -> str:
    return reverse("station:person_edit", args=[person.pk])


def review_url(change: PendingChange) -> str:
    return reverse("admin:bureau_pendingchange_review", args=[change.pk])


@pytest.fixture
def veteran_a(township_a):
    return PersonFactory(
        name="赵甲", township=township_a, phone=OLD_PHONE, discharged_on=datetime.date(2018, 9, 1), address="甲镇一号"
    )


@pytest.fixture
def other_clerk(db):
    return UserFactory(username="clerk2", first_name="王科员", is_staff=True, groups=[roles.BUREAU_STAFF])


# --- pending changes -------------------------------------------------------------------


def test_a_station_phone_fix_waits_for_review_and_the_person_stays_counted(
    station_user_a, bureau_user, veteran_a, township_a
):
    PersonFactory(township=township_a, discharged_on=datetime.date(2019, 9, 1))
    assert registered_veterans(township_a) == 2
    station = client_of(station_user_a)

    response = station.post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE), follow=True)

    assert response.redirect_chain[-1][0] == reverse("station:submissions")
    assert "修改已提交，等待区局审核；审核通过前仍按原内容统计。" in response.content.decode()
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.review_status, veteran_a.version) == (OLD_PHONE, ReviewStatus.APPROVED, 1)
    assert registered_veterans(township_a) == 2
    dashboard = client_of(station_user_a).get("/dashboard/?year=2021")
    figures = {line.label: line.text for line in dashboard.context["summary"].key_figures}
    assert figures["登记在册退役军人"] == "2人"
    change = PendingChange.objects.get()
    assert change.changes == {"phone": {"old": OLD_PHONE, "new": NEW_PHONE}}
    assert (change.status, change.township, change.proposed_by) == ("pending", township_a, station_user_a)

    # The station sees its change on the record and goes on from it.
    page = station.get(edit_url(veteran_a)).content.decode()
    assert "提交的修改正在等待区局审核" in page
    assert f'name="phone" value="{NEW_PHONE}"' in page
    listing = station.get(reverse("station:submissions")).content.decode()
    assert listing.count("修改待审核") == 1
    detail = station.get(reverse("station:person_detail", args=[veteran_a.pk])).content.decode()
    assert f"<td>{OLD_PHONE}</td><td>{NEW_PHONE}</td>" in detail

    # The reviewer sees the fields side by side and approves with the button.
    clerk = client_of(bureau_user)
    page = clerk.get(reverse("admin:bureau_pendingchange_change", args=[change.pk])).content.decode()
    assert f"<td>{OLD_PHONE}</td><td><strong>{NEW_PHONE}</strong></td>" in page
    assert "审核通过" in page and "退回（填写原因）" in page
    response = clerk.post(review_url(change), {"approve": "1"})

    assert response.status_code == 302
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.review_status, veteran_a.reviewed_by) == (
        NEW_PHONE,
        ReviewStatus.APPROVED,
        bureau_user,
    )
    assert registered_veterans(township_a) == 2
    change.refresh_from_db()
    assert (change.status, change.reviewed_by) == ("approved", bureau_user)
    latest = veteran_a.history.first()
    assert (latest.phone, latest.history_user) == (NEW_PHONE, bureau_user)
    assert latest.history_change_reason == "审核通过甲镇站提议的修改"


def test_a_returned_change_changes_nothing_and_the_station_sees_why(station_user_a, bureau_user, veteran_a):
    station = client_of(station_user_a)
    station.post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    change = PendingChange.objects.get()
    clerk = client_of(bureau_user)

    response = clerk.post(review_url(change), {"return": "1", "reason": ""}, follow=True)

    assert "退回时必须填写原因。" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"

    clerk.post(review_url(change), {"return": "1", "reason": "号码与户籍登记不一致"})

    change.refresh_from_db()
    veteran_a.refresh_from_db()
    assert (change.status, change.return_reason) == ("returned", "号码与户籍登记不一致")
    assert (veteran_a.phone, veteran_a.review_status) == (OLD_PHONE, ReviewStatus.APPROVED)
    page = station.get(edit_url(veteran_a)).content.decode()
    assert "退回了您提交的修改，原因：号码与户籍登记不一致" in page
    assert f'name="phone" value="{OLD_PHONE}"' in page

    # The station may propose again.
    station.post(edit_url(veteran_a), station_person_data(veteran_a, phone="13900003333"))
    assert PendingChange.objects.pending().get().changes["phone"]["new"] == "13900003333"


def test_proposing_again_replaces_the_change_that_waits(station_user_a, veteran_a):
    station = client_of(station_user_a)
    station.post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    station.post(edit_url(veteran_a), station_person_data(veteran_a, phone="13900003333", address="甲镇二号"))

    change = PendingChange.objects.get()
    assert change.changes == {
        "phone": {"old": OLD_PHONE, "new": "13900003333"},
        "address": {"old": "甲镇一号", "new": "甲镇二号"},
    }


def test_an_edit_that_changes_nothing_is_refused(station_user_a, veteran_a):
    response = client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a))

    assert response.status_code == 200
    assert "没有修改任何内容。" in response.content.decode()
    assert not PendingChange.objects.exists()


def test_a_change_is_not_applied_over_a_field_the_bureau_changed_since(
    station_user_a, bureau_user, other_clerk, veteran_a
):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    veteran_a.phone = "13700007777"
    record_save(record=veteran_a, by=other_clerk)

    response = client_of(bureau_user).post(review_url(PendingChange.objects.get()), {"approve": "1"}, follow=True)

    assert "提议修改后，联系电话已被他人修改，不能直接应用" in response.content.decode()
    veteran_a.refresh_from_db()
    assert veteran_a.phone == "13700007777"
    assert PendingChange.objects.get().status == "pending"


def test_a_change_already_reviewed_cannot_be_reviewed_again(station_user_a, bureau_user, veteran_a):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    change = PendingChange.objects.get()
    change_review(change=change, by=bureau_user, approve=True)

    with pytest.raises(ValidationError, match="该修改已审核，不能重复审核。"):
        change_review(change=change, by=bureau_user, approve=False, reason="晚了")


def test_a_new_record_from_a_station_is_still_submitted_as_before(station_user_a, township_a):
    record = Person(name="钱新", id_number=make_id_number(sequence=731), township=township_a)
    record_save(record=record, by=station_user_a)
    assert record.review_status == ReviewStatus.SUBMITTED
    assert not PendingChange.objects.exists()


def test_the_leader_sees_the_change_masked_and_without_buttons(station_user_a, leader, veteran_a):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    change = PendingChange.objects.get()

    page = client_of(leader).get(reverse("admin:bureau_pendingchange_change", args=[change.pk])).content.decode()

    assert "<td>138****1111</td><td><strong>139****2222</strong></td>" in page
    assert NEW_PHONE not in page
    assert "退回（填写原因）" not in page
    assert client_of(leader).post(review_url(change), {"approve": "1"}).status_code == 403


def test_the_record_change_page_points_to_the_change_that_waits(station_user_a, bureau_user, veteran_a):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    change = PendingChange.objects.get()

    page = client_of(bureau_user).get(reverse("admin:bureau_person_change", args=[veteran_a.pk])).content.decode()

    assert "提交了对此记录的修改，正在等待审核（现行内容仍在统计中）" in page
    assert reverse("admin:bureau_pendingchange_change", args=[change.pk]) in page


# --- no lost updates ---------------------------------------------------------------------


def stale_message(person: Person, who: str) -> str:
    entry = person.history.first()
    return STALE.format(when=f"{timezone.localtime(entry.history_date):%Y-%m-%d %H:%M}", who=who)


def test_a_stale_admin_change_form_is_refused_and_keeps_what_was_typed(bureau_user, other_clerk, veteran_a):
    read = admin_person_data(veteran_a, address="甲镇三号")  # the form as the first clerk filled it
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)  # meanwhile, another clerk saves the phone

    response = client_of(bureau_user).post(reverse("admin:bureau_person_change", args=[veteran_a.pk]), read)

    assert response.status_code == 200
    page = response.content.decode()
    assert stale_message(veteran_a, "王科员") in page
    assert 'value="甲镇三号"' in page
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address, veteran_a.version) == (NEW_PHONE, "甲镇一号", 2)


def test_a_current_admin_change_form_saves_and_moves_the_version(bureau_user, veteran_a):
    response = client_of(bureau_user).post(
        reverse("admin:bureau_person_change", args=[veteran_a.pk]), admin_person_data(veteran_a, address="甲镇三号")
    )

    assert response.status_code == 302
    veteran_a.refresh_from_db()
    assert (veteran_a.address, veteran_a.version) == ("甲镇三号", 2)


def test_a_stale_station_form_is_refused_and_keeps_what_was_typed(station_user_a, other_clerk, veteran_a):
    veteran_a.review_status = ReviewStatus.RETURNED
    veteran_a.return_reason = "住址不全"
    veteran_a.save()
    read = station_person_data(veteran_a, address="甲镇幸福村五号")
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)

    response = client_of(station_user_a).post(edit_url(veteran_a), read)

    assert response.status_code == 200
    page = response.content.decode()
    assert stale_message(veteran_a, "王科员") in page
    assert 'value="甲镇幸福村五号"' in page
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address) == (NEW_PHONE, "甲镇一号")


def test_a_stale_station_proposal_is_refused_too(station_user_a, other_clerk, veteran_a):
    read = station_person_data(veteran_a, address="甲镇幸福村五号")
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)

    response = client_of(station_user_a).post(edit_url(veteran_a), read)

    assert response.status_code == 200
    assert stale_message(veteran_a, "王科员") in response.content.decode()
    assert not PendingChange.objects.exists()


def test_a_station_form_without_its_version_is_expired(station_user_a, veteran_a):
    data = station_person_data(veteran_a, phone=NEW_PHONE)
    del data["version"]

    response = client_of(station_user_a).post(edit_url(veteran_a), data)

    assert response.status_code == 200
    assert "页面已过期，请刷新后重新填写。" in response.content.decode()
    assert not PendingChange.objects.exists()


def test_the_api_shows_the_version_and_refuses_a_stale_full_put(bureau_user, other_clerk, veteran_a):
    api = api_of(bureau_user)
    url = f"/api/v1/persons/{veteran_a.pk}/"
    read = api.get(url)
    assert read.status_code == 200
    assert read["ETag"] == '"1"'
    body = read.json()
    assert body["version"] == 1
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)

    body = {key: value for key, value in body.items() if key not in {"id", "categories"}}
    response = api.put(url, {**body, "address": "甲镇三号"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"].startswith(stale_message(veteran_a, "王科员"))
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address) == (NEW_PHONE, "甲镇一号")


def test_the_api_answers_412_to_a_stale_if_match_and_saves_a_current_one(bureau_user, other_clerk, veteran_a):
    api = api_of(bureau_user)
    url = f"/api/v1/persons/{veteran_a.pk}/"
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)

    stale = api.patch(url, {"address": "甲镇三号"}, format="json", HTTP_IF_MATCH='"1"')

    assert stale.status_code == 412
    assert stale.json()["detail"].startswith(stale_message(veteran_a, "王科员"))
    veteran_a.refresh_from_db()
    assert veteran_a.address == "甲镇一号"

    current = api.patch(url, {"address": "甲镇三号"}, format="json", HTTP_IF_MATCH='"2"')

    assert current.status_code == 200
    assert current["ETag"] == '"3"'
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address, veteran_a.version) == (NEW_PHONE, "甲镇三号", 3)


def test_a_stale_row_of_an_exported_file_is_refused_on_import(bureau_user, other_clerk, veteran_a):
    fields = {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
    exported = client_of(bureau_user).post(
        "/admin/bureau/person/export/",
        {"format": "0", "resource": "0", "unmasked": "on", "purpose": "批量修改住址后导入", **fields},
    )
    workbook = openpyxl.load_workbook(BytesIO(exported.content))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "版本" and sheet.cell(row=2, column=len(headers)).value == 1
    sheet.cell(row=2, column=headers.index("住址") + 1, value="甲镇三号")
    edited = BytesIO()
    workbook.save(edited)
    veteran_a.phone = NEW_PHONE
    record_save(record=veteran_a, by=other_clerk)  # after the export, before the import

    result = PersonResource(user=bureau_user).import_data(PortalXLSX().create_dataset(edited.getvalue()))

    assert result.row_messages == [f"第 2 行：版本，{stale_message(veteran_a, '王科员')}" + STALE_TAIL]
    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address) == (NEW_PHONE, "甲镇一号")


STALE_TAIL = "为免覆盖他人的修改，本次保存未生效；请刷新页面查看最新内容后重新填写。"


def test_two_saves_of_the_same_version_race_and_the_second_is_refused(veteran_a):
    first = Person.objects.get(pk=veteran_a.pk)
    second = Person.objects.get(pk=veteran_a.pk)
    first.phone = NEW_PHONE
    first.save()

    second.address = "甲镇三号"
    with pytest.raises(StaleWriteError):
        second.save()

    veteran_a.refresh_from_db()
    assert (veteran_a.phone, veteran_a.address, veteran_a.version) == (NEW_PHONE, "甲镇一号", 2)


def test_the_inbox_counts_changes_that_wait_and_links_to_exactly_them(station_user_a, bureau_user, veteran_a):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    change = PendingChange.objects.get()
    clerk = client_of(bureau_user)

    rows = [row for row in clerk.get("/admin/").context["inbox_rows"] if row.kind == "pending_change"]

    assert [(row.heading, row.township_name, row.count) for row in rows] == [("人员（修改）", "甲镇", 1)]
    listed = clerk.get(rows[0].url)
    assert listed.status_code == 200
    assert [obj.pk for obj in listed.context["cl"].result_list] == [change.pk]

    clerk.post(review_url(change), {"approve": "1"})

    assert not [row for row in clerk.get("/admin/").context["inbox_rows"] if row.kind == "pending_change"]


def test_deleting_a_record_removes_the_changes_proposed_to_it(station_user_a, veteran_a):
    client_of(station_user_a).post(edit_url(veteran_a), station_person_data(veteran_a, phone=NEW_PHONE))
    assert PendingChange.objects.pending().count() == 1

    veteran_a.delete()

    assert not PendingChange.objects.exists()


def test_a_proposed_change_through_the_api_cannot_carry_a_related_list(station_user_a, township_a):
    # A station allowed to edit publicity events (a many-to-many of role models) through the API.
    from django.contrib.auth.models import Permission

    from tests.employment.factories import PublicityEventFactory, RoleModelFactory

    station_user_a.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_publicityevent", "change_publicityevent"])
    )
    first, second = RoleModelFactory(person__township=township_a), RoleModelFactory(person__township=township_a)
    event = PublicityEventFactory(township=township_a)
    event.role_models.set([first])
    url = f"/api/v1/employment/publicity-events/{event.pk}/"
    api = api_of(type(station_user_a).objects.get(pk=station_user_a.pk))  # fresh: permissions are cached

    refused = api.patch(url, {"role_models": [first.pk, second.pk]}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["已审核通过的记录，其关联列表的修改请联系区局办理。"]}
    assert not PendingChange.objects.exists()
    assert list(event.role_models.all()) == [first]

    proposed = api.patch(url, {"title": "新标题", "role_models": [first.pk]}, format="json")

    assert proposed.status_code == 202
    assert PendingChange.objects.get().changes["title"]["new"] == "新标题"


def test_a_stale_write_of_a_record_older_than_its_history_says_so_without_a_time(bureau_user):
    from bureau.models import Enterprise
    from tests.employment.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(name="旧企业")
    enterprise.history.all().delete()  # as for enterprises registered before their history table existed
    read = Enterprise.objects.get(pk=enterprise.pk)
    Enterprise.objects.filter(pk=enterprise.pk).update(version=2)

    read.name = "新名称"
    with pytest.raises(StaleWriteError) as refused:
        read.save()

    assert refused.value.messages == [
        "该记录已被他人修改，您看到的是修改前的内容。为免覆盖他人的修改，本次保存未生效；请刷新页面查看最新内容后重新填写。"
    ]
