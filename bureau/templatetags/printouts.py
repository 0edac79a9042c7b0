"""
`{% printout_links "payroll-roster" run.pk %}`: the links of a printout (`bureau.printouts.registry`), Word and,
where LibreOffice is installed, PDF; nothing for a user without the declaration's permission.
`items=True` gives one `<li>` a link (an admin page's object tools).
"""

from django import template
from django.utils.html import format_html, format_html_join

from bureau.printouts.registry import printout

register = template.Library()


@register.simple_tag(takes_context=True)
def printout_links(context, key: str, pk=None, items: bool = False):
    declared = printout(key)
    request = context.get("request")
    if declared is None or request is None or not request.user.has_perm(declared.permission):
        return ""
    # A list's printout prints what the page shows: its declared filters are taken from the page's query.
    links = [(url, label) for label, url in declared.links(pk, request.GET.dict())]
    if items:
        return format_html_join("", '<li><a href="{}" class="printout-link">打印{}</a></li>', links)
    return format_html(
        '<span class="printout-links">{}</span>',
        format_html_join(" · ", '<a href="{}" class="printout-link">打印{}</a>', links),
    )
