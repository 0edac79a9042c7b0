import logging

from django.urls import reverse

from bureau.areas import area_configs
from bureau.models import SiteProfile
from bureau.roles import is_station_staff
from bureau.station.todo import station_todo_count

logger = logging.getLogger(__name__)


def site_profile(request):
    return {"site_profile": SiteProfile.get()}


def station_menu(request):
    """
    The area apps' station menu entries (bureau.areas), grouped by area, with the
    current page marked: the entry (`current`) and its area (`current` of the area,
    also on an area's page no entry names, and `station_area`, the current area or None).
    Only station pages use it.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or "station" not in match.namespaces:
        return {}
    areas = []
    for area in area_configs():
        entries = [
            {
                "label": entry.label,
                "url": reverse(f"station:{area.label}:{entry.url_name}"),
                "current": area.label in match.namespaces and bool(entry.match) and entry.match in match.url_name,
            }
            for entry in area.station_menu
        ]
        if entries:
            current = area.label in match.namespaces or any(entry["current"] for entry in entries)
            areas.append({"label": area.verbose_name, "key": area.label, "entries": entries, "current": current})
    return {"station_areas": areas, "station_area": next((area for area in areas if area["current"]), None)}


def station_todo(request):
    """`todo_count` on station pages: what the station has to do this year (the nav's 待办 badge)."""
    match = getattr(request, "resolver_match", None)
    if match is None or "station" not in match.namespaces:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_station_staff(user):
        return {}
    try:
        return {"todo_count": station_todo_count(user)}
    except Exception:
        # A broken declaration of one area must not take every station page down: the 待办 page shows the error.
        logger.exception("The to-do count of %s could not be computed", user)
        return {"todo_count": None}
