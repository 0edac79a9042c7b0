"""
What resettlement's records forbid to change in the registry, declared to the core
(`ResettlementConfig.person_guards`, read by `bureau.models.Person.clean()` in every path that saves
a person: the admin, a station's proposal and its approval, the API, the import).
"""

from bureau.models import Person
from resettlement.eligibility import grant_paid
from resettlement.models import PlacementCandidate, SubsidyLine


def discharge_route_guard(person: Person, previous: Person | None) -> str | None:
    """
    The settlement route of a person paid the self-employment grant (or calculated in a run awaiting
    approval), or of a placement candidate, is not changed: the grant and the placement are exclusive,
    and each was decided on the route the registry held.
    """
    if previous is None or previous.discharge_route == person.discharge_route:
        return None
    new = person.get_discharge_route_display() or "空"
    refused = f"不能将{person.name}的安置方式改为“{new}”："
    if paid := grant_paid(previous):
        return f"{refused}已于 {paid.paid_on:%Y-%m-%d} 按“自主就业”发放{paid.period}年自主就业金。"
    if line := SubsidyLine.objects.filter(person_id=previous.pk).select_related("run").first():
        return f"{refused}已列入{line.run}的核算（{line.run.get_status_display()}）。"
    candidate = PlacementCandidate.objects.filter(person_id=previous.pk).select_related("batch").first()
    if candidate is not None:
        placed = "，已选岗" if hasattr(candidate, "selection") else ""
        return f"{refused}已是“{candidate.batch}”的安排工作候选人{placed}。"
    return None
