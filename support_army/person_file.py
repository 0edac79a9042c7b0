"""The support-army part of the person file (declared in `SupportArmyConfig.person_file`)."""

from django.db.models import Q

from support_army.models import HomecomingRegistration, HomecomingStep, MeritNotice


def context(person, user) -> dict:
    """The merit notices of the soldier (or received by the relative) and the homecoming registration with its checklist."""
    registrations = list(
        HomecomingRegistration.objects.visible_to(user)
        .filter(person=person)
        .select_related("point")
        .prefetch_related("completions__step", "completions__done_by")
    )
    steps = list(HomecomingStep.objects.filter(active=True))
    for registration in registrations:
        done = {c.step_id for c in registration.completions.all()}
        registration.open_step_names = [step.name for step in steps if step.pk not in done]
    return {
        "notices": MeritNotice.objects.visible_to(user)
        .filter(Q(soldier=person) | Q(recipient=person))
        .select_related("soldier", "merit", "recipient")
        .order_by("-merit__year", "-pk"),
        "homecomings": registrations,
    }
