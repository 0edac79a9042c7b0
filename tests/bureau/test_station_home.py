"""
The station's home page counts every area's record types by review status, and 「提交记录」 lists the
records of every type, newest first, filtered by status, type and name, at a fixed number of queries.
"""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureau import roles
from bureau.models import Person, ReviewStatus, Visit
from tests.commemoration.factories import FacilityInspectionFactory, MemorialFacilityFactory
from tests.employment.factories import FairAttendanceFactory
from tests.factories import PersonFactory, TownshipFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

HOME = reverse("station:home")
SUBMISSIONS = reverse("station:submissions")
S, R, A = ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.APPROVED
# (submitted, returned, approved) of township A, per record type the dataset plants.
PLANTED = {
    "bureau.person": (2, 1, 2),  # the veteran the other records are about is one of the approved
    "bureau.visit": (1, 2, 0),
    "employment.fairattendance": (1, 1, 2),
    "commemoration.facilityinspection": (2, 1, 1),
}
# The core, then the five areas in their order; the test-only areas (tests/settings.py) after them.
GROUPS = ["人员与公共台账", "就业创业", "移交安置", "优待抚恤", "双拥共建", "褒扬纪念", "测试领域", "测试领域二"]


def planted(status, make, count):
    return [make(review_status=status, return_reason="材料不全" if status == R else "") for _ in range(count)]


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township_a = TownshipFactory(code="A01", name="甲镇", order=1)
        township_b = TownshipFactory(code="B01", name="乙镇", order=2)
        station_a = UserFactory(username="station_a", township=township_a, groups=[roles.STATION_STAFF])
        veteran = PersonFactory(name="张甲", township=township_a, review_status=A)
        facility = MemorialFacilityFactory(township=township_a)
        makers = {
            "bureau.person": lambda **kw: PersonFactory(township=township_a, **kw),
            "bureau.visit": lambda **kw: VisitFactory(person=veteran, **kw),
            "employment.fairattendance": lambda **kw: FairAttendanceFactory(person=veteran, **kw),
            "commemoration.facilityinspection": lambda **kw: FacilityInspectionFactory(facility=facility, **kw),
        }
        records = [veteran]
        for key, (submitted, returned, approved) in PLANTED.items():
            approved -= key == "bureau.person"
            for status, count in ((S, submitted), (R, returned), (A, approved)):
                records += planted(status, makers[key], count)
        # Newest first is by `updated_at`: a minute apart, in an order that mixes the types.
        records.sort(key=lambda record: (record.pk * 7919 + len(type(record).__name__)) % 101)
        start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
        for minute, record in enumerate(records):
            type(record).objects.filter(pk=record.pk).update(updated_at=start + datetime.timedelta(minutes=minute))
        # Township B's records: never counted, never listed for A.
        stranger = PersonFactory(name="李乙", township=township_b, review_status=S)
        VisitFactory(person=stranger, review_status=S)
        FacilityInspectionFactory(facility=MemorialFacilityFactory(township=township_b), review_status=R)
        client = Client()
        client.force_login(station_a)
        yield {"client": client, "records": records, "veteran": veteran, "facility": facility, "a": township_a}
        transaction.set_rollback(True)


def counts_of(response) -> dict:
    return {
        row["type"].key: tuple(item["count"] for item in row["counts"])
        for group in response.context["groups"]
        for row in group["rows"]
    }


def listed(response) -> list:
    return [(type(record)._meta.label_lower, record.pk) for record in response.context["page"]]


def key(record) -> tuple:
    return (type(record)._meta.label_lower, record.pk)


# --- home -------------------------------------------------------------------------------


def test_home_counts_every_area_and_type_by_status(dataset):
    response = dataset["client"].get(HOME)
    assert response.status_code == 200
    assert [group["label"] for group in response.context["groups"]] == GROUPS
    counts = counts_of(response)
    # Every station record type of the core and the areas, the planted ones exactly, the others zero.
    portal = {type_key for type_key in counts if not type_key.startswith("kit_area")}
    assert portal == {
        "bureau.person",
        "bureau.visit",
        "bureau.checkup",
        "employment.fairattendance",
        "employment.employmentoutcome",
        "resettlement.insurancecontinuation",
        "pensions.problem",
        "support_army.meritnotice",
        "support_army.meritnoticebatch",
        "support_army.homecomingregistration",
        "commemoration.nominee",
        "commemoration.facilityinspection",
    }
    assert counts == {type_key: PLANTED.get(type_key, (0, 0, 0)) for type_key in counts}
    # The registry's own figures stay on the page's context.
    assert {item["value"]: item["count"] for item in response.context["status_counts"]} == {
        "draft": 0,
        "submitted": 2,
        "returned": 1,
        "approved": 2,
    }


def test_each_count_links_to_its_list_filtered_by_status(dataset):
    content = dataset["client"].get(HOME).content.decode()
    # An area's list takes `?status=`; the registry's and a list another type owns go to 提交记录 by type.
    assert 'href="/station/pensions/visits/?status=returned"' in content
    assert 'href="/station/commemoration/inspections/?status=submitted"' in content
    assert 'href="/station/employment/attendances/?status=approved"' in content
    assert 'href="/station/submissions/?type=bureau.person&amp;status=submitted"' in content
    assert 'href="/station/support_army/notices/?status=approved"' in content
    assert 'href="/station/submissions/?type=support_army.meritnoticebatch&amp;status=approved"' in content
    cell = re.search(r'data-type="commemoration.facilityinspection">.*?</tr>', content, re.S).group(0)
    assert [int(n) for n in re.findall(r">(\d+)</a></td>", cell)] == [2, 1, 1]


def test_home_queries_do_not_grow_with_records(dataset):
    client = dataset["client"]
    client.get(HOME)  # the content types and the session, cached once
    with CaptureQueriesContext(connection) as before:
        client.get(HOME)
    for _ in range(3):
        VisitFactory(person=dataset["veteran"], review_status=S)
        FacilityInspectionFactory(facility=dataset["facility"], review_status=A)
    with CaptureQueriesContext(connection) as after:
        response = client.get(HOME)
    assert counts_of(response)["bureau.visit"] == (4, 2, 0)
    assert len(after) == len(before)


# --- 提交记录 -------------------------------------------------------------------------------


def test_submissions_list_every_type_newest_first(dataset):
    response = dataset["client"].get(SUBMISSIONS)
    assert response.status_code == 200
    expected = [key(record) for record in reversed(dataset["records"])]
    assert len(expected) == 16
    assert listed(response) == expected
    assert {type_key for type_key, _ in expected} == set(PLANTED)
    content = response.content.decode()
    assert "李乙" not in content
    # Each row links to its record's page: an area's form, the person's page.
    visit = next(record for record in dataset["records"] if isinstance(record, Visit))
    assert f'href="/station/pensions/visits/{visit.pk}/edit/"' in content
    assert f'href="/station/people/{dataset["veteran"].pk}/"' in content
    # The ID number is masked in the list, as before.
    assert dataset["veteran"].id_number not in content


def test_submissions_filter_by_status_and_type(dataset):
    client = dataset["client"]
    records = dataset["records"]
    returned = [key(record) for record in reversed(records) if record.review_status == R]
    assert listed(client.get(SUBMISSIONS, {"status": "returned"})) == returned
    assert len(returned) == 5
    inspections = [key(r) for r in reversed(records) if key(r)[0] == "commemoration.facilityinspection"]
    assert listed(client.get(SUBMISSIONS, {"type": "commemoration.facilityinspection"})) == inspections
    both = listed(client.get(SUBMISSIONS, {"type": "bureau.visit", "status": "submitted"}))
    assert both == [key(r) for r in reversed(records) if key(r)[0] == "bureau.visit" and r.review_status == S]
    assert len(both) == 1
    # An unknown type or status is ignored, never an error.
    assert len(listed(client.get(SUBMISSIONS, {"type": "nothing.here", "status": "lost"}))) == 16


def test_submissions_search_by_name_finds_the_person_and_their_records(dataset):
    found = listed(dataset["client"].get(SUBMISSIONS, {"q": "张甲"}))
    # The veteran and every record about them (visits, fair attendances); an inspection names nobody.
    about = [key(r) for r in reversed(dataset["records"]) if r == dataset["veteran"] or getattr(r, "person", None)]
    assert found == about
    assert len(found) == 1 + 3 + 4
    assert listed(dataset["client"].get(SUBMISSIONS, {"q": "李乙"})) == []


def test_submissions_pages_at_a_fixed_number_of_queries(dataset):
    client = dataset["client"]
    client.get(SUBMISSIONS)  # the content types and the session, cached once
    with CaptureQueriesContext(connection) as before:
        first = client.get(SUBMISSIONS)
    assert len(first.context["page"].object_list) == 16
    # Older records of types already on the first page: the page fills up to 20 rows, same types.
    older = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
    for _ in range(15):
        visit = VisitFactory(person=dataset["veteran"], review_status=S)
        person = PersonFactory(township=dataset["a"], review_status=R)
        Visit.objects.filter(pk=visit.pk).update(updated_at=older)
        Person.objects.filter(pk=person.pk).update(updated_at=older)
    with CaptureQueriesContext(connection) as after:
        response = client.get(SUBMISSIONS)
    assert response.context["page"].paginator.count == 16 + 30
    assert len(response.context["page"].object_list) == 20
    assert len(after) == len(before)
    assert len(client.get(SUBMISSIONS, {"page": 3}).context["page"].object_list) == 6
