"""`{% bureau_notices %}`: the bureau's unread notices on the admin index (a station's period complete), for bureau staff."""

from django import template

from bureau.roles import reviews_records
from bureau.rules.todo_notices import SHOWN, bureau_notices_unread

register = template.Library()


@register.inclusion_tag("admin/bureau/notices.html", takes_context=True)
def bureau_notices(context):
    request = context["request"]
    if not reviews_records(request.user):
        return {"shown": False}
    unread = bureau_notices_unread()
    notices = list(unread[:SHOWN])
    return {
        "shown": bool(notices),
        "notices": notices,
        "total": unread.count() if len(notices) == SHOWN else len(notices),
        "request": request,
    }
