"""
A person's life events in the registry (death, moving out, moving in): recorded by the bureau on
the person's admin page and through the API (history, an audit event naming the event), proposed by
a station; and what they stop in every area: the monthly payroll the month after, visits and
check-ups dated after them (one message in every path).
"""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bureau import roles
from bureau.importexport import PortalXLSX
from bureau.importexport.care import VisitResource
from bureau.models import AuditEvent, CheckUp, Payment, PendingChange, Person, Visit
from bureau.rules.services import change_review
from pensions import payroll
from pensions.models import PayrollLine, PayrollRun
from tests.factories import (
    BankAccountFactory,
    CheckUpBatchFactory,
    PersonCategoryFactory,
    PersonFactory,
    UserFactory,
    make_id_number,
)
from tests.pensions.factories import BenefitStandardFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PENSION = Decimal("2150.00")
DEATH_MESSAGE = "该人员已于2021年03月10日死亡，走访日期不能晚于死亡日期。"
CHECKUP_DEATH_MESSAGE = "该人员已于2021年03月10日死亡，体检日期不能晚于死亡日期。"
INLINES = ("categories", "family_links", "merits")

COMMITTED = None


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks):
    """The payroll's steps queue their task on commit; the test's transaction never commits."""
    global COMMITTED
    COMMITTED = django_capture_on_commit_callbacks
    yield
    COMMITTED = None


@pytest.fixture
def approver(db):
    return UserFactory(username="clerk2", first_name="复核", is_staff=True, groups=[roles.BUREAU_STAFF])


@pytest.fixture
def pensioners(township_a):
    """Three disabled soldiers paid 2150.00 a month since January 2021."""
    BenefitStandardFactory(category="disabled_soldier", monthly_amount=PENSION, valid_from=D(2021, 1, 1))
    people = []
    for n, name in enumerate(["王一", "王二", "王三"]):
        number = make_id_number(birth_date=D(1960, 1, 1 + n), sequence=300 + n)
        person = PersonFactory(name=name, id_number=number, township=township_a)
        BankAccountFactory(person=person)  # paid, not held (bureau.rules.payments.held)
        PersonCategoryFactory(person=person, category="disabled_soldier", started_on=D(2021, 1, 1))
        people.append(person)
    return people


def run_month(period: str, generator, approver) -> PayrollRun:
    with COMMITTED(execute=True):
        run = payroll.payroll_start(period=period, paid_on=None, by=generator)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.GENERATED, run.error
    with COMMITTED(execute=True):
        payroll.payroll_approve(run=run, by=approver)
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.PAID, run.error
    return run


def paid_in(period: str) -> list[str]:
    return sorted(Payment.objects.filter(period=period).values_list("person__name", flat=True))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def admin_person_data(person: Person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "gender": person.gender,
        "phone": person.phone,
        "township": person.township_id,
        "address": person.address,
        "status": person.status,
        "branch": person.branch,
        "enlisted_on": "",
        "discharged_on": "",
        "rank": person.rank,
        "discharge_route": person.discharge_route,
        "died_on": "",
        "moved_out_on": "",
        "moved_in_on": "",
        "notes": person.notes,
        "version": person.version,
    }
    for prefix in INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return {**data, **overrides}


def life_events(person) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.LIFE_EVENT, object_id=str(person.pk))
        .order_by("id")
        .values_list("username", "fields", "detail")
    )


# --- recorded by the bureau: the payroll stops the month after --------------------------------


def test_a_death_recorded_in_the_admin_stops_the_next_months_payroll(client_for, bureau_user, approver, pensioners):
    holder = pensioners[0]
    url = reverse("admin:bureau_person_change", args=[holder.pk])

    page = client_for(bureau_user).get(url).content.decode()
    response = client_for(bureau_user).post(url, admin_person_data(holder, died_on="2021-03-10"))

    assert 'name="died_on"' in page and 'name="moved_in_on"' in page
    assert response.status_code == 302
    holder.refresh_from_db()
    assert (holder.died_on, holder.status) == (D(2021, 3, 10), Person.Status.DECEASED)
    assert holder.history.first().died_on == D(2021, 3, 10)
    assert life_events(holder) == [("clerk", "died_on", "登记死亡：死亡日期 2021-03-10")]

    march = run_month("2021-03", bureau_user, approver)
    april = run_month("2021-04", bureau_user, approver)

    assert (march.persons, march.total) == (3, Decimal("6450.00"))
    assert (april.persons, april.total) == (2, Decimal("4300.00"))
    assert paid_in("2021-04") == ["王三", "王二"]
    stopped = april.lines.get(person=holder)
    assert (stopped.change, stopped.reason) == (PayrollLine.Change.STOPPED, "死亡（2021年03月10日），次月起停发")


def test_a_death_recorded_through_the_api_stops_the_next_months_payroll(bureau_user, approver, pensioners):
    holder = pensioners[1]
    client = api(bureau_user)

    stale = client.patch(f"/api/v1/persons/{holder.pk}/", {"died_on": "2021-03-10"}, format="json", HTTP_IF_MATCH='"7"')
    response = client.patch(
        f"/api/v1/persons/{holder.pk}/", {"died_on": "2021-03-10"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert stale.status_code == 412
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    body = response.json()
    assert (body["died_on"], body["status"], body["version"]) == ("2021-03-10", "deceased", 2)
    assert life_events(holder) == [("clerk", "died_on", "登记死亡：死亡日期 2021-03-10")]

    run_month("2021-03", bureau_user, approver)
    april = run_month("2021-04", bureau_user, approver)

    assert april.persons == 2
    assert paid_in("2021-04") == ["王一", "王三"]


def test_a_move_out_recorded_in_the_admin_or_the_api_stops_the_next_months_payroll(
    client_for, bureau_user, approver, pensioners
):
    by_form, by_api, _ = pensioners
    url = reverse("admin:bureau_person_change", args=[by_form.pk])
    form = client_for(bureau_user).post(url, admin_person_data(by_form, moved_out_on="2021-02-20"))
    response = api(bureau_user).patch(
        f"/api/v1/persons/{by_api.pk}/", {"moved_out_on": "2021-03-05", "version": 1}, format="json"
    )

    assert form.status_code == 302
    assert response.status_code == 200, response.json()
    assert life_events(by_api) == [("clerk", "moved_out_on", "登记迁出：迁出日期 2021-03-05")]

    february = run_month("2021-02", bureau_user, approver)
    march = run_month("2021-03", bureau_user, approver)
    april = run_month("2021-04", bureau_user, approver)

    assert (february.persons, march.persons, april.persons) == (3, 2, 1)
    assert paid_in("2021-03") == ["王三", "王二"]
    assert march.lines.get(person=by_form).reason == "迁出本区（2021年02月20日），次月起停发"
    assert paid_in("2021-04") == ["王三"]


def test_a_person_moved_in_is_paid_from_the_month_of_the_move(bureau_user, approver, pensioners, township_a):
    newcomer = PersonFactory(name="赵来", township=township_a)
    BankAccountFactory(person=newcomer)
    PersonCategoryFactory(person=newcomer, category="disabled_soldier", started_on=D(2015, 1, 1))
    response = api(bureau_user).patch(
        f"/api/v1/persons/{newcomer.pk}/", {"moved_in_on": "2021-04-20"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert life_events(newcomer) == [("clerk", "moved_in_on", "登记迁入：迁入日期 2021-04-20")]

    march = run_month("2021-03", bureau_user, approver)
    april = run_month("2021-04", bureau_user, approver)

    assert (march.persons, april.persons) == (3, 4)
    assert "赵来" not in paid_in("2021-03")
    assert "赵来" in paid_in("2021-04")


def test_a_death_a_station_proposes_stops_the_payroll_once_the_bureau_approves_it(
    client_for, station_user_a, bureau_user, approver, pensioners
):
    holder = pensioners[2]
    data = {
        "name": holder.name,
        "id_number": holder.id_number,
        "gender": holder.gender,
        "phone": holder.phone,
        "address": "",
        "status": holder.status,
        "branch": "",
        "rank": "",
        "discharge_route": "",
        "notes": "",
        "died_on": "2021-03-10",
        "version": holder.version,
    }
    response = client_for(station_user_a).post(reverse("station:person_edit", args=[holder.pk]), data)
    assert response.status_code == 302
    change = PendingChange.objects.get()
    assert life_events(holder) == []

    change_review(change=change, by=bureau_user, approve=True)

    holder.refresh_from_db()
    assert (holder.died_on, holder.status) == (D(2021, 3, 10), Person.Status.DECEASED)
    assert life_events(holder) == [("clerk", "died_on", "登记死亡：死亡日期 2021-03-10")]
    run_month("2021-03", bureau_user, approver)
    assert run_month("2021-04", bureau_user, approver).persons == 2


def test_a_corrected_and_a_cleared_date_are_audit_events_too(bureau_user, person_a):
    client = api(bureau_user)
    url = f"/api/v1/persons/{person_a.pk}/"
    client.patch(url, {"moved_out_on": "2021-03-05"}, format="json")
    client.patch(url, {"moved_out_on": "2021-03-06"}, format="json")
    client.patch(url, {"moved_out_on": None}, format="json")

    assert [detail for _, _, detail in life_events(person_a)] == [
        "登记迁出：迁出日期 2021-03-05",
        "更正迁出日期：2021-03-05 → 2021-03-06",
        "撤销迁出登记（原迁出日期 2021-03-06）",
    ]


# --- the registry's own rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"moved_in_on": "2021-05-01", "moved_out_on": "2021-04-01"},
            {
                "moved_out_on": [
                    "迁出日期不能早于迁入日期；迁出后又迁回本区的，请清空迁出日期，并把迁回的日期填为迁入日期。"
                ]
            },
        ),
        ({"died_on": "2021-04-01", "moved_out_on": "2021-05-01"}, {"moved_out_on": ["迁出日期不能晚于死亡日期。"]}),
        ({"died_on": "2021-04-01", "moved_in_on": "2021-05-01"}, {"moved_in_on": ["迁入日期不能晚于死亡日期。"]}),
        ({"moved_in_on": "1970-01-01"}, {"moved_in_on": ["迁入日期不能早于出生日期。"]}),
        ({"moved_in_on": "2999-01-01"}, {"moved_in_on": ["迁入日期不能晚于今天。"]}),
    ],
)
def test_inconsistent_life_event_dates_are_a_chinese_400(bureau_user, person_a, fields, errors):
    response = api(bureau_user).patch(f"/api/v1/persons/{person_a.pk}/", fields, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    person_a.refresh_from_db()
    assert (person_a.died_on, person_a.moved_out_on, person_a.moved_in_on, person_a.version) == (None, None, None, 1)
    assert life_events(person_a) == []


def test_a_field_the_api_does_not_have_is_refused_not_ignored(bureau_user, person_a):
    response = api(bureau_user).patch(f"/api/v1/persons/{person_a.pk}/", {"date_of_death": "2021-03-10"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "date_of_death": ["没有这个字段，本次请求未作任何修改；请按接口文档（/api/schema/）填写字段名。"]
    }


# --- visits and check-ups after a death ---------------------------------------------------------


@pytest.fixture
def deceased_a(township_a):
    number = make_id_number(birth_date=D(1950, 2, 2), sequence=77)
    return PersonFactory(name="周故", id_number=number, township=township_a, died_on=D(2021, 3, 10))


def test_a_visit_after_the_death_is_refused_in_the_admin(client_for, bureau_user, deceased_a):
    data = {
        "area": "pensions",
        "occasion": "routine",
        "person": deceased_a.pk,
        "hardship_category": "",
        "visited_on": "2021-03-11",
        "visitor": "局机关走访组",
        "amount": "",
        "programme": "",
        "note": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    response = client_for(bureau_user).post(reverse("admin:bureau_visit_add"), data)
    on_the_day = client_for(bureau_user).post(reverse("admin:bureau_visit_add"), {**data, "visited_on": "2021-03-10"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"visited_on": [DEATH_MESSAGE]}
    assert on_the_day.status_code == 302
    assert list(Visit.objects.values_list("visited_on", flat=True)) == [D(2021, 3, 10)]


def test_a_visit_and_a_check_up_after_the_death_are_refused_on_the_station_pages(
    client_for, station_user_a, deceased_a
):
    batch = CheckUpBatchFactory(start_date=D(2021, 3, 1))
    client = client_for(station_user_a)
    visit = {
        "person": deceased_a.pk,
        "occasion": "routine",
        "hardship_category": "",
        "visited_on": "2021-03-11",
        "visitor": "甲镇服务站",
        "amount": "",
        "programme": "",
        "note": "",
    }
    checkup = {
        "batch": batch.pk,
        "person": deceased_a.pk,
        "mode": "on_site",
        "checked_on": "2021-04-01",
        "result_summary": "",
    }

    visit_page = client.post(reverse("station:pensions:visit_create"), visit)
    checkup_page = client.post(reverse("station:pensions:checkup_create"), checkup)

    assert visit_page.status_code == 200
    assert visit_page.context["form"].errors == {"visited_on": [DEATH_MESSAGE]}
    assert checkup_page.status_code == 200
    assert checkup_page.context["form"].errors == {"checked_on": [CHECKUP_DEATH_MESSAGE]}
    assert (Visit.objects.count(), CheckUp.objects.count()) == (0, 0)


def test_a_visit_and_a_check_up_after_the_death_are_a_400_in_the_api(bureau_user, station_user_a, deceased_a):
    batch = CheckUpBatchFactory(start_date=D(2021, 3, 1))
    visit = {
        "area": "pensions",
        "occasion": "routine",
        "person": deceased_a.pk,
        "visited_on": "2021-03-11",
        "visitor": "走访组",
    }
    checkup = {"batch": batch.pk, "person": deceased_a.pk, "checked_on": "2021-04-01"}

    for user in (bureau_user, station_user_a):
        visit_response = api(user).post("/api/v1/visits/", visit, format="json")
        checkup_response = api(user).post("/api/v1/checkups/", checkup, format="json")
        assert (visit_response.status_code, visit_response.json()) == (400, {"visited_on": [DEATH_MESSAGE]})
        assert (checkup_response.status_code, checkup_response.json()) == (
            400,
            {"checked_on": [CHECKUP_DEATH_MESSAGE]},
        )
    assert (Visit.objects.count(), CheckUp.objects.count()) == (0, 0)


def test_a_visit_after_a_move_out_is_refused_in_the_import(bureau_user, township_a):
    mover = PersonFactory(name="钱迁", township=township_a, moved_out_on=D(2021, 2, 20))
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(
        ["身份证号", "姓名", "业务领域", "走访事由", "帮扶类别", "走访日期", "走访人", "慰问金（元）", "资金项目"]
    )
    sheet.append([mover.id_number, "钱迁", "优待抚恤", "日常走访", "", "2021-03-01", "走访组", None, None])
    stream = BytesIO()
    workbook.save(stream)

    result = VisitResource(user=bureau_user).import_data(PortalXLSX().create_dataset(stream.getvalue()))

    assert len(result.row_messages) == 1
    assert "该人员已于2021年02月20日迁出本区，走访日期不能晚于迁出日期。" in result.row_messages[0]
    assert not Visit.objects.exists()
