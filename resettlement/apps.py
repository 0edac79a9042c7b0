from django.apps import AppConfig


class ResettlementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "resettlement"
    verbose_name = "移交安置"
