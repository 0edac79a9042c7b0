"""The resettlement part of the person file (declared in `ResettlementConfig.person_file`)."""

from dataclasses import dataclass

from bureau.models import Payment
from resettlement.models import InsuranceContinuation, PlacementSelection, SubsidyLine
from resettlement.programmes import SELF_EMPLOYMENT_GRANT


@dataclass
class Grant:
    """The person's self-employment grant of a cohort: the run's line, and the ledger row that paid it."""

    cohort_year: str
    line: SubsidyLine | None
    payment: Payment | None


def context(person, user) -> dict:
    """The person's self-employment grants, insurance continuations and placement selection, if any."""
    lines = {
        str(line.run.cohort_year): line
        for line in SubsidyLine.objects.visible_to(user).filter(person=person).select_related("run")
    }
    payments = {
        payment.period: payment
        for payment in Payment.objects.visible_to(user)
        .filter(person=person, programme__code=SELF_EMPLOYMENT_GRANT)
        .select_related("batch")
    }
    grants = [
        Grant(cohort_year=year, line=lines.get(year), payment=payments.get(year))
        for year in sorted(lines.keys() | payments.keys(), reverse=True)
    ]
    return {
        "grants": grants,
        "insurance": InsuranceContinuation.objects.visible_to(user)
        .filter(person=person)
        .order_by("-handled_on", "-pk"),
        "selections": PlacementSelection.objects.visible_to(user)
        .filter(candidate__person=person)
        .select_related("position", "candidate__batch")
        .order_by("-chosen_at"),
    }
