"""`{% review_inbox %}`: the 「待审核」 panel of the admin index (bureau.rules.review), for users who review records."""

from django import template

from bureau.roles import reviews_records
from bureau.rules.review import inbox

register = template.Library()


@register.inclusion_tag("admin/bureau/review_inbox.html", takes_context=True)
def review_inbox(context):
    request = context["request"]
    if not reviews_records(request.user):
        return {"shown": False}
    rows = inbox(request)
    return {"shown": True, "inbox_rows": rows, "inbox_total": sum(row.count for row in rows)}
