"""
The printouts the portal offers: the core's own and those the area apps declare
(`AreaConfig.printouts`, dotted paths of `Printout`s), read here and never named by the core.

    PAYROLL_ROSTER = Printout(
        key="payroll-roster", title="发放花名册", permission="pensions.view_payrollrun", build=roster
    )

`build(request, pk)` returns the `Printable` for the record `pk` (None for a printout of no record,
`per_record=False`), found through `visible_to(request.user)` (a record the user may not see is a
404: `get_object_or_404`), or raises `ValidationError` with the Chinese reason it cannot be printed.
The one view (`bureau.printouts.views.printout`) checks `permission`, writes the file, and records
every download in the audit trail and the export log. `manage.py check` checks each declaration
(bureau.E101, bureau.E111).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.module_loading import import_string

from bureau.areas import area_configs
from bureau.printouts.render import pdf_available

#: The core's printouts: the person file and the station's lists.
CORE_PRINTOUTS = (
    "bureau.printouts.person_file.PERSON_FILE",
    "bureau.printouts.station.STATION_TODO",
    "bureau.printouts.station.STATION_SUBMISSIONS",
)


@dataclass(frozen=True)
class Printout:
    key: str  # in the URL: /printouts/<key>/<pk>/, lower case and hyphens
    title: str  # the link's and the export log's name: 「发放花名册」
    permission: str  # "app_label.codename" the user must hold
    build: Callable  # build(request, pk) -> bureau.printouts.document.Printable
    per_record: bool = True  # False: a list of no one record (the station's to-do), served at /printouts/<key>/
    params: tuple[str, ...] = ()  # query parameters `build` reads besides `format` (any other is a 400)

    def url(self, pk=None, file_format: str = "docx", query: dict | None = None) -> str:
        wanted = {name: value for name, value in (query or {}).items() if name in self.params and value}
        if self.per_record:
            return reverse("printouts:record", args=[self.key, pk]) + "?" + urlencode({"format": file_format, **wanted})
        return reverse("printouts:list", args=[self.key]) + "?" + urlencode({"format": file_format, **wanted})

    def links(self, pk=None, query: dict | None = None) -> list[tuple[str, str]]:
        """(label, url) of the Word file, and of the PDF where LibreOffice is installed."""
        links = [(f"{self.title}（Word）", self.url(pk, query=query))]
        if pdf_available():
            links.append((f"{self.title}（PDF）", self.url(pk, "pdf", query)))
        return links


def declared_paths() -> list[tuple[str, str]]:
    """(who, dotted path) of every printout: the core's, then each area's in its order."""
    paths = [("bureau", path) for path in CORE_PRINTOUTS]
    return paths + [(config.label, path) for config in area_configs() for path in config.printouts]


def printouts() -> dict[str, Printout]:
    return {printout.key: printout for printout in (import_string(path) for _, path in declared_paths())}


def printout(key: str) -> Printout | None:
    return printouts().get(key)
