from django.apps import AppConfig


class PensionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pensions"
    verbose_name = "优待抚恤"
