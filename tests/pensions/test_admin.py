"""The pensions admin (pensions/admin.py): grants paid through the ledger, problems, oral history."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.models import Payment, ReviewStatus
from pensions.models import HardshipAid, Problem
from pensions.programmes import HARDSHIP_AID, programme
from pensions.services import HARDSHIP_AID_DUPLICATE
from tests.factories import BankAccountFactory, PayeeFactory, PaymentFactory, VisitFactory
from tests.pensions.factories import (
    ConscriptBenefitFactory,
    HardshipAidFactory,
    OralHistoryExhibitionFactory,
    OralHistoryInterviewFactory,
    ProblemFactory,
)


@pytest.fixture
def person_a(person_a):
    """Paid in these tests: a bank account in use (without one the money is held: bureau.rules.payments.held)."""
    BankAccountFactory(person=person_a)
    return person_a


def aid_form(person, **fields):
    data = {
        "person": person.pk,
        "kind": "medical",
        "applied_on": "2021-03-01",
        "reason": "住院治疗，自付费用较高。",
        "amount_requested": "8000.00",
        "decision": "granted",
        "amount_granted": "5000.00",
        "decided_on": "2021-03-15",
    }
    return {**data, **fields}


def test_a_grant_entered_in_the_admin_is_paid_and_linked(client_for, bureau_user, person_a):
    client = client_for(bureau_user)

    response = client.post(reverse("admin:pensions_hardshipaid_add"), aid_form(person_a))

    assert response.status_code == 302
    aid = HardshipAid.objects.get()
    assert aid.review_status == ReviewStatus.APPROVED
    assert list(Payment.objects.values_list("person_id", "programme__code", "amount", "period")) == [
        (person_a.pk, HARDSHIP_AID, Decimal("5000.00"), "2021-03")
    ]
    page = client.get(reverse("admin:pensions_hardshipaid_change", args=[aid.pk])).content.decode()
    assert "5000.00 元（2021-03）" in page


def test_a_grant_in_a_month_already_paid_is_a_form_error(client_for, bureau_user, person_a):
    PaymentFactory(person=person_a, programme=programme(HARDSHIP_AID), period="2021-03")

    response = client_for(bureau_user).post(reverse("admin:pensions_hardshipaid_add"), aid_form(person_a))

    assert response.status_code == 200
    assert HARDSHIP_AID_DUPLICATE in response.content.decode()
    assert HardshipAid.objects.count() == 0


def test_a_refused_application_pays_nothing(client_for, bureau_user, person_a):
    response = client_for(bureau_user).post(
        reverse("admin:pensions_hardshipaid_add"), aid_form(person_a, decision="refused", amount_granted="")
    )

    assert response.status_code == 302
    assert Payment.objects.count() == 0


def test_problems_are_filtered_by_state_source_supervision_kind_and_township(client_for, bureau_user, person_a):
    visit = VisitFactory(person=person_a)
    ProblemFactory(person=person_a, source=Problem.Source.VISIT, visit=visit, supervised=True)
    ProblemFactory(person=person_a, state=Problem.State.IN_PROGRESS)
    client = client_for(bureau_user)
    url = reverse("admin:pensions_problem_changelist")

    # The list's declared filters (its sidebar's parameters); any other lookup is a 400 (bureau.base.query_params).
    supervised = client.get(url, {"supervised__exact": "1", "source__exact": "visit"})
    in_progress = client.get(
        url, {"state__exact": "in_progress", "kind__exact": "living", "township__id__exact": person_a.township_id}
    )

    assert supervised.context["cl"].result_count == 1
    assert in_progress.context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("pensions_hardshipaid", HardshipAidFactory),
        ("pensions_conscriptbenefit", ConscriptBenefitFactory),
        ("pensions_problem", ProblemFactory),
        ("pensions_oralhistoryinterview", OralHistoryInterviewFactory),
        ("pensions_oralhistoryexhibition", OralHistoryExhibitionFactory),
    ],
)
def test_leadership_reads_every_pensions_list_and_page_without_adding(client_for, leader, url_name, make):
    record = make()
    client = client_for(leader)

    listing = client.get(reverse(f"admin:{url_name}_changelist"))
    page = client.get(reverse(f"admin:{url_name}_change", args=[record.pk]))

    assert (listing.status_code, page.status_code) == (200, 200)
    assert listing.context["cl"].result_count == 1
    assert client.get(reverse(f"admin:{url_name}_add")).status_code == 403


def test_leadership_sees_applicants_id_numbers_masked(client_for, leader, person_a):
    HardshipAidFactory(person=person_a)

    listing = client_for(leader).get(reverse("admin:pensions_hardshipaid_changelist")).content.decode()

    assert person_a.id_number not in listing
    assert f"{person_a.id_number[:4]}**********{person_a.id_number[-4:]}" in listing


def test_an_interviews_video_link_is_in_the_list(client_for, bureau_user):
    OralHistoryInterviewFactory(video_link="http://video.intranet/korean-war/1.mp4")

    listing = client_for(bureau_user).get(reverse("admin:pensions_oralhistoryinterview_changelist"))

    assert 'href="http://video.intranet/korean-war/1.mp4"' in listing.content.decode()


def test_a_conscript_allowance_given_a_paying_date_on_any_save_is_in_the_ledger(db):
    benefit = ConscriptBenefitFactory(amount=Decimal("26800.00"), family=PayeeFactory(status="family"))
    assert Payment.objects.count() == 0
    benefit.paid_on = datetime.date(2021, 9, 10)
    benefit.save()

    assert list(Payment.objects.values_list("amount", "period")) == [(Decimal("26800.00"), "2021")]
