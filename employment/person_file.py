"""The employment part of the person file (declared in `EmploymentConfig.person_file`)."""

from bureau.models import Enterprise
from employment.models import EmploymentIntention, EmploymentOutcome, FairAttendance, RoleModel, Trainee


def context(person, user) -> dict:
    """The person's fairs, trainings, intentions, jobs, founded enterprises and role-model years."""
    return {
        "fair_attendances": FairAttendance.objects.visible_to(user)
        .filter(person=person)
        .select_related("fair")
        .order_by("-fair__start_date"),
        "trainings": Trainee.objects.visible_to(user)
        .filter(person=person)
        .select_related("training_class")
        .order_by("-training_class__start_date"),
        "intentions": EmploymentIntention.objects.visible_to(user)
        .filter(person=person)
        .select_related("enterprise", "fair"),
        "outcomes": EmploymentOutcome.objects.visible_to(user).filter(person=person).select_related("enterprise"),
        "founded_enterprises": Enterprise.objects.visible_to(user).filter(founder=person),
        "role_models": RoleModel.objects.visible_to(user).filter(person=person),
    }
