"""
The audit trail (MLPS level 3 安全审计, PIPL): each hook writes exactly one event naming who,
what, from where; refusals survive the view's rollback; the auditor alone lists and exports
the trail; the trail is append-only and kept for the retention period.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau import roles
from bureau.admin.audit import EXPORT_COLUMNS
from bureau.models import Attachment, AuditEvent, AuditRefused, ExportLog, Merit, PendingChange, Person, ReviewStatus
from bureau.rules import audit
from bureau.rules.services import change_review, record_review
from tests.conftest import PASSWORD
from tests.employment.factories import JobFairFactory
from tests.factories import (
    AnnualReportRunFactory,
    AuditEventFactory,
    PendingChangeFactory,
    PersonFactory,
    TownshipFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
STATION_LOGIN = reverse("station:login")
TOKEN = reverse("api-token")
AUDIT_LIST = reverse("admin:bureau_auditevent_changelist")
AUDIT_EXPORT = reverse("admin:bureau_auditevent_export")


@pytest.fixture
def mark():
    """The id of the last event so far: a test reads the events written after it."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(mark, *kinds):
    events = AuditEvent.objects.filter(id__gt=mark).order_by("id")
    return list(events.filter(kind__in=kinds) if kinds else events)


def summary(event):
    return (event.kind, event.user_id, event.username, event.object_repr, event.ip_address, event.path)


# --- sign-in -------------------------------------------------------------------------------


def test_a_login_is_an_event_with_user_address_and_path(client, station_user_a, mark):
    client.post(STATION_LOGIN, {"username": "station_a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")

    [event] = events_after(mark, Kind.LOGIN)
    assert summary(event) == (Kind.LOGIN, station_user_a.pk, "station_a", "", "10.1.2.3", STATION_LOGIN)


def test_a_failed_login_names_the_username_and_never_the_password(client, station_user_a, mark):
    client.post(STATION_LOGIN, {"username": "station_a", "password": "secret-typed-wrong"})

    [event] = events_after(mark, Kind.LOGIN_FAILED)
    assert summary(event) == (Kind.LOGIN_FAILED, None, "station_a", "", "127.0.0.1", STATION_LOGIN)
    assert (event.fields, event.detail) == ("", "")
    assert not AuditEvent.objects.filter(username__contains="secret").exists()


def test_an_id_number_typed_as_username_is_kept_masked(client, mark):
    id_number = make_id_number(birth_date=datetime.date(1970, 3, 3), sequence=303, male=True)

    client.post(STATION_LOGIN, {"username": id_number, "password": "whatever-1"})

    [event] = events_after(mark, Kind.LOGIN_FAILED)
    assert event.username == "*" * 14 + id_number[-4:]


def test_the_fifth_failure_locks_the_account_once(client, station_user_a, mark):
    for _ in range(5):
        client.post(STATION_LOGIN, {"username": "station_a", "password": "wrong-password"})

    assert len(events_after(mark, Kind.LOGIN_FAILED)) == 5
    [lockout] = events_after(mark, Kind.LOCKOUT)
    assert summary(lockout) == (Kind.LOCKOUT, None, "station_a", "", "127.0.0.1", STATION_LOGIN)


def test_a_logout_is_an_event(client_for, station_user_a, mark):
    client_for(station_user_a).post(reverse("station:logout"))

    [event] = events_after(mark, Kind.LOGOUT)
    assert summary(event) == (Kind.LOGOUT, station_user_a.pk, "station_a", "", "127.0.0.1", "/station/logout/")


def test_an_api_token_issued_and_deleted_is_a_login_and_a_logout(station_user_a, mark):
    client = APIClient()
    token = client.post(TOKEN, {"username": "station_a", "password": PASSWORD}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(TOKEN).status_code == 204

    login, logout = events_after(mark, Kind.LOGIN, Kind.LOGOUT)
    assert summary(login) == (Kind.LOGIN, station_user_a.pk, "station_a", "", "127.0.0.1", TOKEN)
    assert summary(logout) == (Kind.LOGOUT, station_user_a.pk, "station_a", "", "127.0.0.1", TOKEN)
    assert (login.detail, logout.detail) == ("API 令牌", "API 令牌")


# --- refusals ------------------------------------------------------------------------------


def test_an_admin_403_is_recorded_although_the_view_raised(client_for, leader, mark):
    response = client_for(leader).get(AUDIT_LIST + "?q=x")

    assert response.status_code == 403
    [event] = events_after(mark, Kind.DENIED)
    assert summary(event) == (Kind.DENIED, leader.pk, "leader", "", "127.0.0.1", AUDIT_LIST)
    assert event.detail == "GET"


def test_an_id_number_in_a_refused_path_is_kept_masked(client_for, leader, person_a, mark):
    url = f"/admin/bureau/auditevent/{person_a.id_number}/change/"

    assert client_for(leader).get(url).status_code == 403

    [event] = events_after(mark, Kind.DENIED)
    assert event.path == f"/admin/bureau/auditevent/{'*' * 14}{person_a.id_number[-4:]}/change/"


def test_an_api_403_names_the_token_user(leader, person_a, mark):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    url = f"/api/v1/persons/{person_a.pk}/"

    assert client.delete(url).status_code == 403

    [event] = events_after(mark, Kind.DENIED)
    assert summary(event) == (Kind.DENIED, leader.pk, "leader", "", "127.0.0.1", url)
    assert event.detail == "DELETE"


def test_a_station_page_403_is_recorded(client_for, bureau_user, mark):
    home = reverse("station:home")

    assert client_for(bureau_user).get(home).status_code == 403

    [event] = events_after(mark, Kind.DENIED)
    assert summary(event) == (Kind.DENIED, bureau_user.pk, "clerk", "", "127.0.0.1", home)


def test_a_page_answered_200_or_404_is_no_refusal(client_for, bureau_user, mark):
    client = client_for(bureau_user)
    client.get("/admin/")
    client.get("/admin/bureau/person/999999/change/")

    assert events_after(mark, Kind.DENIED) == []


# --- records -------------------------------------------------------------------------------


def test_create_update_and_delete_of_a_history_tracked_record(bureau_user, township_a, mark):
    person = PersonFactory.build(name="王创建", township=township_a)
    person._history_user = bureau_user
    person.save()
    person.name = "王修改"
    person.save()
    person_pk = person.pk
    person.delete()

    events = events_after(mark)
    assert [(event.kind, event.object_repr) for event in events] == [
        (Kind.CREATE, "王创建"),
        (Kind.UPDATE, "王修改"),
        (Kind.DELETE, "王修改"),
    ]
    assert (events[0].user_id, events[0].username) == (bureau_user.pk, "clerk")
    assert {event.content_type.model for event in events} == {"person"}
    assert {event.object_id for event in events} == {str(person_pk)}


def test_a_change_made_in_the_admin_names_the_user_and_the_path(client_for, bureau_user, township_a, mark):
    township = TownshipFactory(code="C01", name="丙镇", order=3)
    url = reverse("admin:bureau_township_change", args=[township.pk])

    response = client_for(bureau_user).post(url, {"code": "C01", "name": "丙街道", "order": 3})

    assert response.status_code == 302
    [event] = events_after(mark, Kind.UPDATE)
    assert summary(event) == (Kind.UPDATE, bureau_user.pk, "clerk", "丙街道", "127.0.0.1", url)


def test_models_without_history_are_recorded_too(person_a, mark):
    merit = Merit.objects.create(person=person_a, level=Merit.Level.values[0], year=2020)
    merit.delete()

    assert [(event.kind, event.object_repr) for event in events_after(mark)] == [
        (Kind.CREATE, str(merit)),
        (Kind.DELETE, str(merit)),
    ]


def test_no_models_text_holds_an_id_number_or_phone(person_a, person_b):
    for model_text in (str(person_a), str(person_a.family_links.model(person=person_a, relative=person_b))):
        assert person_a.id_number not in model_text
        assert person_a.phone not in model_text
        assert person_b.id_number not in model_text


# --- accounts ------------------------------------------------------------------------------


def test_an_account_change_names_the_fields_and_never_the_password_hash(station_user_a, mark):
    station_user_a.first_name = "甲镇站新"
    station_user_a.set_password("Another-password-456")
    station_user_a.save()

    [event] = events_after(mark, Kind.ACCOUNT)
    assert (event.object_repr, event.fields, event.detail) == (
        "甲镇站新（station_a）",
        "password,first_name",
        "修改账号",
    )
    assert station_user_a.password not in f"{event.fields}{event.detail}{event.object_repr}"


def test_a_login_changes_no_account(client, station_user_a, mark):
    client.post(STATION_LOGIN, {"username": "station_a", "password": PASSWORD})

    assert events_after(mark, Kind.ACCOUNT) == []


def test_roles_given_and_taken_from_either_side(db, mark):
    user = UserFactory(username="newcomer", first_name="新人")
    auditors = Group.objects.get(name=roles.AUDITOR)
    user.groups.add(auditors)
    user.groups.remove(auditors)
    auditors.user_set.add(user)
    user.groups.clear()

    events = events_after(mark, Kind.ACCOUNT)
    assert [(event.object_repr, event.fields, event.detail) for event in events] == [
        ("新人（newcomer）", "", "新建账号"),
        ("新人（newcomer）", "password", "修改账号"),  # the factory sets the password after creating
        ("新人（newcomer）", "groups", f"加入：{roles.AUDITOR}"),
        ("新人（newcomer）", "groups", f"移出：{roles.AUDITOR}"),
        ("新人（newcomer）", "groups", f"加入：{roles.AUDITOR}"),
        ("新人（newcomer）", "groups", f"移出：{roles.AUDITOR}"),
    ]


# --- review --------------------------------------------------------------------------------


def test_approve_and_return_of_a_record(bureau_user, township_a, mark):
    approved = PersonFactory(name="王通过", township=township_a, review_status=ReviewStatus.SUBMITTED)
    returned = PersonFactory(name="王退回", township=township_a, review_status=ReviewStatus.SUBMITTED)

    record_review(record=approved, by=bureau_user, approve=True)
    record_review(record=returned, by=bureau_user, approve=False, reason="缺少退伍证")

    events = events_after(mark, Kind.APPROVE, Kind.RETURN)
    assert [(event.kind, event.username, event.object_repr) for event in events] == [
        (Kind.APPROVE, "clerk", "王通过"),
        (Kind.RETURN, "clerk", "王退回"),
    ]
    assert {event.detail for event in events} == {""}  # the reason is free text: it stays on the record


def test_approve_and_return_of_a_proposed_change(bureau_user, mark):
    approved, returned = PendingChangeFactory(), PendingChangeFactory()

    change_review(change=approved, by=bureau_user, approve=True)
    change_review(change=returned, by=bureau_user, approve=False, reason="电话有误")

    events = events_after(mark, Kind.APPROVE, Kind.RETURN)
    assert [(event.kind, event.username, event.content_type.model, event.object_id) for event in events] == [
        (Kind.APPROVE, "clerk", "pendingchange", str(approved.pk)),
        (Kind.RETURN, "clerk", "pendingchange", str(returned.pk)),
    ]
    assert PendingChange.objects.get(pk=returned.pk).status == PendingChange.Status.RETURNED


# --- exports and downloads -----------------------------------------------------------------


def test_every_export_log_row_is_an_export_event(bureau_user, mark):
    log = ExportLog.objects.create(user=bureau_user, kind="人员名册", file_format="xlsx", row_count=12, unmasked=True)

    [event] = events_after(mark, Kind.EXPORT)
    assert (event.user_id, event.username, event.object_id) == (bureau_user.pk, "clerk", str(log.pk))
    assert event.detail == "人员名册 xlsx 12 行，含未遮蔽的个人信息"


def test_every_report_download_is_a_download_event(leader, mark):
    run = AnnualReportRunFactory()
    run.downloads.create(user=leader, file_format="docx")

    [event] = events_after(mark, Kind.DOWNLOAD)
    assert (event.username, event.object_repr, event.detail) == ("leader", str(run), "docx")


def test_a_protected_file_served_is_a_download_event(client_for, bureau_user, township_a, mark):
    fair = JobFairFactory(township=township_a)
    attachment = Attachment(content_type=ContentType.objects.get_for_model(fair), object_id=fair.pk, title="会议纪要")
    attachment.file.save("minutes.pdf", ContentFile(b"%PDF-1.4"), save=True)

    response = client_for(bureau_user).get(attachment.file.url)

    assert response.status_code == 200
    [event] = events_after(mark, Kind.DOWNLOAD)
    assert summary(event) == (Kind.DOWNLOAD, bureau_user.pk, "clerk", "会议纪要", "127.0.0.1", attachment.file.url)


# --- the auditor's list and export ---------------------------------------------------------


@pytest.fixture
def trail(db):
    """Three events the auditor looks at, one of them with a username a spreadsheet would run."""
    return [
        AuditEventFactory(kind=Kind.LOGIN, user=None, username="zhang", content_type=None),
        AuditEventFactory(kind=Kind.LOGIN_FAILED, user=None, username="=HYPERLINK(1)", content_type=None),
        AuditEventFactory(kind=Kind.EXPORT, user=None, username="zhang", content_type=None, object_repr="人员名册"),
    ]


def listed_ids(response) -> set[int]:
    return {event.pk for event in response.context["cl"].result_list}


def test_the_auditor_lists_filters_and_searches_the_trail(client_for, auditor, trail):
    client = client_for(auditor)
    client.get(AUDIT_LIST)  # the first page of the site writes its profile (and so an event)
    every = set(AuditEvent.objects.values_list("pk", flat=True))

    assert listed_ids(client.get(AUDIT_LIST)) == every
    assert listed_ids(client.get(AUDIT_LIST, {"kind__exact": "login_failed"})) == {trail[1].pk}
    assert listed_ids(client.get(AUDIT_LIST, {"q": "zhang"})) == {trail[0].pk, trail[2].pk}
    assert listed_ids(client.get(AUDIT_LIST, {"q": "人员名册"})) == {trail[2].pk}
    year = timezone.localdate().year
    assert listed_ids(client.get(AUDIT_LIST, {"created_at__year": year - 1})) == set()


def test_the_auditor_filters_by_user_and_by_the_portals_own_record_types(client_for, auditor, bureau_user, trail):
    person_type = ContentType.objects.get_for_model(Person)
    by_clerk = AuditEventFactory(kind=Kind.UPDATE, user=bureau_user, username="clerk", content_type=person_type)
    client = client_for(auditor)

    assert listed_ids(client.get(AUDIT_LIST, {"user__id__exact": bureau_user.pk})) == {by_clerk.pk}
    assert listed_ids(client.get(AUDIT_LIST, {"content_type__id__exact": person_type.pk})) == {by_clerk.pk}
    page = client.get(AUDIT_LIST)
    [types] = [spec for spec in page.context["cl"].filter_specs if spec.title == "对象类型"]
    names = [name for _, name in types.lookup_choices]
    assert "人员" in names and "报告年度" in names
    assert len(names) == len(set(names))  # no name twice
    assert [name for name in names if any(word in name for word in ("access", "Axes", "认证令牌", "变更记录"))] == []


def test_the_auditor_exports_the_filtered_list_with_formulas_escaped(client_for, auditor, trail, mark):
    client = client_for(auditor)
    assert 'class="export_link"' in client.get(AUDIT_LIST).content.decode()

    response = client.get(AUDIT_EXPORT, {"kind__in": "login_failed,export"})

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert list(rows[0]) == EXPORT_COLUMNS
    assert [row[1:3] for row in rows[1:]] == [("导出", "zhang"), ("登录失败", "'=HYPERLINK(1)")]
    log = ExportLog.objects.get(user=auditor)
    assert (log.kind, log.file_format, log.row_count) == ("审计事件", "xlsx", 2)
    [event] = events_after(mark, Kind.EXPORT)
    assert (event.username, event.detail) == ("auditor", "审计事件 xlsx 2 行")


@pytest.mark.parametrize("role", ["bureau_user", "leader", "station_user_a", "sysadmin", "secadmin"])
def test_other_roles_may_not_open_the_trail(client_for, role, request, trail):
    client = client_for(request.getfixturevalue(role))

    for url in (AUDIT_LIST, AUDIT_EXPORT):
        response = client.get(url)
        # The admin sends a station user (not staff) to its login page; staff get a 403.
        assert response.status_code == (302 if role == "station_user_a" else 403)
    assert ExportLog.objects.count() == 0


def test_nobody_adds_changes_or_deletes_an_event_not_even_a_superuser(client_for, superuser, trail):
    client = client_for(superuser)
    event = trail[0]

    assert client.get(reverse("admin:bureau_auditevent_add")).status_code == 403
    change_url = reverse("admin:bureau_auditevent_change", args=[event.pk])
    assert client.post(change_url, {"username": "someone"}).status_code == 403
    assert client.post(reverse("admin:bureau_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).username == "zhang"


# --- retention and the append-only rule ----------------------------------------------------


def test_purge_removes_only_events_older_than_the_retention(settings, db):
    settings.AUDIT_RETENTION_DAYS = 190
    now = timezone.now()
    old = AuditEventFactory(created_at=now - datetime.timedelta(days=191))
    young = AuditEventFactory(created_at=now - datetime.timedelta(days=189))
    output = io.StringIO()

    call_command("purge_audit", stdout=output)

    assert output.getvalue() == "已删除 1 条超过 190 天的审计事件。\n"
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_the_retention_never_drops_under_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 30

    assert audit.retention_days() == 183


def test_the_orm_refuses_to_change_or_delete_events(db):
    event = AuditEventFactory()

    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.username = "x"
    with pytest.raises(AuditRefused):
        event.save()
    with pytest.raises(AuditRefused):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).username == event.user.username


def raw(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_update(db):
    event = AuditEventFactory()

    with pytest.raises(DatabaseError, match="审计记录只能追加，不能修改"):
        raw("UPDATE bureau_auditevent SET username = %s WHERE id = %s", ["x", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).username == event.user.username


def test_a_raw_delete_of_a_young_event_is_refused_on_postgresql(db):
    young = AuditEventFactory()
    old = AuditEventFactory(created_at=timezone.now() - datetime.timedelta(days=200))
    delete = "DELETE FROM bureau_auditevent WHERE id = %s"

    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="审计记录保存未满六个月，不能删除"):
            raw(delete, [young.pk])
        assert AuditEvent.objects.filter(pk=young.pk).exists()
    else:
        # SQLite (the embedded default) has no delete trigger: Django's test flush deletes rows.
        raw(delete, [young.pk])
        assert not AuditEvent.objects.filter(pk=young.pk).exists()
    raw(delete, [old.pk])
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_beat_schedule_purges_the_trail_daily(db):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from bureau.models import AuditEvent
    from bureau.tasks import purge_audit_events

    entry = settings.CELERY_BEAT_SCHEDULE["purge-audit-events"]
    old = AuditEvent(kind=AuditEvent.Kind.LOGIN, username="old", created_at=timezone.now() - timedelta(days=400))
    old.save()
    AuditEvent(kind=AuditEvent.Kind.LOGIN, username="young").save()

    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    assert entry["task"] == purge_audit_events.name
    assert purge_audit_events.apply().get() == 1
    assert list(AuditEvent.objects.values_list("username", flat=True)) == ["young"]
