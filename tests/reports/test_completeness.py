"""
各服务站完成情况 on the dashboard: the areas' expectations (here the kit area's: a grant once per
困难退役军人 of the township, by 30 June) per township as expected / done / late, a table whose every
count opens its rows, and a stacked bar per township; a station sees its own township only.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from bureau import roles
from bureau.models import Notice, ReviewStatus
from bureau.models.categories import PreferentialCategory
from bureau.rules import todo
from bureau.rules.todo import Tally, completeness
from tests.conftest import make_persona
from tests.factories import PersonCategoryFactory, PersonFactory, TownshipFactory, UserFactory
from tests.kit_area.factories import GrantFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
BEFORE_DUE = datetime.date(YEAR, 3, 1)
AFTER_DUE = datetime.date(YEAR, 8, 1)
GRANTED = datetime.date(YEAR, 1, 1)


def hardship(name: str, township, grant: str | None = None):
    person = PersonFactory(name=name, township=township)
    PersonCategoryFactory(person=person, category=PreferentialCategory.HARDSHIP_VETERAN)
    if grant:
        GrantFactory(person=person, granted_on=GRANTED, review_status=grant, amount=Decimal("100.00"))
    return person


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        east = TownshipFactory(code="E01", name="东城街道", order=1)
        west = TownshipFactory(code="W01", name="西城街道", order=2)
        south = TownshipFactory(code="S01", name="南城街道", order=3)
        hardship("王一", east, ReviewStatus.SUBMITTED)
        hardship("王二", east)
        hardship("王三", east, ReviewStatus.RETURNED)
        hardship("王五", east, ReviewStatus.APPROVED)
        hardship("李一", west, ReviewStatus.APPROVED)
        hardship("李二", west, ReviewStatus.SUBMITTED)
        hardship("赵一", south, ReviewStatus.APPROVED)
        hardship("赵二", south)
        late_last_year = hardship("赵三", south)
        GrantFactory(person=late_last_year, granted_on=datetime.date(YEAR - 1, 3, 1))  # not this year's
        yield {
            "townships": [east, west, south],
            "east": east,
            "west": west,
            "south": south,
            "leader": make_persona("leader"),
            "clerk": make_persona("bureau_user"),
            "station": UserFactory(username="east", township=east, groups=[roles.STATION_STAFF]),
        }
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def kit_area_only(monkeypatch):
    """The kit area's declaration alone (read as every other): the figures stay exact whatever the real areas declare."""
    declared = todo.declared_functions
    monkeypatch.setattr(todo, "declared_functions", lambda: [(a, f) for a, f in declared() if a == "测试领域"])


@pytest.fixture
def after_due(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: AFTER_DUE)


def test_the_figures_are_exact_for_three_townships(data):
    result = completeness(year=YEAR, today=AFTER_DUE, townships=data["townships"])

    assert [(c.key, c.label, c.area) for c in result.columns] == [
        ("kit_area.grant", "困难退役军人测试补助", "测试领域")
    ]
    assert [(line.township.name, line.cells) for line in result.lines] == [
        ("东城街道", (Tally(4, 2, 2),)),
        ("西城街道", (Tally(2, 2, 0),)),
        ("南城街道", (Tally(3, 1, 2),)),
    ]
    assert result.totals == (Tally(9, 5, 4),)
    assert result.total == Tally(9, 5, 4)
    before = completeness(year=YEAR, today=BEFORE_DUE, townships=data["townships"])
    assert before.total == Tally(9, 5, 0)
    # Last year: nobody's grant of that year was planted, so nothing is done and all is late.
    assert completeness(year=YEAR - 1, today=datetime.date(YEAR - 1, 12, 31), townships=data["townships"]).total == (
        Tally(9, 1, 8)
    )


def cell(key, township, state, value, year=YEAR) -> str:
    return f'<a href="/dashboard/completeness/{key}/{township.pk}/?year={year}&amp;state={state}">{value}</a>'


def test_the_dashboard_shows_the_table_and_the_chart(data, client, after_due):
    client.force_login(data["leader"])

    response = client.get(f"/dashboard/?year={YEAR}")

    body = response.content.decode()
    assert f"各服务站完成情况（{YEAR}年，截至 {AFTER_DUE:%Y-%m-%d}）" in body
    assert "测试领域 · 困难退役军人测试补助（人）" in body
    for township, (expected, done, late) in zip(data["townships"], [(4, 2, 2), (2, 2, 0), (3, 1, 2)], strict=True):
        for state, value in (("expected", expected), ("done", done), ("late", late)):
            assert cell("kit_area.grant", township, state, value) in body
    chart = next(c for c in response.context["chart_data"] if c["key"] == "completeness")
    assert chart["categories"] == ["东城街道", "西城街道", "南城街道"]
    assert [(s["name"], s["values"]) for s in chart["series"]] == [
        ("已办", [2, 2, 1]),
        ("未办", [0, 0, 0]),
        ("逾期", [2, 0, 2]),
    ]
    assert json.dumps("completeness") in body  # drawn from the page's chart data by dashboard_charts.js


def test_a_station_sees_its_own_township_only(data, client, after_due):
    client.force_login(data["station"])

    section = client.get(f"/dashboard/?year={YEAR}").context["completeness"]
    assert [line.name for line in section.lines] == ["东城街道"]
    assert client.get(f"/dashboard/completeness/kit_area.grant/{data['east'].pk}/?year={YEAR}").status_code == 200
    refused = client.get(f"/dashboard/completeness/kit_area.grant/{data['west'].pk}/?year={YEAR}")
    assert refused.status_code == 403
    assert "只能查看本乡镇（街道）（东城街道）的数据" in refused.content.decode()


def rows_of(response) -> list[tuple]:
    return [(row.label, row.state, row.due, bool(row.admin_url)) for row in response.context["rows"]]


def test_the_list_page_lists_a_cells_rows(data, client, after_due):
    client.force_login(data["leader"])
    url = f"/dashboard/completeness/kit_area.grant/{data['east'].pk}/?year={YEAR}"
    due = datetime.date(YEAR, 6, 30)

    late = client.get(url + "&state=late")
    assert late.status_code == 200
    assert rows_of(late) == [("王三", "逾期", due, False), ("王二", "逾期", due, False)]
    assert "东城街道 · 困难退役军人测试补助：逾期 2人" in late.content.decode()
    assert [row[:2] for row in rows_of(client.get(url + "&state=done"))] == [("王一", "已办"), ("王五", "已办")]
    assert len(rows_of(client.get(url + "&state=expected"))) == 4
    assert len(rows_of(client.get(url))) == 4  # expected by default


def test_bureau_staff_get_the_admin_link_of_each_row(data, client, after_due):
    client.force_login(data["clerk"])

    response = client.get(f"/dashboard/completeness/kit_area.grant/{data['east'].pk}/?year={YEAR}&state=done")

    assert [row[3] for row in rows_of(response)] == [True, True]
    assert "在后台查看" in response.content.decode()


def test_bad_keys_townships_and_states_are_chinese_4xx(data, client):
    client.force_login(data["leader"])
    east = data["east"].pk

    missing_key = client.get(f"/dashboard/completeness/nothing.here/{east}/?year={YEAR}")
    assert missing_key.status_code == 404
    assert client.get(f"/dashboard/completeness/kit_area.grant/999999/?year={YEAR}").status_code == 404
    bad_state = client.get(f"/dashboard/completeness/kit_area.grant/{east}/?year={YEAR}&state=all")
    assert bad_state.status_code == 400
    assert "state 参数只能是" in bad_state.content.decode()


# --- the bureau's notices on the admin index ---------------------------------------------------------


def test_the_admin_index_shows_the_bureaus_unread_notices_and_marks_them_read(data, client):
    notice = Notice.objects.create(
        audience=Notice.Audience.BUREAU,
        township=data["west"],
        key="complete:kit_area.grant:1:2026",
        text="西城街道已完成2026年困难退役军人测试补助（2/2）。",
        url="/dashboard/",
    )
    Notice.objects.create(audience=Notice.Audience.STATION, township=data["west"], text="记录已退回。")
    client.force_login(data["clerk"])

    body = client.get("/admin/").content.decode()
    assert "消息提醒（未读 1 条）" in body
    assert '<a href="/dashboard/">西城街道已完成2026年困难退役军人测试补助（2/2）。</a>' in body
    response = client.post("/admin/notices/read/", {"pk": notice.pk})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "消息提醒" not in client.get("/admin/").content.decode()


def test_leadership_neither_sees_nor_marks_the_notices(data, client):
    Notice.objects.create(audience=Notice.Audience.BUREAU, text="东城街道已完成。", key="complete:x")
    client.force_login(data["leader"])

    assert "消息提醒" not in client.get("/admin/").content.decode()
    assert client.post("/admin/notices/read/").status_code == 403
    assert Notice.objects.get().read_at is None


def test_a_broken_declaration_leaves_the_dashboard_up_with_a_message(data, client, monkeypatch):
    def broken(*, township, year, today):
        raise RuntimeError("an area's bug")

    monkeypatch.setattr("bureau.rules.todo.declared_functions", lambda: [("测试领域", broken)])
    client.force_login(data["leader"])

    response = client.get(f"/dashboard/?year={YEAR}")

    assert response.status_code == 200
    assert "各服务站完成情况暂时无法计算" in response.content.decode()
