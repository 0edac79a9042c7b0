"""
The portal's admin site: Django's, with the history pages of each area grouped under one
「变更记录」 entry instead of a 「…变更记录」 link per record type (the index, an area's index and
the side menu), and the page that lists them (bureau.admin.history.history_index_view).

Installed as the default site by `bureau.apps.PortalAdminConfig`, so `admin.site` is this one.
Nothing from `bureau.admin` is imported at the top: building the default site must not import
the admin modules that register on it.

The app list (every admin page's side menu) is built once per user and permission set in a process
and copied for each page: the key holds the user's permissions themselves, so a permission or
group granted or taken away makes a new key (no stale menu), as does a change of the registry,
the language or the script prefix.
"""

import contextlib

from django.contrib import admin
from django.urls import get_script_prefix, path, reverse
from django.utils.translation import get_language

from bureau.base.masking import concrete_model

HISTORY_ENTRY = "变更记录"


def is_history_model(model) -> bool:
    """A django-simple-history table (it mirrors another model)."""
    return concrete_model(model) is not model


# App lists a process keeps (users × permission sets × languages); the oldest dropped beyond it.
APP_LIST_CACHE_SIZE = 512


def forget_oldest(kept: dict) -> None:
    """Drop a cache's oldest entry (another thread may be changing it: then nothing is dropped this time)."""
    with contextlib.suppress(RuntimeError, StopIteration):
        kept.pop(next(iter(kept)), None)


def copy_app(app: dict) -> dict:
    """An app list entry with its own model rows (the site and the index change them in place)."""
    return {**app, "models": [{**row, "perms": dict(row["perms"])} for row in app["models"]]}


class PortalAdminSite(admin.AdminSite):
    def __init__(self, name="admin"):
        super().__init__(name)
        self.app_dicts: dict[tuple, dict] = {}

    def app_dict_key(self, request, label=None) -> tuple | None:
        """What the app list depends on: the user, their permissions, the registry, the language, the prefix."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return (
            label,
            user.pk,
            user.is_active,
            user.is_staff,
            user.is_superuser,
            frozenset(user.get_all_permissions()),
            tuple(map(id, self._registry.values())),
            get_language(),
            get_script_prefix(),
        )

    def _build_app_dict(self, request, label=None):
        key = self.app_dict_key(request, label)
        if key is None:
            return super()._build_app_dict(request, label)
        built = self.app_dicts.get(key)
        if built is None:
            built = super()._build_app_dict(request, label)
            if len(self.app_dicts) >= APP_LIST_CACHE_SIZE:
                forget_oldest(self.app_dicts)
            self.app_dicts[key] = built
        # `{app_label: app}`, of one app when `label` is given (Django 5's app index), copied.
        return {app_label: copy_app(app) for app_label, app in built.items()}

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
