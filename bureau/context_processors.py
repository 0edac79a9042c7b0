from django.urls import reverse

from bureau.areas import area_configs
from bureau.models import SiteProfile


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
