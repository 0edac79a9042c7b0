"""
A sixth area is declarations only: `tests.kit_area_two` was added with files in its own
folder and one line of `tests/settings.py`, and every part the kit promises works for it —
the admin (scoped and masked), the Excel import, the API, the station pages, the history,
the route matrix and the annual report — without an edit of the core, the boundary test,
the route matrix's tables or its dataset.
"""

import datetime
import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from bureau.areas import area_configs
from bureau.models import ReviewStatus
from reports.compose import compose_report
from reports.registry import section_paths
from tests.kit_area_two.factories import StipendFactory
from tests.kit_area_two.models import Stipend

pytestmark = pytest.mark.django_db

ACCOUNT = "6222029876543210987"
MASKED_ACCOUNT = "***************0987"
CHANGELIST = "/admin/kit_area_two/stipend/"
STATION = "/station/kit_area_two/stipends/"
API = "/api/v1/kit-area-two/stipends/"
HERE = Path(__file__).resolve().parent


def masked_id(person) -> str:
    return person.id_number[:4] + "**********" + person.id_number[-4:]


# --- admin -------------------------------------------------------------------------------


def test_the_admin_list_is_masked_for_every_role_and_the_change_page_whole_for_bureau_staff(
    client_for, bureau_user, person_a
):
    stipend = StipendFactory(person=person_a, bank_account=ACCOUNT)
    client = client_for(bureau_user)

    listing = client.get(CHANGELIST)
    change = client.get(f"{CHANGELIST}{stipend.pk}/change/")

    assert listing.status_code == 200
    body = listing.content.decode()
    assert MASKED_ACCOUNT in body and masked_id(person_a) in body
    assert ACCOUNT not in body and person_a.id_number not in body
    assert change.status_code == 200
    assert ACCOUNT in change.content.decode()


def test_the_admin_is_scoped_leadership_reads_and_the_auditor_is_refused(client_for, leader, auditor, person_a):
    stipend = StipendFactory(person=person_a, bank_account=ACCOUNT)

    read = client_for(leader).get(f"{CHANGELIST}{stipend.pk}/change/")
    assert read.status_code == 200
    assert ACCOUNT not in read.content.decode()  # leadership sees no sensitive value, even on one record
    assert client_for(leader).post(f"{CHANGELIST}{stipend.pk}/change/", {}).status_code == 403
    assert client_for(auditor).get(CHANGELIST).status_code == 403


def test_an_admin_save_by_bureau_staff_is_approved_and_takes_the_persons_township(client_for, bureau_user, person_a):
    response = client_for(bureau_user).post(
        CHANGELIST + "add/", {"person": person_a.pk, "amount": "900.00", "paid_on": "2021-05-01"}
    )

    assert response.status_code == 302
    stipend = Stipend.objects.get()
    assert (stipend.review_status, stipend.township) == (ReviewStatus.APPROVED, person_a.township)


# --- import ------------------------------------------------------------------------------


def upload(client, rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(["身份证号", "姓名", "金额（元）", "发放日期", "银行账号"])
    for row in rows:
        workbook.active.append(row)
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = "stipends.xlsx"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(CHANGELIST + "import/", {"format": "0", "resource": "0", "import_file": stream})
    return client.get(response["Location"])


def test_an_import_through_the_kit_is_validated_then_confirmed_and_written(client_for, bureau_user, person_a, person_b):
    client = client_for(bureau_user)
    page = upload(
        client,
        [
            [person_a.id_number, person_a.name, 500, "2021-03-01", ACCOUNT],
            [person_b.id_number, person_b.name, 700, "2021-04-01", ""],
        ],
    )
    job = page.context["job"]
    assert not job.errors
    assert not Stipend.objects.exists()  # validated, not yet written

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(CHANGELIST + "process_import/", {"job": job.pk})

    rows = Stipend.objects.order_by("paid_on")
    assert [(s.person, s.amount, s.township, s.review_status) for s in rows] == [
        (person_a, Decimal("500.00"), person_a.township, ReviewStatus.APPROVED),
        (person_b, Decimal("700.00"), person_b.township, ReviewStatus.APPROVED),
    ]


def test_an_import_with_a_wrong_name_writes_nothing(client_for, bureau_user, person_a, person_b):
    page = upload(
        client_for(bureau_user),
        [
            [person_a.id_number, person_a.name, 500, "2021-03-01", ""],
            [person_b.id_number, "王五", 500, "2021-03-01", ""],
        ],
    )

    assert any("第 3 行" in message and "王五" in message for message in page.context["job"].errors)
    assert not Stipend.objects.exists()


# --- API ---------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_stipends_scoped_and_masked(station_user_a, leader, person_a, person_b):
    own = StipendFactory(person=person_a, bank_account=ACCOUNT)
    StipendFactory(person=person_b)

    station = api(station_user_a).get(API).json()["results"]
    district = api(leader).get(API).json()["results"]

    assert [(row["id"], row["person_name"], row["bank_account"]) for row in station] == [
        (own.pk, person_a.name, MASKED_ACCOUNT)
    ]
    assert len(district) == 2


def test_a_station_posts_through_the_api_as_a_submission(station_user_a, person_a):
    payload = {"person": person_a.pk, "amount": "300.00", "paid_on": "2021-06-01"}

    response = api(station_user_a).post(API, payload, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["review_status"] == ReviewStatus.SUBMITTED
    assert Stipend.objects.get().township == person_a.township


# --- station pages -------------------------------------------------------------------------


def test_the_station_menu_links_the_declared_page(client_for, station_user_a):
    body = client_for(station_user_a).get("/station/").content.decode()

    assert f'<a href="{STATION}"' in body
    assert "测试领域二" in body


def test_a_station_user_submits_and_lists_a_stipend_of_its_own_resident(client_for, station_user_a, person_a):
    client = client_for(station_user_a)

    response = client.post(STATION + "new/", {"person": person_a.pk, "amount": "650.00", "paid_on": "2021-07-01"})

    assert response.status_code == 302
    stipend = Stipend.objects.get()
    assert (stipend.review_status, stipend.submitted_by) == (ReviewStatus.SUBMITTED, station_user_a)
    listing = client.get(STATION + "?status=submitted").content.decode()
    assert person_a.name in listing and "650.00 元" in listing


def test_another_townships_stipend_is_not_found_on_the_station_pages(client_for, station_user_b, person_a):
    stipend = StipendFactory(person=person_a)

    assert client_for(station_user_b).get(f"{STATION}{stipend.pk}/").status_code == 404


# --- history -----------------------------------------------------------------------------


def test_a_change_is_recorded_in_the_history_and_read_by_the_auditor_masked(client_for, auditor, person_a):
    stipend = StipendFactory(person=person_a, bank_account=ACCOUNT, amount=Decimal("800.00"))
    stipend.amount = Decimal("850.00")
    stipend.save()

    rows = list(stipend.history.order_by("history_id"))
    assert [(row.history_type, row.amount) for row in rows] == [("+", Decimal("800.00")), ("~", Decimal("850.00"))]
    listing = client_for(auditor).get("/admin/kit_area_two/historicalstipend/")
    detail = client_for(auditor).get(f"/admin/kit_area_two/historicalstipend/{rows[-1].pk}/change/").content.decode()
    assert listing.status_code == 200
    assert "测试津贴变更记录" in listing.content.decode()
    assert MASKED_ACCOUNT in detail and ACCOUNT not in detail


# --- the route matrix ----------------------------------------------------------------------


def test_the_route_matrix_classifies_every_route_of_the_area_from_its_declarations():
    from tests.security import test_route_matrix as matrix

    routes = [r for r in matrix.walk() if "kit_area_two" in r.pattern + r.name or "kit-area-two" in r.pattern]
    cases = [(route, matrix.classify(route)) for route in routes]

    assert len(routes) > 20  # admin, history admin, API, station pages
    assert [route.label for route, case in cases if case is None] == []
    by_family = {case.family: case for _, case in cases if not case.fmt}
    edit = by_family["station:kit_area_two:stipend_edit"]
    assert (edit.target, edit.methods[matrix.GET][matrix.STATION_B]) == ("kit_area_two.stipend", 404)
    api_detail = by_family["API detail of stipend"]
    assert api_detail.target == "kit_area_two.stipend"
    assert api_detail.methods[matrix.PATCH][matrix.STATION_A] == 400  # a station model: stations write
    changelist = by_family["admin changelist of kit_area_two.stipend"]
    assert (changelist.methods[matrix.GET][matrix.LEADER], changelist.methods[matrix.GET][matrix.AUDITOR]) == (200, 403)
    assert matrix.access_of("kit_area_two.stipend", matrix.CLERK) == "acdvir"  # importable, reviewed
    suffixed = [case for _, case in cases if case.fmt]
    assert suffixed and all(list(case.methods) == [matrix.GET] for case in suffixed)


def test_no_table_or_dataset_of_the_route_matrix_names_the_area():
    security = HERE.parent / "security"
    for path in (security / "test_route_matrix.py", security / "conftest.py", security / "declared.py"):
        text = path.read_text(encoding="utf-8")
        assert "kit_area_two" not in text and "stipend" not in text.lower(), path.name


def test_the_matrix_dataset_builds_the_areas_object_from_its_factory(person_a):
    from tests.security.conftest import from_factory
    from tests.security.declared import record_models

    assert Stipend in record_models()
    stipend = from_factory(Stipend, person=person_a, township=person_a.township)
    assert (stipend.person, stipend.township) == (person_a, person_a.township)


# --- the report and the declarations ------------------------------------------------------------


def test_the_report_composes_the_declared_section(person_a):
    StipendFactory(person=person_a, amount=Decimal("800.00"), paid_on=datetime.date(2021, 3, 1))
    StipendFactory(person=person_a, amount=Decimal("700.00"), paid_on=datetime.date(2021, 9, 1))
    StipendFactory(person=person_a, paid_on=datetime.date(2020, 9, 1))  # another year

    document = compose_report(year=2021, with_previous=False)

    assert "tests.kit_area_two.report.section" in section_paths()
    ours = [s for s in document.sections if s.section.app_label == "kit_area_two"]
    assert [item.text for s in ours for item in s.items] == ["一是测试津贴。全年发放测试津贴2人次，共1500元。"]


def test_the_area_is_installed_by_its_declaration_alone():
    config = next(c for c in area_configs() if c.label == "kit_area_two")
    assert (config.api, config.station_urls) == ("tests.kit_area_two.api", "tests.kit_area_two.urls")
    outside = [
        path
        for path in (HERE.parent.parent / "bureau").rglob("*.py")
        if re.search(r"kit_area_two|stipend", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert outside == []
