"""
Finding a record by the full ID number: the list's search leaves sensitive fields out (it would
answer questions about a masked value), so a role that may see ID numbers POSTs the number to
`find_view` instead; it travels in the body, never in a URL (and so in no access log). An admin
has it when its `search_fields` declare `=id_number` or `=<relation>__id_number`.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from bureau.base import masking
from bureau.base.masking import can_view_sensitive


class FindByIdMixin:
    """The find URL and view, the list's link to it, and the lookup its answer uses."""

    def get_urls(self):
        if not self.id_number_path:
            return super().get_urls()
        find = path(
            "find/",
            self.admin_site.admin_view(require_POST(self.find_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_find",
        )
        return [find, *super().get_urls()]

    @property
    def id_number_path(self) -> str | None:
        """The declared search on a full ID number (`=id_number`, `=person__id_number`), as a path."""
        for field in self.search_fields or ():
            if (
                field.startswith("=")
                and field.endswith("id_number")
                and masking.is_sensitive_search_field(self.model, field)
            ):
                return field[1:]
        return None

    def find_view(self, request):
        """
        POST an ID number, get the record: the number travels in the body, never in a URL
        (and so in no access log). For users who may see ID numbers; others are refused.
        The answer is the person's page, or the list filtered by the person's id.
        """
        if not can_view_sensitive(request.user) or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        number = (request.POST.get("id_number") or "").strip().upper()
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        relation = self.id_number_path.rpartition("__")[0]
        matches = self.get_queryset(request).filter(**{self.id_number_path: number}) if number else None
        if not matches:
            messages.warning(
                request, "未找到该身份证号（或不在您的管辖范围内）。" if number else "请输入完整身份证号。"
            )
            return HttpResponseRedirect(changelist)
        if not relation:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(matches[0].pk)])
            )
        person_id = matches.values_list(f"{relation}__id", flat=True)[0]
        return HttpResponseRedirect(f"{changelist}?{relation}__id__exact={person_id}")

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self.id_number_path and can_view_sensitive(request.user):
            extra_context["id_number_find_url"] = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_find")
        return super().changelist_view(request, extra_context)

    def declared_lookups(self, request) -> set[str]:
        declared = super().declared_lookups(request)
        # `find_view` answers with the list of one person's records.
        relation = (self.id_number_path or "").rpartition("__")[0]
        if relation:
            declared.add(f"{relation}__id__exact")
        return declared
