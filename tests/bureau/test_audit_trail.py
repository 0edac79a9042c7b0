"""
The auditor's trail (issue 28): the auditor's home leads to it first; the admin index groups the
history pages under one 「变更记录」 entry per area; the audit list filters by the township of the
acting account and by a range of dates (both days included, in the portal's time zone; a date
that is no date is a Chinese message, never a 500), and the export follows the same filters.
"""

import datetime
import io
import re
from collections import Counter

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bureau import roles
from bureau.admin.filters import parse_date
from bureau.models import AuditEvent, Person
from bureau.sites import is_history_model
from tests.conftest import make_persona
from tests.factories import AuditEventFactory, TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
AUDIT_LIST = reverse("admin:bureau_auditevent_changelist")
AUDIT_EXPORT = reverse("admin:bureau_auditevent_export")
HISTORY_INDEX = reverse("admin:history_index")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of March 2026 in the portal's time zone (Asia/Shanghai)."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township_a = TownshipFactory(code="A01", name="甲镇", order=1)
        township_b = TownshipFactory(code="B01", name="乙镇", order=2)
        station_a = UserFactory(username="station_a", township=township_a, groups=[roles.STATION_STAFF])
        station_b = UserFactory(username="station_b", township=township_b, groups=[roles.STATION_STAFF])
        clerk = make_persona("bureau_user")
        auditor = make_persona("auditor")
        person_type = ContentType.objects.get_for_model(Person)

        def event(user, kind, moment, **fields):
            return AuditEventFactory(
                user=user, kind=kind, created_at=moment, content_type=person_type, object_id="1", **fields
            )

        events = {
            "a_first": event(station_a, Kind.UPDATE, at(1, 0, 0), object_repr="张甲", fields="phone"),
            "a_late": event(station_a, Kind.SENSITIVE_VIEW, at(5, 23, 30), object_repr="张甲", fields="id_number"),
            # 00:10 in Shanghai on the 6th is still the 5th in UTC: outside a range that ends on the 5th.
            "a_next_day": event(station_a, Kind.EXPORT, at(6, 0, 10)),
            "a_before": event(station_a, Kind.LOGIN, at(1, 0, 0) - datetime.timedelta(minutes=1)),
            "b": event(station_b, Kind.UPDATE, at(2, 9)),
            "clerk": event(clerk, Kind.APPROVE, at(3, 9), object_repr="王" * 60, fields="name, phone, " * 12),
        }
        client = Client()
        client.force_login(auditor)
        clerk_client = Client()
        clerk_client.force_login(clerk)
        yield {
            "events": events,
            "auditor": client,
            "clerk": clerk_client,
            "township_a": township_a,
            "station_a": station_a,
        }
        transaction.set_rollback(True)


def listed(response) -> set[str]:
    """The dataset's names of the events the list shows ("other" for any event not planted)."""
    assert response.status_code == 200
    ids = {event.pk for event in response.context["cl"].result_list}
    planted = {event.pk: name for name, event in response.planted.items()}
    return {planted.get(pk, "other") for pk in ids}


def get_list(dataset, **params):
    response = dataset["auditor"].get(AUDIT_LIST, params)
    response.planted = dataset["events"]
    return response


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the filters -----------------------------------------------------------------------------


def test_the_township_filter_shows_the_events_of_that_townships_accounts(dataset):
    response = get_list(dataset, township=dataset["township_a"].pk)

    assert listed(response) == {"a_first", "a_late", "a_next_day", "a_before"}
    [spec] = [spec for spec in response.context["cl"].filter_specs if spec.title == "乡镇（操作人所属）"]
    assert [name for _, name in spec.lookup_choices] == ["甲镇", "乙镇"]


def test_a_township_that_is_no_number_is_told_in_chinese(dataset):
    response = get_list(dataset, township="甲镇")

    assert listed(response) == set()
    assert page_messages(response) == ["乡镇选择无效，请在右侧重新选择。"]


def test_the_date_range_includes_both_days_in_the_portals_time_zone(dataset):
    assert listed(get_list(dataset, date_from="2026-03-01", date_to="2026-03-05")) == {
        "a_first",
        "a_late",
        "b",
        "clerk",
    }
    assert listed(get_list(dataset, date_from="2026-03-06", date_to="2026-03-06")) == {"a_next_day"}
    assert listed(get_list(dataset, date_to="2026-02-28")) == {"a_before"}
    # A clerk's way of writing dates is understood too.
    assert listed(get_list(dataset, date_from="2026年3月2日", date_to="2026.3.3")) == {"b", "clerk"}


def test_user_and_date_range_together(dataset):
    response = get_list(dataset, user__id__exact=dataset["station_a"].pk, date_from="2026-03-01", date_to="2026-03-05")

    assert listed(response) == {"a_first", "a_late"}
    body = response.content.decode()
    # The range form keeps the user filter when the dates change.
    form = re.search(r'<form method="get" class="date-range-filter".*?</form>', body, re.S).group(0)
    assert f'<input type="hidden" name="user__id__exact" value="{dataset["station_a"].pk}">' in form
    assert 'value="2026-03-01"' in form and 'value="2026-03-05"' in form


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-02-30"}, "起始日期「2026-02-30」格式不正确（应为 2026-12-01 这样的日期）。"),
        ({"date_to": "昨天"}, "截止日期「昨天」格式不正确（应为 2026-12-01 这样的日期）。"),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "起始日期 2026-03-05 晚于截止日期 2026-03-01。"),
    ],
)
def test_a_bad_date_is_a_chinese_message_and_an_empty_list(dataset, params, message):
    response = get_list(dataset, **params)

    assert response.status_code == 200
    assert listed(response) == set()
    assert page_messages(response) == [message]


def test_dates_are_read_as_clerks_write_them():
    assert (
        parse_date(" 2026-3-1 ") == parse_date("2026/03/01") == parse_date("2026年3月1日") == datetime.date(2026, 3, 1)
    )
    for text in ("2026-02-30", "20260301", "3/1/2026", ""):
        with pytest.raises(ValueError):
            parse_date(text)


def test_the_export_follows_the_user_and_date_filters(dataset):
    params = {"user__id__exact": dataset["station_a"].pk, "date_from": "2026-03-01", "date_to": "2026-03-05"}

    response = dataset["auditor"].get(AUDIT_EXPORT, params)

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    # 涉及字段 by the fields' Chinese labels, not as stored (id_number, phone).
    assert [(row[1], row[2], row[7], row[8]) for row in rows[1:]] == [
        ("查看个人敏感信息", "station_a", "张甲", "身份证号"),
        ("修改", "station_a", "张甲", "联系电话"),
    ]


def test_the_export_with_a_bad_date_is_a_chinese_400(dataset):
    response = dataset["auditor"].get(AUDIT_EXPORT, {"date_from": "2026-13-01"})

    assert response.status_code == 400
    assert response.content.decode() == "起始日期「2026-13-01」格式不正确（应为 2026-12-01 这样的日期）。"


def test_long_cells_are_cut_with_the_whole_text_in_their_title(dataset):
    body = get_list(dataset, user__id__exact=dataset["events"]["clerk"].user_id).content.decode()

    assert f'<span class="audit-cut" title="{"王" * 60}">{"王" * 60}</span>' in body
    assert f'<span class="audit-cut" title="{"、".join(["姓名", "联系电话"] * 12)}">' in body
    assert "/static/css/audit.css" in body


# --- the index -------------------------------------------------------------------------------


def test_the_auditors_first_panel_leads_to_the_trail_and_the_histories(dataset):
    body = dataset["auditor"].get(reverse("admin:index")).content.decode()

    main = body[body.index('<div id="content-main">') :]
    first = re.search(r'<div id="content-main">\s*<div class="module" id="audit-home">(.*?)</div>', main, re.S)
    assert first is not None, "the 审计 panel is not the first thing of the auditor's index"
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', first.group(1))
    assert links[:2] == [(AUDIT_LIST, "审计事件"), (HISTORY_INDEX, "变更记录")]


def test_a_clerk_has_no_audit_panel(dataset):
    body = dataset["clerk"].get(reverse("admin:index")).content.decode()

    assert 'id="audit-home"' not in body


def history_apps() -> set[str]:
    return {model._meta.app_label for model in admin.site._registry if is_history_model(model)}


@pytest.mark.parametrize("who", ["auditor", "clerk"])
def test_the_index_has_one_history_entry_per_area_and_no_history_link_per_record_type(dataset, who):
    body = dataset[who].get(reverse("admin:index")).content.decode()

    assert {"bureau", "employment", "pensions", "reports"} <= history_apps()
    entries = re.findall(rf'href="{HISTORY_INDEX}\?area=([a-z_]+)"', body)
    # Each area once: its 「变更记录」 row links its name and its 「查看」.
    assert Counter(entries) == dict.fromkeys(history_apps(), 2)
    assert body.count(">变更记录</a>") == len(history_apps()) + (who == "auditor")  # and the auditor's panel
    assert not re.search(r'href="/admin/[a-z_]+/historical[a-z]+/"', body)
    assert "人员变更记录" not in body


def test_an_areas_own_index_has_its_history_entry(dataset):
    body = dataset["auditor"].get(reverse("admin:app_list", args=["employment"])).content.decode()

    assert f'href="{HISTORY_INDEX}?area=employment"' in body
    assert not re.search(r'href="/admin/employment/historical[a-z]+/"', body)


# --- the grouped history page ----------------------------------------------------------------


def test_the_history_page_lists_each_areas_record_types(dataset):
    response = dataset["auditor"].get(HISTORY_INDEX)

    assert response.status_code == 200
    assert [area["app_label"] for area in response.context["areas"]] == [
        app["app_label"] for app in admin.site.get_app_list(response.wsgi_request) if app["app_label"] in history_apps()
    ]
    body = response.content.decode()
    assert '<a href="/admin/employment/historicaljobfair/">招聘会变更记录</a>' in body
    assert '<a href="/admin/bureau/historicalperson/">人员变更记录</a>' in body


def test_one_areas_history_page_and_an_unknown_area(dataset):
    one = dataset["auditor"].get(HISTORY_INDEX, {"area": "employment"})

    assert [area["app_label"] for area in one.context["areas"]] == ["employment"]
    assert "就业创业 · 变更记录" in one.content.decode()
    assert "/admin/bureau/historicalperson/" not in one.content.decode()
    assert dataset["auditor"].get(HISTORY_INDEX, {"area": "axes"}).status_code == 404
    # The per-record-type lists stay where they were.
    assert dataset["auditor"].get("/admin/employment/historicaljobfair/").status_code == 200
