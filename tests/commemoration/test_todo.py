"""
The commemoration expectation of a station (commemoration.todo.inspections): each facility of a
constructed township in each quarter begun is exactly one row, never another township's; a row is
done once the station submits an inspection dated in the quarter through its form; a row is late
exactly when its quarter has ended uninspected; and the function costs the same queries with 1
facility or 4.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from bureau import roles
from bureau.models import ReviewStatus
from commemoration import todo
from tests.commemoration.factories import FacilityInspectionFactory, MemorialFacilityFactory
from tests.factories import TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = datetime.date(2025, 8, 20)
D = datetime.date


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        town = TownshipFactory(code="TODO5", name="巡查镇")
        other = TownshipFactory(code="TODO6", name="别处镇")
        east = MemorialFacilityFactory(township=town, name="东山纪念碑")
        west = MemorialFacilityFactory(township=town, name="西河烈士墓")
        MemorialFacilityFactory(township=other, name="别处纪念塔")
        inspections = {
            "east_q1": FacilityInspectionFactory(facility=east, inspected_on=D(2025, 2, 10)),
            "west_q2": FacilityInspectionFactory(
                facility=west, inspected_on=D(2025, 6, 30), review_status=ReviewStatus.SUBMITTED
            ),
        }
        # Not counted: returned, after today, last year's.
        FacilityInspectionFactory(facility=east, inspected_on=D(2025, 5, 5), review_status=ReviewStatus.RETURNED)
        FacilityInspectionFactory(facility=west, inspected_on=D(2025, 8, 25))
        FacilityInspectionFactory(facility=east, inspected_on=D(2024, 12, 20))

        small, large = TownshipFactory(code="TODO7"), TownshipFactory(code="TODO8")
        for township, size in ((small, 1), (large, 4)):
            for n in range(size):
                facility = MemorialFacilityFactory(township=township, name=f"计数设施{township.code}{n}")
                if n % 2:
                    FacilityInspectionFactory(facility=facility, inspected_on=D(2025, 1 + 3 * n % 12, 5))
        user = UserFactory(username="todo_inspector", township=town, groups=[roles.STATION_STAFF])
        yield {
            "town": town,
            "other": other,
            "east": east,
            "west": west,
            "inspections": inspections,
            "small": small,
            "large": large,
            "user": user,
        }
        transaction.set_rollback(True)


def summary(expectation, today=TODAY):
    return {row.label: (row.done, row.due, row.late_on(today)) for row in expectation.rows}


def test_rows_are_each_facility_of_the_township_in_each_quarter_begun(dataset):
    expectation = todo.inspections(township=dataset["town"], year=YEAR, today=TODAY)
    assert expectation.key == "commemoration.inspections"
    assert expectation.period == "2025年第1—3季度"
    assert summary(expectation) == {
        "东山纪念碑（2025年第1季度）": (True, D(2025, 3, 31), False),
        "西河烈士墓（2025年第1季度）": (False, D(2025, 3, 31), True),
        "东山纪念碑（2025年第2季度）": (False, D(2025, 6, 30), True),  # its inspection was returned
        "西河烈士墓（2025年第2季度）": (True, D(2025, 6, 30), False),  # submitted: done
        "东山纪念碑（2025年第3季度）": (False, D(2025, 9, 30), False),
        "西河烈士墓（2025年第3季度）": (False, D(2025, 9, 30), False),  # dated after today
    }
    assert [row.due for row in expectation.rows] == sorted(row.due for row in expectation.rows)
    other = todo.inspections(township=dataset["other"], year=YEAR, today=TODAY)
    assert [row.label for row in other.rows] == [f"别处纪念塔（2025年第{n}季度）" for n in (1, 2, 3)]


def test_row_links_to_the_form_for_the_facility_or_to_the_inspection(dataset):
    rows = {row.label: row for row in todo.inspections(township=dataset["town"], year=YEAR, today=TODAY).rows}
    create = reverse("station:commemoration:inspection_create")
    done = dataset["inspections"]["east_q1"]
    assert rows["西河烈士墓（2025年第3季度）"].url == f"{create}?facility={dataset['west'].pk}"
    assert rows["东山纪念碑（2025年第1季度）"].url == reverse("station:commemoration:inspection_edit", args=[done.pk])
    assert rows["东山纪念碑（2025年第1季度）"].admin_url == reverse(
        "admin:commemoration_facilityinspection_change", args=[done.pk]
    )
    assert rows["西河烈士墓（2025年第3季度）"].detail == "本季度未巡查"


def test_the_quarters_follow_today(dataset):
    first_day = todo.inspections(township=dataset["town"], year=YEAR, today=D(2025, 1, 1))
    assert first_day.period == "2025年第1季度" and len(first_day.rows) == 2
    year_end = todo.inspections(township=dataset["town"], year=YEAR, today=D(2025, 12, 31))
    assert year_end.period == "2025年第1—4季度" and len(year_end.rows) == 8
    assert summary(year_end, D(2025, 12, 31))["西河烈士墓（2025年第3季度）"] == (True, D(2025, 9, 30), False)
    # A late row of the last quarter only after its last day.
    assert [row.late_on(D(2026, 1, 1)) for row in year_end.rows if "第4季度" in row.label] == [True, True]
    assert [row.late_on(D(2025, 12, 31)) for row in year_end.rows if "第4季度" in row.label] == [False, False]


def test_row_is_done_once_the_station_submits_an_inspection(client, dataset):
    client.force_login(dataset["user"])
    label = "西河烈士墓（2025年第3季度）"
    row = next(r for r in todo.inspections(township=dataset["town"], year=YEAR, today=TODAY).rows if r.label == label)
    page = client.get(row.url)
    assert page.context["form"]["facility"].value() == dataset["west"].pk  # the link preselects it
    data = {"facility": dataset["west"].pk, "inspected_on": "2025-08-01", "inspector": "服务站", "findings": ""}
    response = client.post(
        reverse("station:commemoration:inspection_create"),
        {**data, "follow_up": "", "submission_key": page.context["submission_key"]},
    )
    assert response.status_code == 302
    after = summary(todo.inspections(township=dataset["town"], year=YEAR, today=TODAY))
    assert after[label] == (True, D(2025, 9, 30), False)
    assert [lab for lab, (done, _due, _late) in after.items() if not done] == [
        "西河烈士墓（2025年第1季度）",
        "东山纪念碑（2025年第2季度）",
        "东山纪念碑（2025年第3季度）",
    ]


def test_a_preselected_facility_of_another_township_is_not_offered(client, dataset):
    client.force_login(dataset["user"])
    url = reverse("station:commemoration:inspection_create")
    stranger = MemorialFacilityFactory(township=dataset["other"], name="外镇纪念亭")
    assert "外镇纪念亭" not in client.get(f"{url}?facility={stranger.pk}").content.decode()
    assert client.get(f"{url}?facility=9x").status_code == 200


def test_query_count_does_not_depend_on_the_rows(dataset, django_assert_num_queries):
    sizes = []
    for township in (dataset["small"], dataset["large"]):
        with django_assert_num_queries(2):
            sizes.append(len(todo.inspections(township=township, year=YEAR, today=TODAY).rows))
    assert sizes == [3, 12]
