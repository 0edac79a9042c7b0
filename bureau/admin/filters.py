"""List filters the admin's lists share."""

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from bureau.roles import portal_apps


def project_content_types() -> list[tuple[int, str]]:
    """
    (id, Chinese name) of the portal's own record types: the core's, the areas' and the report's,
    without the history twins and the libraries' (django-axes, tokens, sessions). A name two apps
    share is told apart by its app's name.
    """
    own = [
        model
        for label in sorted(portal_apps())
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
    types = ContentType.objects.get_for_models(*own, for_concrete_models=False)
    names = [str(model._meta.verbose_name) for model in own]
    choices = []
    for model in own:
        name = str(model._meta.verbose_name)
        if names.count(name) > 1:
            name = f"{name}（{model._meta.app_config.verbose_name}）"
        choices.append((types[model].pk, name))
    return sorted(choices, key=lambda choice: choice[1])


class ProjectContentTypeFilter(admin.RelatedFieldListFilter):
    """The 对象类型 filter, offering the portal's own record types by their Chinese names only."""

    def field_choices(self, field, request, model_admin):
        return project_content_types()
