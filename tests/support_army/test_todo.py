"""
The support-army expectations of a station (support_army.todo): the returning veterans of a
constructed township and its merit notices are exactly the planted rows, never another township's;
each row is done once the station submits its record through its own pages; a row is late exactly
when its due day has passed undone; and each function costs the same queries with 1 row or 5.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from bureau import roles
from bureau.models import Merit, ReviewStatus
from support_army import todo
from support_army.models import HomecomingStep
from tests.factories import MeritFactory, PersonFactory, TownshipFactory, UserFactory
from tests.support_army.factories import (
    HomecomingRegistrationFactory,
    HomecomingStepCompletionFactory,
    MeritNoticeFactory,
    SoldierFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(2025, 10, 15)
D = datetime.date


def veteran(township, name, discharged_on, **kwargs):
    return PersonFactory(township=township, name=name, discharged_on=discharged_on, **kwargs)


def registered(person, *, steps, status=ReviewStatus.APPROVED, received_on=None):
    received_on = received_on or person.discharged_on + datetime.timedelta(days=3)
    registration = HomecomingRegistrationFactory(person=person, received_on=received_on, review_status=status)
    for step in steps:
        HomecomingStepCompletionFactory(registration=registration, step=step, done_on=received_on)
    return registration


def notice(township, name, merit_year, delivered_on=None):
    soldier = SoldierFactory(township=township, name=name)
    merit = MeritFactory(person=soldier, year=merit_year, level=Merit.Level.THIRD_CLASS)
    return MeritNoticeFactory(soldier=soldier, merit=merit, delivered_on=delivered_on)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        steps = list(HomecomingStep.objects.filter(active=True).order_by("order", "pk"))
        HomecomingStep.objects.create(name="停用的事项", order=99, active=False)
        town = TownshipFactory(code="TODO1", name="待办镇")
        other = TownshipFactory(code="TODO2", name="别处镇")
        people = {
            "unregistered": veteran(town, "周未报", D(2025, 3, 1)),
            "open": veteran(town, "吴未完", D(2025, 9, 15)),
            "complete": veteran(town, "郑办完", D(2025, 6, 1)),
            "returned": veteran(town, "卫退回", D(2025, 8, 1)),
        }
        registrations = {
            "open": registered(people["open"], steps=steps[:-2]),
            "complete": registered(people["complete"], steps=steps, status=ReviewStatus.SUBMITTED),
            "returned": registered(people["returned"], steps=steps, status=ReviewStatus.RETURNED),
        }
        # Not expected: moved out, discharged after today, discharged last year, another township's.
        veteran(town, "冯迁出", D(2025, 2, 1), moved_out_on=D(2025, 5, 1))
        veteran(town, "陈下月", D(2025, 11, 1))
        veteran(town, "褚去年", D(2024, 12, 20))
        veteran(other, "蒋别处", D(2025, 4, 1))

        notices = {
            "this_year": notice(town, "钱今年", 2025),
            "last_year": notice(town, "孙去年", 2024),
            "delivered": notice(town, "李已送", 2024, delivered_on=D(2025, 2, 4)),
            "after_today": notice(town, "刘后送", 2024, delivered_on=D(2025, 11, 1)),
        }
        # Not expected: delivered before the year, a merit of next year, another township's.
        notice(town, "赵早送", 2023, delivered_on=D(2024, 2, 1))
        notice(town, "王明年", 2026)
        notice(other, "韩别处", 2025)

        # Two townships of 1 and 5 rows each, for the query counts.
        small, large = TownshipFactory(code="TODO3"), TownshipFactory(code="TODO4")
        for township, size in ((small, 1), (large, 5)):
            for n in range(size):
                person = veteran(township, f"计数{n}", D(2025, 5, 1 + n))
                if n % 2:
                    registered(person, steps=steps[:n])
                notice(township, f"计数兵{n}", 2025 - n % 2, delivered_on=D(2025, 3, 1) if n % 3 == 0 else None)
        user = UserFactory(username="todo_station", township=town, groups=[roles.STATION_STAFF])
        yield {
            "town": town,
            "other": other,
            "small": small,
            "large": large,
            "steps": steps,
            "people": people,
            "registrations": registrations,
            "notices": notices,
            "user": user,
        }
        transaction.set_rollback(True)


def rows_by_label(expectation):
    return {row.label: row for row in expectation.rows}


def page_key(client, url: str) -> str:
    return client.get(url).context["submission_key"]


# --- 返乡报到 -------------------------------------------------------------------------------------


def test_homecoming_rows_are_the_townships_veterans_discharged_this_year_and_present(dataset):
    expectation = todo.homecoming(township=dataset["town"], year=YEAR, today=TODAY)
    steps = dataset["steps"]
    registrations = dataset["registrations"]
    assert expectation.key == "support_army.homecoming" and expectation.unit == "人"
    assert [(r.label, r.done, r.due, r.detail) for r in expectation.rows] == [
        ("周未报（2025年3月退役）", False, D(2025, 3, 31), "未报到"),
        ("郑办完（2025年6月退役）", True, D(2025, 7, 1), ""),
        ("卫退回（2025年8月退役）", False, D(2025, 8, 31), "报到登记已退回，待重新提交"),
        ("吴未完（2025年9月退役）", False, D(2025, 10, 15), f"未办结：{steps[-2].name}、{steps[-1].name}"),
    ]
    urls = [row.url for row in expectation.rows]
    assert urls == [
        reverse("station:support_army:homecoming_create") + f"?person={dataset['people']['unregistered'].pk}",
        reverse("station:support_army:homecoming_checklist", args=[registrations["complete"].pk]),
        reverse("station:support_army:homecoming_edit", args=[registrations["returned"].pk]),
        reverse("station:support_army:homecoming_checklist", args=[registrations["open"].pk]),
    ]
    admin = reverse("admin:support_army_homecomingregistration_change", args=[registrations["complete"].pk])
    assert expectation.rows[1].admin_url == admin


def test_homecoming_of_another_township_is_its_own(dataset):
    rows = todo.homecoming(township=dataset["other"], year=YEAR, today=TODAY).rows
    assert [r.label for r in rows] == ["蒋别处（2025年4月退役）"]


def test_homecoming_row_is_late_exactly_when_due_has_passed_undone(dataset):
    rows = todo.homecoming(township=dataset["town"], year=YEAR, today=TODAY).rows
    # 周未报 due 3-31 undone: late; 郑办完 done; 卫退回 due 8-31 undone: late; 吴未完 due today: not yet.
    assert [r.late_on(TODAY) for r in rows] == [True, False, True, False]
    assert [r.late_on(TODAY + datetime.timedelta(days=1)) for r in rows] == [True, False, True, True]


def test_homecoming_row_is_done_once_the_station_registers_and_completes_the_checklist(client, dataset):
    person = dataset["people"]["unregistered"]
    client.force_login(dataset["user"])
    row = rows_by_label(todo.homecoming(township=dataset["town"], year=YEAR, today=TODAY))["周未报（2025年3月退役）"]
    page = client.get(row.url)
    assert page.context["form"]["person"].value() == person.pk  # the link preselects him

    create = reverse("station:support_army:homecoming_create")
    data = {"person": person.pk, "received_on": "2025-10-10", "welcomed": "on", "note": ""}
    response = client.post(create, {**data, "submission_key": page.context["submission_key"]})
    assert response.status_code == 302
    row = rows_by_label(todo.homecoming(township=dataset["town"], year=YEAR, today=TODAY))["周未报（2025年3月退役）"]
    assert not row.done and row.detail == "未办结：" + "、".join(s.name for s in dataset["steps"])

    checklist = row.url
    assert checklist.endswith("/checklist/")
    data = {"steps": [s.pk for s in dataset["steps"]], "done_on": "2025-10-12"}
    response = client.post(checklist, {**data, "submission_key": page_key(client, checklist)})
    assert response.status_code == 302
    row = rows_by_label(todo.homecoming(township=dataset["town"], year=YEAR, today=TODAY))["周未报（2025年3月退役）"]
    assert row.done and row.detail == "" and not row.late_on(TODAY)


def test_homecoming_records_after_today_do_not_count_yet(dataset):
    rows = rows_by_label(todo.homecoming(township=dataset["town"], year=YEAR, today=D(2025, 6, 3)))
    # On 3 June: 郑办完 (registered 4 June) had not reported; 卫退回 and 吴未完 were not discharged yet.
    assert [(label, row.done, row.detail) for label, row in rows.items()] == [
        ("周未报（2025年3月退役）", False, "未报到"),
        ("郑办完（2025年6月退役）", False, "未报到"),
    ]


def test_a_preselected_person_of_another_township_is_not_offered(client, dataset):
    client.force_login(dataset["user"])
    stranger = PersonFactory(township=dataset["other"], name="蒋外镇", discharged_on=D(2025, 4, 1))
    url = reverse("station:support_army:homecoming_create")
    content = client.get(f"{url}?person={stranger.pk}").content.decode()
    assert "蒋外镇" not in content
    assert client.get(f"{url}?person=abc").status_code == 200


# --- 立功送喜报 -----------------------------------------------------------------------------------


def test_merit_notice_rows_are_those_of_the_year_and_those_still_due_when_it_began(dataset):
    expectation = todo.merit_notices(township=dataset["town"], year=YEAR, today=TODAY)
    assert expectation.key == "support_army.merit_notices" and expectation.unit == "份"
    assert sorted((r.label, r.done, r.due, r.detail) for r in expectation.rows) == sorted(
        [
            ("孙去年（2024年三等功）", False, D(2025, 3, 31), "喜报未送达"),
            ("李已送（2024年三等功）", True, D(2025, 3, 31), ""),
            ("刘后送（2024年三等功）", False, D(2025, 3, 31), "喜报未送达"),
            ("钱今年（2025年三等功）", False, D(2026, 3, 31), "喜报未送达"),
        ]
    )
    deliver = reverse("station:support_army:notice_deliver")
    assert {r.url for r in expectation.rows if not r.done} == {deliver}
    other = todo.merit_notices(township=dataset["other"], year=YEAR, today=TODAY)
    assert [r.label for r in other.rows] == ["韩别处（2025年三等功）"]


def test_merit_notice_row_is_late_exactly_when_due_has_passed_undone(dataset):
    rows = rows_by_label(todo.merit_notices(township=dataset["town"], year=YEAR, today=TODAY))
    assert {label for label, row in rows.items() if row.late_on(TODAY)} == {
        "孙去年（2024年三等功）",
        "刘后送（2024年三等功）",
    }
    assert not rows["钱今年（2025年三等功）"].late_on(D(2026, 3, 31))
    assert rows["钱今年（2025年三等功）"].late_on(D(2026, 4, 1))


def test_merit_notice_rows_are_done_once_the_station_delivers_them(client, dataset):
    notices = dataset["notices"]
    client.force_login(dataset["user"])
    deliver = reverse("station:support_army:notice_deliver")
    data = {
        "notices": [notices["this_year"].pk, notices["last_year"].pk],
        "delivered_on": "2025-10-14",
        "delivered_by": "服务站站长",
    }
    response = client.post(deliver, {**data, "submission_key": page_key(client, deliver)})
    assert response.status_code == 302
    rows = rows_by_label(todo.merit_notices(township=dataset["town"], year=YEAR, today=TODAY))
    assert {label for label, row in rows.items() if not row.done} == {"刘后送（2024年三等功）"}
    # Delivered in 2025: no longer rows of 2026's list, which has 2026's merit.
    rows_2026 = todo.merit_notices(township=dataset["town"], year=2026, today=D(2026, 1, 5)).rows
    assert [r.label for r in rows_2026] == ["王明年（2026年三等功）"]


# --- the query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "queries"), [(todo.homecoming, 4), (todo.merit_notices, 1)], ids=["homecoming", "notices"]
)
def test_query_count_does_not_depend_on_the_rows(dataset, django_assert_num_queries, function, queries):
    sizes = []
    for township in (dataset["small"], dataset["large"]):
        with django_assert_num_queries(queries):
            sizes.append(len(function(township=township, year=YEAR, today=TODAY).rows))
    assert sizes == [1, 5]
