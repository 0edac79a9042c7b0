"""
/help/ and /help/<slug>/: the 操作说明, for every signed-in user (no personal data on them).

Bureau staff and the administrators read them in the admin's look, everyone else (stations,
leadership) in the portal's, as the password pages do.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bureau.help.pages import STATION_SECTION_PREFIX, all_pages, area_pages, guide_pages, role_pages, user_role_slug
from bureau.help.rendering import render_file
from bureau.roles import is_station_staff

UNKNOWN_PAGE = "没有这一页操作说明，请从「操作说明」目录中选择。"


def _look(request) -> dict:
    if request.user.is_staff:
        return {"look": "admin/base_site.html", **admin.site.each_context(request)}
    return {"look": "base.html"}


def _station_anchor(page) -> str:
    """The anchor of the station's part of an area page (a section headed 服务站…), or ""."""
    try:
        headings = render_file(page.path).headings
    except OSError:
        return ""
    return next((heading.anchor for heading in headings if heading.text.startswith(STATION_SECTION_PREFIX)), "")


@require_GET
@login_required
def help_index(request):
    """The user's role's page first, then the areas (a station user: at their station part), then the rest."""
    own = user_role_slug(request.user)
    station = is_station_staff(request.user)
    roles = role_pages()
    areas = [{"page": page, "anchor": _station_anchor(page) if station else ""} for page in area_pages()]
    context = {
        "title": "操作说明",
        "own_page": next((page for page in roles if page.slug == own), None),
        "areas": areas,
        "other_roles": [page for page in roles if page.slug != own],
        "guides": guide_pages(),
    }
    return render(request, "help/index.html", {**_look(request), **context})


@require_GET
@login_required
def help_page(request, slug: str):
    page = all_pages().get(slug)
    if page is None:
        raise Http404(UNKNOWN_PAGE)
    try:
        rendered = render_file(page.path)
    except OSError as error:
        raise Http404(UNKNOWN_PAGE) from error
    title = rendered.title or f"{page.label}操作说明"
    context = {"title": title, "page": page, "body": rendered.html, "headings": rendered.headings}
    return render(request, "help/page.html", {**_look(request), **context})
