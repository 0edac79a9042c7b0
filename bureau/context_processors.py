from django.urls import reverse

from bureau.areas import area_configs
from bureau.models import SiteProfile


def site_profile(request):
    return {"site_profile": SiteProfile.get()}


def station_menu(request):
    """
    The area apps' station menu entries (bureau.areas), grouped by area, with the
    current page marked; only station pages use it.
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
            areas.append({"label": area.verbose_name, "entries": entries})
    return {"station_areas": areas}
