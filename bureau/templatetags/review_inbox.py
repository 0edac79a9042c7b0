"""`{% review_inbox %}`: the 「待审核」 panel of the admin index (bureau.review), for users who review records."""

from django import template

from bureau.review import inbox
from bureau.roles import reviews_records

register = template.Library()


@register.inclusion_tag("admin/bureau/review_inbox.html", takes_context=True)
def review_inbox(context):
    request = context["request"]
    if not reviews_records(request.user):
        return {"shown": False}
    rows = inbox(request)
    return {"shown": True, "inbox_rows": rows, "inbox_total": sum(row.count for row in rows)}
