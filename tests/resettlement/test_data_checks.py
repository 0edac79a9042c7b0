"""Resettlement's part of the 数据质量核查: the settlement routes and the candidates' registry facts."""

import datetime

import pytest

from bureau.models import Payment, PaymentProgramme, Person
from bureau.rules.datacheck import data_check_run
from resettlement.models import PlacementCandidate
from resettlement.programmes import SELF_EMPLOYMENT_GRANT
from tests.factories import BankAccountFactory, PaymentFactory, PersonFactory
from tests.resettlement.factories import PlacementCandidateFactory

pytestmark = pytest.mark.django_db

KINDS = {
    "placed_and_paid_the_grant",
    "candidates_differing_from_registry",
    "candidates_not_arranged_job",
    "grants_not_self_employed",
}


def grant_paid_to(person: Person) -> Payment:
    """The cohort's grant in the ledger, to the person's own account (as a run pays it)."""
    payment = PaymentFactory(
        person=person,
        programme=PaymentProgramme.objects.get(code=SELF_EMPLOYMENT_GRANT),
        period="2021",
        paid_on=datetime.date(2021, 12, 20),
    )
    Payment.objects.filter(pk=payment.pk).update(bank_account=BankAccountFactory(person=person))
    return payment


def counts() -> dict[str, int]:
    return {result.check.key: result.count for result in data_check_run()}


def test_candidates_as_registered_and_grants_to_the_self_employed_are_no_finding():
    PlacementCandidateFactory()
    grant_paid_to(PersonFactory(discharge_route=Person.DischargeRoute.SELF_EMPLOYED))

    assert sum(counts().values()) == 0


def test_one_contradiction_of_each_kind_is_found_exactly_once():
    # A candidate also paid the grant.
    grant_paid_to(PlacementCandidateFactory().person)
    # A candidate whose fixed years of service the registry no longer holds (12 by its dates).
    differing = PlacementCandidateFactory()
    PlacementCandidate.objects.filter(pk=differing.pk).update(service_years=15)
    # A candidate the registry records as self-employed.
    other_route = PlacementCandidateFactory()
    Person.objects.filter(pk=other_route.person_id).update(discharge_route=Person.DischargeRoute.SELF_EMPLOYED)
    # The grant paid to a demobilised veteran.
    grant_paid_to(PersonFactory(discharge_route=Person.DischargeRoute.DEMOBILISED))

    found = counts()
    assert {key: found[key] for key in KINDS} == dict.fromkeys(KINDS, 1)
    assert sum(found.values()) == len(KINDS)


def test_a_differing_candidate_names_the_fact_and_both_values():
    differing = PlacementCandidateFactory()
    PlacementCandidate.objects.filter(pk=differing.pk).update(service_years=15)

    (result,) = [r for r in data_check_run() if r.check.key == "candidates_differing_from_registry"]
    (finding,) = result.findings
    assert finding.detail == "服役年限（年）：候选人为 15，人员登记为 12"
    assert finding.url == f"/admin/resettlement/placementcandidate/{differing.pk}/change/"
