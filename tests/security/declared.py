"""
What the area apps declare, read for the route matrix, so that a new area needs no line in it.

An area app declares itself once, in its `AreaConfig` (bureau/areas.py): its station pages
(`station_urls`), the models stations write (`station_models`) and only read
(`station_read_models`), its public pages (`public_urls`) and its API module; its admin.py
registers its models (`importable` when the admin takes Excel files). The route matrix turns
these facts into the answers each role should get, the same rules its hand-written tables
spelt out for the five areas one line at a time; what an area does differently (a run's
steps, a page a visitor may post to, a record others protect) stays a hand-written exception
there. A route neither the declarations nor an exception explain is not classified, and
`test_every_route_is_classified` still fails on it.

Only the facts live here (which routes, which model, which methods); the expected answers
stay in test_route_matrix.py, next to the tables they follow.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib import admin
from simple_history.models import HistoricalChanges

import bureau.api.urls  # noqa: F401  (imports the area apps' API modules, which register their viewsets)
from bureau.api.router import router
from bureau.areas import AreaConfig, area_configs
from bureau.models import TownshipRecord
from bureau.roles import station_models, station_read_models


@cache
def areas() -> dict[str, AreaConfig]:
    return {config.label: config for config in area_configs()}


def is_area_model(label_lower: str) -> bool:
    """`"employment.jobfair"`: a model of an area app (not of the core, the report or a library)."""
    return label_lower.partition(".")[0] in areas()


def model_label(config: AreaConfig, model_name: str) -> str:
    """The model a declaration names in lower case: the area's own, else the one model of that name (a core model)."""
    own = [m for m in apps.get_app_config(config.label).get_models() if m._meta.model_name == model_name]
    found = own or [m for m in apps.get_models() if m._meta.model_name == model_name]
    return found[0]._meta.label_lower if len(found) == 1 else ""


# --- station and public pages --------------------------------------------------------------------


@dataclass(frozen=True)
class StationPage:
    record: bool  # the URL names one record (a parameter): station B gets a 404
    methods: tuple[str, ...]
    target: str  # "app_label.model" of the record, "" for a page of no record


def station_page(route_name: str, pattern: str) -> StationPage | None:
    """
    A page of an area's `station_urls` (`station:<label>:<name>`). A list is read (GET); every
    other page is a form, posted too. A page with a parameter names one record of a model the
    area declares for stations: the model whose name is the URL name's first word
    (`grant_edit` → `grant`), or the one declared model containing it (`attendance_edit` →
    `fairattendance`). None when the route is no area's station page, or its record is not found
    that way (a hand-written target is then needed).
    """
    parts = route_name.split(":")
    if len(parts) != 3 or parts[0] != "station" or parts[1] not in areas():
        return None
    config, name = areas()[parts[1]], parts[2]
    methods = ("GET",) if name.endswith("_list") else ("GET", "POST")
    if "<" not in pattern:
        return StationPage(record=False, methods=methods, target="")
    return StationPage(record=True, methods=methods, target=station_target(config, name))


def station_target(config: AreaConfig, url_name: str) -> str:
    word = url_name.split("_")[0]
    declared = set(config.station_models) | set(config.station_read_models) | station_models() | station_read_models()
    names = [word] if word in declared else sorted(name for name in declared if word in name)
    return model_label(config, names[0]) if len(names) == 1 else ""


def public_page(route_name: str, pattern: str) -> bool:
    """A page of an area's `public_urls` (namespace = the label) naming no object: open to everyone, read only."""
    label, _, _ = route_name.partition(":")
    config = areas().get(label)
    return bool(config and config.public_urls and pattern.startswith(config.public_prefix) and "<" not in pattern)


# --- the API ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiModel:
    target: str  # "app_label.model"
    station_writes: bool  # in some area's (or the core's) station_models
    station_reads: bool  # ... or station_read_models
    read_only: bool  # the viewset has no create (a ReadOnlyModelViewSet)


@cache
def api_models() -> dict[str, ApiModel]:
    """Every model viewset of the API router, by basename (the route names' `<basename>-list`)."""
    found = {}
    for _, viewset, basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model._meta
        writes = model.model_name in station_models()
        found[basename] = ApiModel(
            target=model.label_lower,
            station_writes=writes,
            station_reads=writes or model.model_name in station_read_models(),
            read_only=not hasattr(viewset, "create"),
        )
    return found


# --- the admin -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    history: bool  # a history table's admin (django-simple-history), read only
    importable: bool  # the admin's `importable`
    review: bool  # a workflow record (TownshipRecord): approved or returned in the admin


@cache
def admin_models() -> dict[str, AdminModel]:
    """Every model an area app registers on the admin site, with the history admins of its records."""
    found = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if is_area_model(label):
            found[label] = AdminModel(
                history=issubclass(model, HistoricalChanges),
                importable=bool(getattr(model_admin, "importable", False)),
                review=issubclass(model, TownshipRecord),
            )
    return found


def record_models() -> list[type]:
    """The area models a URL of the matrix names: those on the admin (a history admin's tracked model) or the API."""
    models = set()
    for model in admin.site._registry:
        if is_area_model(model._meta.label_lower):
            models.add(model.instance_type if issubclass(model, HistoricalChanges) else model)
    for api_model in api_models().values():
        if is_area_model(api_model.target):
            models.add(apps.get_model(api_model.target))
    return sorted(models, key=lambda model: model._meta.label_lower)
