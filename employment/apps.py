from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "employment"
    verbose_name = "就业创业"

    def ready(self):
        from bureau import person_file

        person_file.register_section(
            title="就业创业",
            template="employment/person_file.html",
            context=person_file_context,
            order=10,
        )


def person_file_context(person, user) -> dict:
    """The person's fairs, trainings, intentions, jobs, founded enterprises and role-model years."""
    from bureau.models import Enterprise
    from employment.models import EmploymentIntention, EmploymentOutcome, FairAttendance, RoleModel, Trainee

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
