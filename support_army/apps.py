from django.apps import AppConfig


class SupportArmyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "support_army"
    verbose_name = "双拥共建"
