from django.apps import AppConfig


class CommemorationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commemoration"
    verbose_name = "褒扬纪念"
