"""
The help pages: one per role and the office's common pages (this package's Markdown files), one per
area app (its declared `AreaConfig.help` file), each at /help/<slug>/.
"""

from dataclasses import dataclass
from pathlib import Path

from bureau import roles
from bureau.areas import area_configs

HELP_DIR = Path(__file__).resolve().parent

#: Role → the slug of its page (and the name of its file, `<slug>.md`).
ROLE_PAGES = {
    roles.BUREAU_STAFF: "bureau-staff",
    roles.STATION_STAFF: "station-staff",
    roles.LEADERSHIP: "leadership",
    roles.AUDITOR: "auditor",
    roles.SYSTEM_ADMIN: "system-admin",
    roles.SECURITY_ADMIN: "security-admin",
}
#: The office's pages of no one role: slug → title in the index (the file is `<slug>.md`).
GUIDE_PAGES = {"messages": "常见提示的含义"}
#: A section of an area's page whose heading starts so is the station's part: a station user's index links to it.
STATION_SECTION_PREFIX = "服务站"


@dataclass(frozen=True)
class HelpPage:
    slug: str
    label: str  # the name in the index: the role, the area, the guide
    path: Path
    kind: str  # "role", "area" or "guide"
    area_label: str = ""  # an area page: the app label


def role_pages() -> list[HelpPage]:
    return [HelpPage(slug, role, HELP_DIR / f"{slug}.md", "role") for role, slug in ROLE_PAGES.items()]


def guide_pages() -> list[HelpPage]:
    return [HelpPage(slug, title, HELP_DIR / f"{slug}.md", "guide") for slug, title in GUIDE_PAGES.items()]


def area_slug(label: str) -> str:
    return label.replace("_", "-")


def area_pages() -> list[HelpPage]:
    """The installed areas that declare a help file (`AreaConfig.help_path()`), in the order of the report."""
    pages = []
    for area in area_configs():
        path = area.help_path()
        if path is not None:
            pages.append(HelpPage(area_slug(area.label), str(area.verbose_name), path, "area", area.label))
    return pages


def all_pages() -> dict[str, HelpPage]:
    """slug → page; a role's or a guide's slug is never taken by an area (a label has no hyphen to clash with)."""
    pages = {page.slug: page for page in area_pages()}
    pages.update({page.slug: page for page in role_pages() + guide_pages()})
    return pages


#: The permission that tells each role's user, in the order of `bureau.roles.ROLES` (a clerk who also
#: leads reads the clerk's page). Permissions, not group names: the user's are loaded once per request
#: already (the admin, the station check), so the header's link costs no query of its own.
ROLE_PERMISSIONS = (
    (roles.BUREAU_STAFF, f"bureau.{roles.REVIEW_RECORDS}"),
    (roles.LEADERSHIP, f"bureau.{roles.REOPEN_YEAR}"),
    (roles.AUDITOR, "bureau.view_auditevent"),
    (roles.SECURITY_ADMIN, f"bureau.{roles.ASSIGN_ROLES}"),
    (roles.SYSTEM_ADMIN, "bureau.add_user"),
)


def user_role_slug(user) -> str:
    """The page of the user's role: a station's, else the first role whose permission the user holds; or ""."""
    if not user.is_authenticated:
        return ""
    if roles.is_station_staff(user):
        return ROLE_PAGES[roles.STATION_STAFF]
    return next((ROLE_PAGES[role] for role, permission in ROLE_PERMISSIONS if user.has_perm(permission)), "")


def area_of_path(path: str) -> str:
    """The area a page is about, from its URL: /admin/<label>/…, /station/<label>/…; or ""."""
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 2 and parts[0] in ("admin", "station"):
        labels = {page.area_label for page in area_pages()}
        if parts[1] in labels:
            return parts[1]
    return ""
