"""
Closing a year in the admin (`bureau.rules.closing`):

- `ClosedYearAdmin`: the years closed and reopened, read-only (who closed, when; who reopened, when,
  why). Closing and reopening happen on the report's 定稿 page and by `close_year` / `reopen_year`.
- `ClosedYearAdminMixin`, part of every kit admin (`bureau.admin.base.ScopedAdmin`): deleting a
  record of a closed year, alone or with the list's 删除所选 action, is refused with the year's
  message and a redirect instead of an error page.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from bureau.admin.lookups import SensitiveQueryMixin
from bureau.models import ClosedYear
from bureau.rules.closing import ClosedYearError, closed_rows_check


class ClosedYearAdminMixin:
    """A delete of a closed year's record: the year's message on the page it came from, nothing deleted."""

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)  # atomic: nothing of it stays
        except ClosedYearError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic():  # the action's log entries go with its refusal
                return super().changelist_view(request, extra_context)
        except ClosedYearError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request, queryset):
        # A bulk delete passes no model's delete(): the rows' years are asked here (one query).
        closed_rows_check(queryset)
        super().delete_queryset(request, queryset)


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


@admin.register(ClosedYear)
class ClosedYearAdmin(SensitiveQueryMixin, admin.ModelAdmin):
    """Read-only, as `bureau.admin.base.ReadOnlyAdmin` (not imported: that module imports this one's mixin)."""

    list_display = ["year", "state", "closed_by", "closed_when", "reopened_by", "reopened_when", "reopen_reason"]
    list_select_related = ["closed_by", "reopened_by"]
    list_filter = ["closed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="状态", ordering="closed")
    def state(self, obj):
        return "已定稿" if obj.closed else "已解锁"

    @admin.display(description="定稿时间", ordering="closed_at")
    def closed_when(self, obj):
        return _when(obj.closed_at)

    @admin.display(description="解锁时间", ordering="reopened_at")
    def reopened_when(self, obj):
        return _when(obj.reopened_at)
