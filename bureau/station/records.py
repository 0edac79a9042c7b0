"""
Which station page shows a record: the to-do list, the home page and 提交记录 link every record type
of every area to its own form by the kit's naming rule, with no table to keep.

An area's station URLs are named `<word>_list`, `<word>_create`, `<word>_edit` (`<int:pk>`), where
`<word>` is the model's name or a part of it no other station model of the area contains
(docs/area-apps.md, section 6): `attendance_edit` edits a `fairattendance`. Core record types shown
on an area's pages (visits, check-ups) are found the same way in every area's URLs.
"""

from functools import cache
from importlib import import_module

from django.urls import reverse

from bureau.areas import area_configs

# The core's own station pages.
CORE_PAGES = {"person": ("station:person_edit", "station:submissions")}


@cache
def _area_pages() -> list[tuple[str, str, set[str]]]:
    """(namespace, word, kinds) of every area's station URL names `<word>_<kind>`."""
    pages = []
    for area in area_configs():
        if not area.station_urls:
            continue
        words: dict[str, set[str]] = {}
        for pattern in import_module(area.station_urls).urlpatterns:
            name = getattr(pattern, "name", None) or ""
            word, _, kind = name.rpartition("_")
            if word:
                words.setdefault(word, set()).add(kind)
        pages += [(f"station:{area.label}", word, kinds) for word, kinds in words.items()]
    return pages


def station_pages(model) -> tuple[str, str] | None:
    """(edit URL name or "", list URL name or "") of a model's station pages; None when it has none."""
    name = model._meta.model_name
    if name in CORE_PAGES:
        return CORE_PAGES[name]
    own = model._meta.app_label
    # The model's own area first (a word matching in two areas: the model's app decides).
    candidates = sorted(
        (page for page in _area_pages() if page[1] in name),
        key=lambda page: (page[0] != f"station:{own}", -len(page[1])),
    )
    for namespace, word, kinds in candidates:
        edit = f"{namespace}:{word}_edit" if "edit" in kinds else ""
        listing = f"{namespace}:{word}_list" if "list" in kinds else ""
        if edit or listing:
            return edit, listing
    return None


def station_record_url(record) -> str:
    """The station page of one record: its edit form, or else its type's list; "" when it has none."""
    pages = station_pages(type(record))
    if pages is None:
        return ""
    edit, listing = pages
    if edit:
        return reverse(edit, args=[record.pk])
    return reverse(listing) if listing else ""


def station_list_url(model) -> str:
    pages = station_pages(model)
    return reverse(pages[1]) if pages and pages[1] else ""
