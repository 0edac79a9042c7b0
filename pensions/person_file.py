"""The pensions part of the person file (declared in `PensionsConfig.person_file`)."""

from pensions.models import ConscriptBenefit, HardshipAid, OralHistoryInterview, Problem


def context(person, user) -> dict:
    """The person's problems, “三难” aid, conscript family benefits and oral-history interviews."""
    return {
        "problems": Problem.objects.visible_to(user)
        .filter(person=person)
        .select_related("visit")
        .order_by("-reported_on", "-pk"),
        "hardship_aid": HardshipAid.objects.visible_to(user).filter(person=person).order_by("-applied_on", "-pk"),
        "conscript_benefits": ConscriptBenefit.objects.visible_to(user)
        .filter(family=person)
        .order_by("-benefit_year", "-pk"),
        "interviews": OralHistoryInterview.objects.visible_to(user)
        .filter(person=person)
        .order_by("-interviewed_on", "-pk"),
    }
