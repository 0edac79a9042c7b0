"""`{% help_url %}`: the 操作说明 page most relevant to the current page, for the header's link."""

import logging

from django import template
from django.urls import reverse

from bureau.help.pages import area_of_path, area_slug, user_role_slug

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def help_url(context) -> str:
    """The area of an admin or station page about one (/admin/<area>/…, /station/<area>/…), else the user's role's page, else the index."""
    index = reverse("help:index")
    request = context.get("request")
    if request is None or request.path.startswith(index):
        return index
    try:
        area = area_of_path(request.path)
        if area:
            return reverse("help:page", args=[area_slug(area)])
        role = user_role_slug(request.user)
        return reverse("help:page", args=[role]) if role else index
    except Exception:
        # A header link must never take the page down: the index is always there.
        logger.exception("The help link of %s could not be worked out", request.path)
        return index
