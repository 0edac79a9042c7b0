"""
The station's to-do list is composed from the areas' declarations (`AreaConfig.todo`): with the kit
area's one expectation (a grant once per 困难退役军人 of the township, by 30 June), the list of a
constructed township is exactly the planted rows, plus the core's returned records and the changes
waiting for the bureau, and each row leaves the list when its record is submitted.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bureau import roles
from bureau.models import Notice, PendingChange, Person, ReviewStatus
from bureau.models.categories import PreferentialCategory
from bureau.rules import todo
from bureau.rules.services import change_review, record_save
from bureau.rules.todo import Expectation, Row, Tally, completion_notices, expectations
from bureau.station.todo import RETURNED_KEY, WAITING_KEY, station_todo, station_todo_count
from tests.conftest import make_persona
from tests.factories import PersonCategoryFactory, PersonFactory, TownshipFactory, UserFactory
from tests.kit_area.factories import GrantFactory
from tests.kit_area.models import Grant

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
BEFORE_DUE = datetime.date(YEAR, 3, 1)
AFTER_DUE = datetime.date(YEAR, 8, 1)
GRANTED = datetime.date(YEAR, 1, 1)


def hardship(name: str, township) -> Person:
    person = PersonFactory(name=name, township=township)
    PersonCategoryFactory(person=person, category=PreferentialCategory.HARDSHIP_VETERAN)
    return person


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="E01", name="东城街道", order=1)
        west = TownshipFactory(code="W01", name="西城街道", order=2)
        station = UserFactory(username="east", township=east, groups=[roles.STATION_STAFF])
        west_station = UserFactory(username="west", township=west, groups=[roles.STATION_STAFF])
        clerk = make_persona("bureau_user")
        submitted = hardship("王一", east)
        GrantFactory(person=submitted, granted_on=GRANTED, review_status=ReviewStatus.SUBMITTED)
        missing = hardship("王二", east)
        returned_person = hardship("王三", east)
        returned = GrantFactory(
            person=returned_person, granted_on=GRANTED, review_status=ReviewStatus.RETURNED, return_reason="金额有误"
        )
        approved = GrantFactory(person=hardship("王五", east), granted_on=GRANTED, amount=Decimal("800.00"))
        # Last year's grant does not close this year's row; a person without the category is not expected.
        GrantFactory(person=missing, granted_on=datetime.date(YEAR - 1, 5, 1))
        PersonFactory(name="王四", township=east, review_status=ReviewStatus.RETURNED, return_reason="身份证号有误")
        hardship("李一", west)  # another township's row is never in the east's list
        # The station proposes a change of an approved grant: it waits for the bureau.
        approved.amount = Decimal("900.00")
        record_save(record=approved, by=station)
        yield {
            "east": east,
            "west": west,
            "station": station,
            "west_station": west_station,
            "clerk": clerk,
            "missing": missing,
            "returned": returned,
            "approved": approved,
        }
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def kit_area_only(monkeypatch):
    """The kit area's declaration alone (read as every other): the figures stay exact whatever the real areas declare."""
    declared = todo.declared_functions
    monkeypatch.setattr(todo, "declared_functions", lambda: [(a, f) for a, f in declared() if a == "测试领域"])


def labels(listing, key) -> list[str]:
    group = next(group for group in listing.groups if group.key == key)
    return [row.label for row in group.rows]


def test_the_expectations_are_every_areas_declaration_tagged_with_its_area(data):
    found = expectations(township=data["east"], year=YEAR, today=BEFORE_DUE)

    kit = [e for e in found if e.key == "kit_area.grant"]
    assert [(e.area, e.label, e.unit) for e in kit] == [("测试领域", "困难退役军人测试补助", "人")]
    assert [(row.label, row.done) for row in kit[0].rows] == [
        ("王一", True),
        ("王三", False),
        ("王二", False),
        ("王五", True),
    ]
    assert kit[0].tally(BEFORE_DUE) == Tally(expected=4, done=2, late=0)
    assert kit[0].tally(AFTER_DUE) == Tally(expected=4, done=2, late=2)


def test_the_station_list_is_exactly_the_planted_rows_and_the_cores(data):
    listing = station_todo(data["station"], today=BEFORE_DUE)

    assert labels(listing, "kit_area.grant") == ["王三", "王二"]
    # Record types in a fixed order (bureau.person before kit_area.grant), newest first within one.
    assert labels(listing, RETURNED_KEY) == ["人员：王四", f"测试补助：王三（{GRANTED:%Y-%m-%d}）"]
    assert labels(listing, WAITING_KEY) == [f"测试补助：王五（{GRANTED:%Y-%m-%d}）"]
    assert listing.count == 4  # the changes waiting for the bureau are information, not to do
    assert station_todo_count(data["station"], today=BEFORE_DUE) == 4
    missing = next(
        row for row in next(g for g in listing.groups if g.key == "kit_area.grant").rows if row.label == "王二"
    )
    assert missing.url == f"/station/kit_area/grants/new/?person={data['missing'].pk}"
    assert missing.detail == "未发放测试补助"
    returned = next(g for g in listing.groups if g.key == RETURNED_KEY).rows
    assert {row.url for row in returned} >= {f"/station/kit_area/grants/{data['returned'].pk}/"}
    assert {row.detail for row in returned} == {"退回原因：金额有误", "退回原因：身份证号有误"}


def test_late_rows_come_first_the_longest_overdue_first():
    rows = (
        Row("未到期", done=False, url="/a/", due=datetime.date(YEAR, 9, 1)),
        Row("无期限", done=False, url="/b/"),
        Row("逾期较短", done=False, url="/c/", due=datetime.date(YEAR, 7, 1)),
        Row("已办", done=True, url="/d/", due=datetime.date(YEAR, 1, 1)),
        Row("逾期较长", done=False, url="/e/", due=datetime.date(YEAR, 2, 1)),
    )
    expectation = Expectation(key="kit_area.example", label="示例", rows=rows)

    assert [row.label for row in expectation.open_rows(AFTER_DUE)] == ["逾期较长", "逾期较短", "未到期", "无期限"]
    assert expectation.tally(AFTER_DUE) == Tally(expected=5, done=1, late=2)


def test_another_townships_list_holds_none_of_these_rows(data):
    listing = station_todo(data["west_station"], today=BEFORE_DUE)

    assert labels(listing, "kit_area.grant") == ["李一"]
    assert labels(listing, RETURNED_KEY) == []
    assert labels(listing, WAITING_KEY) == []
    assert listing.count == 1


def test_a_row_leaves_the_list_when_its_grant_is_submitted_through_the_station_form(data, client):
    client.force_login(data["station"])
    response = client.post(
        "/station/kit_area/grants/new/",
        {"person": data["missing"].pk, "amount": "500.00", "granted_on": f"{YEAR}-01-01", "bank_account": ""},
    )

    assert response.status_code == 302, response.content.decode()
    assert labels(station_todo(data["station"], today=BEFORE_DUE), "kit_area.grant") == ["王三"]


def test_a_returned_record_leaves_both_lists_when_submitted_again(data):
    returned = Grant.objects.get(pk=data["returned"].pk)
    returned.amount = Decimal("600.00")
    record_save(record=returned, by=data["station"])
    person = Person.objects.get(name="王四")
    record_save(record=person, by=data["station"])

    listing = station_todo(data["station"], today=BEFORE_DUE)
    assert labels(listing, "kit_area.grant") == ["王二"]
    assert labels(listing, RETURNED_KEY) == []
    assert listing.count == 1


def test_a_waiting_change_leaves_the_list_when_the_bureau_decides(data):
    change = PendingChange.objects.pending().get()
    change_review(change=change, by=data["clerk"], approve=True)

    assert labels(station_todo(data["station"], today=BEFORE_DUE), WAITING_KEY) == []


def test_the_count_and_the_list_cost_the_same_queries_with_more_rows(data):
    def queries(function) -> int:
        with CaptureQueriesContext(connection) as captured:
            function(data["station"], today=BEFORE_DUE)
        return len(captured)

    station_todo(data["station"], today=BEFORE_DUE)  # Django's content types are cached on the first use
    before = (queries(station_todo), queries(station_todo_count))
    for n in range(5):
        GrantFactory(person=hardship(f"赵{n}", data["east"]), granted_on=GRANTED, review_status=ReviewStatus.RETURNED)
        PersonFactory(name=f"钱{n}", township=data["east"], review_status=ReviewStatus.RETURNED)
        proposed = GrantFactory(person=PersonFactory(name=f"孙{n}", township=data["east"]), granted_on=GRANTED)
        proposed.amount = Decimal("1.00")
        record_save(record=proposed, by=data["station"])  # waits for the bureau
    after = (queries(station_todo), queries(station_todo_count))

    assert station_todo_count(data["station"], today=BEFORE_DUE) == 4 + 5 + 10
    assert len(labels(station_todo(data["station"], today=BEFORE_DUE), WAITING_KEY)) == 1 + 5
    assert after == before


# --- the page ----------------------------------------------------------------------------------


def test_the_todo_page_lists_the_rows_with_links_and_counts(data, client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: AFTER_DUE)
    client.force_login(data["station"])

    response = client.get("/station/todo/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "待办事项（4）" in body
    assert "测试领域（2）" in body
    assert "困难退役军人测试补助：2人，逾期 2人" in body
    assert f'<a href="/station/kit_area/grants/new/?person={data["missing"].pk}">去办理</a>' in body
    assert body.count(">逾期</span>") == 2
    assert "退回修改的记录：2条" in body
    assert "等待区局审核的修改：1条" in body
    assert response.context["todo_count"] == 4


def test_a_station_with_nothing_to_do_sees_the_empty_state(data, client):
    Grant.objects.create(
        person=Person.objects.get(name="李一"),
        amount=1,
        granted_on=GRANTED,
        township=data["west"],
        review_status=ReviewStatus.SUBMITTED,
    )
    client.force_login(data["west_station"])

    response = client.get("/station/todo/")

    assert "暂无待办事项。" in response.content.decode()
    assert response.context["todo_count"] == 0


def test_bureau_staff_are_sent_to_the_admin(data, client):
    client.force_login(data["clerk"])

    assert client.get("/station/todo/").status_code == 403


# --- the bureau's notice --------------------------------------------------------------------------


def test_the_bureau_is_told_once_when_the_station_completes_its_expectation(data):
    returned = Grant.objects.get(pk=data["returned"].pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        record_save(record=returned, by=data["station"])
    assert not Notice.objects.exists()  # 王二 still has no grant

    missing = Grant(person=data["missing"], amount=Decimal("500.00"), granted_on=GRANTED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        record_save(record=missing, by=data["station"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        record_save(record=Grant.objects.get(pk=missing.pk), by=data["station"])

    notice = Notice.objects.get()
    assert (notice.audience, notice.township, notice.key) == (
        Notice.Audience.BUREAU,
        data["east"],
        f"complete:kit_area.grant:{data['east'].pk}:{YEAR}",
    )
    assert notice.text == f"东城街道已完成{YEAR}年困难退役军人测试补助（4/4）。"
    assert notice.url == f"/dashboard/completeness/kit_area.grant/{data['east'].pk}/?year={YEAR}&state=done"
    assert completion_notices(township=data["east"]) == []


def test_a_broken_declaration_leaves_the_station_pages_up_without_a_badge(data, client, monkeypatch):
    def broken(*, township, year, today):
        raise RuntimeError("an area's bug")

    monkeypatch.setattr("bureau.rules.todo.declared_functions", lambda: [("测试领域", broken)])
    client.force_login(data["station"])

    response = client.get("/station/")

    assert response.status_code == 200
    assert response.context["todo_count"] is None
