"""
The portal's admin site: Django's, with the history pages of each area grouped under one
「变更记录」 entry instead of a 「…变更记录」 link per record type (the index, an area's index and
the side menu), and the page that lists them (bureau.admin.history.history_index_view).

Installed as the default site by `bureau.apps.PortalAdminConfig`, so `admin.site` is this one.
Nothing from `bureau.admin` is imported at the top: building the default site must not import
the admin modules that register on it.
"""

from django.contrib import admin
from django.urls import path, reverse

from bureau.base.masking import concrete_model

HISTORY_ENTRY = "变更记录"


def is_history_model(model) -> bool:
    """A django-simple-history table (it mirrors another model)."""
    return concrete_model(model) is not model


class PortalAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            history = [entry for entry in app["models"] if is_history_model(entry["model"])]
            if not history:
                continue
            app["models"] = [entry for entry in app["models"] if entry not in history]
            app["models"].append(self.history_entry(app["app_label"]))
        return app_list

    def history_entry(self, app_label: str) -> dict:
        """The one 「变更记录」 row of an area, shaped as Django's app list rows are (a view-only list)."""
        return {
            "model": None,
            "name": HISTORY_ENTRY,
            "object_name": "ChangeHistory",
            "perms": {"add": False, "change": False, "delete": False, "view": True},
            "admin_url": self.history_url(app_label),
            "add_url": None,
            "view_only": True,
        }

    def history_url(self, app_label: str | None = None) -> str:
        url = reverse("admin:history_index", current_app=self.name)
        return f"{url}?area={app_label}" if app_label else url

    def history_lists(self, request) -> list[dict]:
        """`[{"name", "app_label", "models": [Django's row of each history table]}]`: what the user may read."""
        areas = []
        for app in super().get_app_list(request):
            history = [entry for entry in app["models"] if is_history_model(entry["model"])]
            if history:
                areas.append({"name": app["name"], "app_label": app["app_label"], "models": history})
        return areas

    def history_index(self, request):
        from bureau.admin.history import history_index_view

        return history_index_view(request, site=self)

    def get_urls(self):
        history = path("history/", self.admin_view(self.history_index), name="history_index")
        return [history, *super().get_urls()]
