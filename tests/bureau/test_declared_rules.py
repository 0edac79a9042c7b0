"""
Rules the models declare and the core applies in every path (bureau.models.rules): fields only the
bureau decides, event dates not after today, dates within a parent's period, and the township every
station record has by construction.
"""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau.demo.helpers import upsert_submitted
from bureau.importexport import PortalXLSX
from bureau.importexport.care import VisitResource
from bureau.importexport.records import PersonResource
from bureau.models import CheckUpBatch, Visit
from bureau.models.rules import decided_fields, declared_date_errors, future_event_dates, models_declaring
from bureau.rules.services import record_save
from resettlement.models import InsuranceContinuation
from tests.bureau.test_import_export import person_row, xlsx_file
from tests.factories import CheckUpBatchFactory, CheckUpFactory, VisitFactory

pytestmark = pytest.mark.django_db

FUTURE_VISIT = "走访日期不能晚于今天。"


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sheet(headers, rows) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# --- event dates: one rule, one message, every path -------------------------------------------------


def test_a_future_visit_is_refused_with_the_same_message_on_the_station_form_the_api_and_the_import(
    client_for, station_user_a, person_a
):
    day = tomorrow().isoformat()
    form = client_for(station_user_a).post(
        reverse("station:pensions:visit_create"),
        {"person": person_a.pk, "occasion": "routine", "visited_on": day, "visitor": "服务站", "note": ""},
    )
    assert form.status_code == 200
    assert form.context["form"].errors == {"visited_on": [FUTURE_VISIT]}

    answer = api(station_user_a).post(
        "/api/v1/visits/",
        {"area": "pensions", "occasion": "routine", "person": person_a.pk, "visited_on": day, "visitor": "服务站"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"visited_on": [FUTURE_VISIT]}

    headers = ["身份证号", "姓名", "业务领域", "走访事由", "帮扶类别", "走访日期", "走访人", "慰问金（元）", "资金项目"]
    row = [person_a.id_number, person_a.name, "优待抚恤", "日常走访", "", day, "服务站", None, None]
    result = VisitResource(user=station_user_a).import_data(PortalXLSX().create_dataset(sheet(headers, [row])))
    assert result.row_messages == [f"第 2 行：{FUTURE_VISIT}"]
    assert not Visit.objects.exists()


def test_today_is_not_the_future():
    visit = VisitFactory.build(visited_on=timezone.localdate())
    assert declared_date_errors(visit) == {}


def test_the_data_quality_check_finds_future_event_dates(person_a):
    VisitFactory(person=person_a, visited_on=datetime.date(2021, 3, 1))
    late = VisitFactory(person=person_a, visited_on=datetime.date(2021, 3, 2))
    found = Visit.objects.filter(future_event_dates(Visit, today=datetime.date(2021, 3, 1)))
    assert list(found) == [late]


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/api/v1/persons/", "discharged_on", "退役日期不能晚于今天。"),
        ("/api/v1/resettlement/insurance-continuations/", "handled_on", "办理日期不能晚于今天。"),
    ],
)
def test_tomorrow_is_refused_for_a_discharge_and_an_insurance_continuation(bureau_user, person_a, path, field, message):
    record = f"{path}{person_a.pk}/" if "persons" in path else None
    client = api(bureau_user)
    if record:
        response = client.patch(record, {field: tomorrow().isoformat()}, format="json")
    else:
        response = client.post(
            path,
            {"person": person_a.pk, "kind": "pension", field: tomorrow().isoformat(), "months": 1},
            format="json",
        )
    assert response.status_code == 400, response.content
    assert response.json()[field] == [message]


# --- dates within a parent's period ---------------------------------------------------------------


def test_a_check_up_outside_its_batchs_year_is_refused(bureau_user, person_a):
    batch = CheckUpBatchFactory(
        start_date=datetime.date(2021, 5, 10), population=CheckUpBatch.Population.KEY_BENEFICIARIES
    )
    late = CheckUpFactory.build(batch=batch, person=person_a, checked_on=datetime.date(2022, 1, 3))
    with pytest.raises(Exception) as refused:
        record_save(record=late, by=bureau_user)
    assert refused.value.message_dict == {"checked_on": ["体检日期应在所属体检批次的年度（2021 年）内。"]}
    response = api(bureau_user).post(
        "/api/v1/checkups/",
        {"batch": batch.pk, "person": person_a.pk, "checked_on": "2022-01-03", "mode": "on_site"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"checked_on": ["体检日期应在所属体检批次的年度（2021 年）内。"]}
    fitting = CheckUpFactory.build(batch=batch, person=person_a, checked_on=datetime.date(2021, 12, 31))
    assert record_save(record=fitting, by=bureau_user).pk


# --- decisions of the bureau -------------------------------------------------------------------------


def test_a_workflow_records_review_fields_are_always_the_bureaus():
    assert decided_fields(Visit) == ("review_status", "return_reason", "reviewed_by", "reviewed_at")


# --- every station record has its township ----------------------------------------------------------


def test_a_record_saved_without_a_township_takes_its_persons(station_user_a, township_a, person_a):
    continuation = upsert_submitted(
        InsuranceContinuation,
        township=township_a,
        person=person_a,
        kind=InsuranceContinuation.Kind.PENSION,
        handled_on=datetime.date(2021, 3, 1),
        defaults={"months": 12},
    )
    continuation.refresh_from_db()
    assert continuation.township == township_a


def test_a_stations_insurance_continuation_is_in_its_townships_list(client_for, station_user_a, township_a, person_a):
    upsert_submitted(
        InsuranceContinuation,
        township=township_a,
        person=person_a,
        kind=InsuranceContinuation.Kind.PENSION,
        handled_on=datetime.date(2021, 3, 1),
        defaults={"months": 12},
    )
    page = client_for(station_user_a).get(reverse("station:resettlement:insurance_list"))
    assert [record.person for record in page.context["page"]] == [person_a]


def test_a_future_discharge_is_refused_by_the_person_import_and_the_station_form(
    client_for, bureau_user, station_user_a, township_a
):
    row = person_row(1, township_a, {"退役日期": tomorrow().isoformat()})
    result = PersonResource(user=bureau_user).import_data(PortalXLSX().create_dataset(xlsx_file([row])))
    assert result.row_messages == ["第 2 行：退役日期不能晚于今天。"]

    client = client_for(station_user_a)
    url = reverse("station:person_create")
    data = {
        "name": "钱未来",
        "id_number": row["身份证号"],
        "status": "veteran",
        "discharged_on": tomorrow().isoformat(),
        "submission_key": client.get(url).context["submission_key"],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"discharged_on": ["退役日期不能晚于今天。"]}


def test_records_missing_their_township_are_found(township_a, person_a):
    visit = VisitFactory(person=person_a)
    assert not Visit.objects.without_township().exists()
    Visit.objects.filter(pk=visit.pk).update(township=None)  # as the demo's rows were before the fix
    assert list(Visit.objects.without_township()) == [visit]
    assert Visit in models_declaring("event_dates")
