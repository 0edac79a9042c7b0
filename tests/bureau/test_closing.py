"""
Closing a year (bureau.rules.closing): a closed year's records refuse every edit with the message
naming the year, through the admin (change form, delete, 删除所选), the station form, the API
(PATCH, DELETE), the Excel import, the review of a submission or of a pending change, and the
ledger's batches; a record of an open year moved into the closed year is refused too. After an
audited `year_reopen` the same edits are accepted.

Records of three area apps: employment (就业情况), pensions (困难问题), commemoration (纪念设施巡查).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from bureau import roles
from bureau.importexport import PortalXLSX
from bureau.models import AuditEvent, PendingChange, ReviewStatus
from bureau.rules.closing import CLOSED_MESSAGE, ClosedYearError, year_close, year_reopen
from bureau.rules.payments.batches import PaymentLine, payment_batch_create
from bureau.rules.services import change_review, record_review, record_save
from bureau.station.records import station_record_url
from commemoration.models import FacilityInspection
from employment.models import EmploymentOutcome, FairAttendance
from employment.resources import FairAttendanceResource
from pensions.models import Problem
from tests.commemoration.factories import FacilityInspectionFactory, MemorialFacilityFactory
from tests.conftest import make_persona
from tests.employment.factories import EmploymentOutcomeFactory, JobFairFactory, VeteranFactory
from tests.employment.test_import_export import ATTENDEE_HEADERS, attendee_row, xlsx_file
from tests.factories import PayeeFactory, PaymentProgrammeFactory, TownshipFactory, UserFactory
from tests.pensions.factories import ProblemFactory

pytestmark = pytest.mark.django_db

CLOSED, OPEN = 2021, 2022
MESSAGE = CLOSED_MESSAGE.format(year=CLOSED)
REASON = "更正甲镇2021年重复登记的记录"
EDITED = "定稿后更正"

# model -> (its date field, a text field the edits change)
FIELDS = {
    EmploymentOutcome: ("started_on", "employer_name"),
    Problem: ("reported_on", "description"),
    FacilityInspection: ("inspected_on", "findings"),
}
MODELS = list(FIELDS)
IDS = ["employment", "pensions", "commemoration"]


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        township = TownshipFactory(code="L01", name="锁镇")
        clerk, leader = make_persona("bureau_user"), make_persona("leader")
        station = UserFactory(username="station_lock", township=township, groups=[roles.STATION_STAFF])
        person = VeteranFactory(township=township)
        facility = MemorialFacilityFactory(township=township)

        def records(day: datetime.date) -> dict:
            return {
                EmploymentOutcome: EmploymentOutcomeFactory(person=person, started_on=day, employer_name="原单位"),
                Problem: ProblemFactory(person=person, reported_on=day),
                FacilityInspection: FacilityInspectionFactory(facility=facility, inspected_on=day),
            }

        closed, opened = records(datetime.date(CLOSED, 3, 15)), records(datetime.date(OPEN, 3, 15))
        submitted = ProblemFactory(
            person=person, reported_on=datetime.date(CLOSED, 5, 1), review_status=ReviewStatus.SUBMITTED
        )
        # A station's change of an approved record of 2021, proposed before the year closed.
        changed = EmploymentOutcomeFactory(
            person=person, started_on=datetime.date(CLOSED, 4, 1), employer_name="原单位"
        )
        proposed = EmploymentOutcome.objects.get(pk=changed.pk)
        proposed.employer_name = "提议的单位"
        change = record_save(record=proposed, by=station).proposed_change
        fair = JobFairFactory(title="锁镇春季招聘会", start_date=datetime.date(CLOSED, 2, 28))
        year_close(year=CLOSED, by=clerk)
        yield {
            "clerk": clerk,
            "leader": leader,
            "station": station,
            "person": person,
            "closed": closed,
            "open": opened,
            "submitted": submitted,
            "change": change,
            "changed": changed,
            "fair": fair,
        }
        transaction.set_rollback(True)


def reopen(dataset) -> None:
    year_reopen(year=CLOSED, by=dataset["leader"], reason=REASON)
    [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.YEAR_REOPEN)
    assert (event.user, event.detail) == (dataset["leader"], f"{CLOSED}年解锁：{REASON}")


def stored(record):
    return type(record).objects.get(pk=record.pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def posted(*forms) -> dict:
    """What a browser posts back of these forms as shown (their bound or initial values)."""
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[field.html_name] = "" if value is None else value
    return data


def admin_form_data(response) -> dict:
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    return posted(*forms)


def admin_url(record, view: str = "change") -> str:
    opts = record._meta
    args = [] if view == "changelist" else [record.pk]
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the admin ----------------------------------------------------------------------------------


def admin_edit(client, record, **values):
    url = admin_url(record)
    data = {**admin_form_data(client.get(url)), **values}
    return client.post(url, data)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_admin_change_form_refuses_a_closed_years_record_until_it_is_reopened(dataset, model):
    record = dataset["closed"][model]
    date_field, text_field = FIELDS[model]
    client = logged_in(dataset["clerk"])

    refused = admin_edit(client, record, **{text_field: EDITED})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [MESSAGE]
    assert MESSAGE in refused.content.decode()
    assert EDITED in refused.content.decode()  # the input kept
    assert (getattr(stored(record), text_field), stored(record).version) == (getattr(record, text_field), 1)

    reopen(dataset)
    accepted = admin_edit(client, record, **{text_field: EDITED})

    assert accepted.status_code == 302
    assert (getattr(stored(record), text_field), stored(record).version) == (EDITED, 2)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_record_of_an_open_year_is_not_moved_into_the_closed_year(dataset, model):
    record = dataset["open"][model]
    date_field, _ = FIELDS[model]
    client = logged_in(dataset["clerk"])
    into_closed = {date_field: f"{CLOSED}-06-01"}

    refused = admin_edit(client, record, **into_closed)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [MESSAGE]
    assert getattr(stored(record), date_field) == datetime.date(OPEN, 3, 15)
    # An edit within the open year is accepted.
    assert admin_edit(client, record, **{date_field: f"{OPEN}-04-01"}).status_code == 302
    assert getattr(stored(record), date_field) == datetime.date(OPEN, 4, 1)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_admin_delete_page_refuses_with_the_message_until_the_year_is_reopened(dataset, model):
    record = dataset["closed"][model]
    client = logged_in(dataset["clerk"])

    refused = client.post(admin_url(record, "delete"), {"post": "yes"})

    assert (refused.status_code, refused["Location"]) == (302, admin_url(record))
    assert page_messages(refused) == [MESSAGE]
    assert type(record).objects.filter(pk=record.pk).exists()

    reopen(dataset)
    deleted = client.post(admin_url(record, "delete"), {"post": "yes"})

    assert deleted.status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()


def test_the_delete_selected_action_refuses_a_closed_years_record(dataset):
    record, other = dataset["closed"][Problem], dataset["open"][Problem]
    client = logged_in(dataset["clerk"])
    action = {"action": "delete_selected", "_selected_action": [record.pk, other.pk], "post": "yes"}

    refused = client.post(admin_url(record, "changelist"), action)

    assert refused.status_code == 302
    assert page_messages(refused) == [MESSAGE]
    assert Problem.objects.filter(pk__in=[record.pk, other.pk]).count() == 2  # neither deleted

    reopen(dataset)
    assert client.post(admin_url(record, "changelist"), action).status_code == 302
    assert not Problem.objects.filter(pk__in=[record.pk, other.pk]).exists()


# --- the station form ---------------------------------------------------------------------------


def station_edit(client, record, **values):
    url = station_record_url(record)
    page = client.get(url)
    data = {**posted(page.context["form"]), "submission_key": page.context["submission_key"], **values}
    return client.post(url, data)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_station_form_shows_the_message_and_keeps_the_input(dataset, model):
    record = dataset["closed"][model]
    _, text_field = FIELDS[model]
    client = logged_in(dataset["station"])
    waiting = PendingChange.objects.filter(status=PendingChange.Status.PENDING).count()

    refused = station_edit(client, record, **{text_field: EDITED})

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [MESSAGE]
    assert refused.context["form"][text_field].value() == EDITED
    assert MESSAGE in refused.content.decode()
    assert PendingChange.objects.filter(status=PendingChange.Status.PENDING).count() == waiting

    reopen(dataset)
    accepted = station_edit(client, record, **{text_field: EDITED})

    assert accepted.status_code == 302
    # An approved record edited by a station: the change waits for the bureau.
    change = PendingChange.objects.get(
        content_type=ContentType.objects.get_for_model(model), object_id=record.pk, status=PendingChange.Status.PENDING
    )
    assert change.changes[text_field]["new"] == EDITED


# --- the API ------------------------------------------------------------------------------------


def api_url(record) -> str:
    return reverse(f"{record._meta.model_name}-detail", args=[record.pk])


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_api_answers_400_with_the_message_to_a_patch_and_a_delete(dataset, model):
    record = dataset["closed"][model]
    _, text_field = FIELDS[model]
    api = APIClient()
    api.force_authenticate(dataset["clerk"])

    patched = api.patch(api_url(record), {text_field: EDITED}, format="json")
    deleted = api.delete(api_url(record))

    assert (patched.status_code, patched.json()) == (400, {"non_field_errors": [MESSAGE]})
    assert (deleted.status_code, deleted.json()) == (400, {"non_field_errors": [MESSAGE]})
    assert getattr(stored(record), text_field) == getattr(record, text_field)

    reopen(dataset)
    assert api.patch(api_url(record), {text_field: EDITED}, format="json").status_code == 200
    assert getattr(stored(record), text_field) == EDITED
    assert api.delete(api_url(record)).status_code == 204
    assert not type(record).objects.filter(pk=record.pk).exists()


# --- the import ---------------------------------------------------------------------------------


def test_an_import_row_of_a_closed_year_is_a_row_error_and_nothing_is_written(dataset):
    other = VeteranFactory(township=dataset["person"].township)
    rows = [attendee_row(dataset["fair"], dataset["person"]), attendee_row(dataset["fair"], other)]
    dataset_file = PortalXLSX().create_dataset(xlsx_file(rows, ATTENDEE_HEADERS))

    refused = FairAttendanceResource(user=dataset["clerk"]).import_data(dataset_file)

    assert refused.row_messages == [f"第 2 行：{MESSAGE}", f"第 3 行：{MESSAGE}"]
    assert not FairAttendance.objects.filter(fair=dataset["fair"]).exists()

    reopen(dataset)
    accepted = FairAttendanceResource(user=dataset["clerk"]).import_data(dataset_file)

    assert accepted.row_messages == []
    assert sorted(FairAttendance.objects.filter(fair=dataset["fair"]).values_list("person", flat=True)) == sorted(
        [dataset["person"].pk, other.pk]
    )


# --- reviews: a submission, a pending change ----------------------------------------------------


def test_approving_or_returning_a_submission_of_a_closed_year_is_refused(dataset):
    record = stored(dataset["submitted"])

    for approve in (True, False):
        with pytest.raises(ClosedYearError) as refused:
            record_review(record=stored(record), by=dataset["clerk"], approve=approve, reason="请补充")
        assert refused.value.messages == [MESSAGE]
    assert stored(record).review_status == ReviewStatus.SUBMITTED

    reopen(dataset)
    record_review(record=stored(record), by=dataset["clerk"], approve=True)
    assert stored(record).review_status == ReviewStatus.APPROVED


def test_the_admin_review_page_shows_the_message(dataset):
    record = dataset["submitted"]
    client = logged_in(dataset["clerk"])
    url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_review", args=[record.pk])

    response = client.post(url, {"decision": "approve"})

    assert (response.status_code, page_messages(response)) == (302, [MESSAGE])
    assert stored(record).review_status == ReviewStatus.SUBMITTED


def test_approving_a_pending_change_of_a_closed_year_is_refused(dataset):
    change, record = dataset["change"], dataset["changed"]

    with pytest.raises(ValidationError) as refused:
        change_review(change=change, by=dataset["clerk"], approve=True)

    assert refused.value.messages == [MESSAGE]
    assert stored(record).employer_name == "原单位"
    assert PendingChange.objects.get(pk=change.pk).status == PendingChange.Status.PENDING

    reopen(dataset)
    change_review(change=change, by=dataset["clerk"], approve=True)

    assert stored(record).employer_name == "提议的单位"
    assert PendingChange.objects.get(pk=change.pk).status == PendingChange.Status.APPROVED


# --- the ledger ---------------------------------------------------------------------------------


def test_a_payment_batch_of_a_closed_years_period_is_refused(dataset):
    programme = PaymentProgrammeFactory(code="lock-monthly", name="锁定测试补助")
    payee = PayeeFactory(township=dataset["person"].township)
    lines = [PaymentLine(person_id=payee.pk, amount=Decimal("100.00"), period=f"{CLOSED}-12")]

    def pay():
        return payment_batch_create(
            programme=programme, title="补发", paid_on=datetime.date(OPEN, 1, 10), lines=lines, by=dataset["clerk"]
        )

    with pytest.raises(ClosedYearError) as refused:
        pay()

    assert refused.value.messages == [MESSAGE]
    assert not programme.payments.exists()

    reopen(dataset)
    assert pay().created == 1
    assert list(programme.payments.values_list("period", flat=True)) == [f"{CLOSED}-12"]
