"""
The admin of proposed changes (待审核修改): a station's edit of an approved record, shown
beside the values in force, approved (applied) or returned with a reason by the bureau.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from bureau.admin.base import ReadOnlyAdmin
from bureau.admin.filters import ProjectContentTypeFilter
from bureau.admin.review import ReturnForm
from bureau.base.masking import mask_for
from bureau.models import PendingChange
from bureau.roles import reviews_records
from bureau.rules.disclosure import revealing
from bureau.rules.services import ScopeError, change_review


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyAdmin):
    list_display = ["record_link", "content_type", "township", "changed_fields", "status", "proposed_by", "proposed_at"]
    list_filter = ["status", ("content_type", ProjectContentTypeFilter), "township"]
    list_select_related = ["content_type", "township", "proposed_by"]
    change_form_template = "admin/bureau/pendingchange/change_form.html"
    actions = ["approve_selected", "return_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).prefetch_related("record")

    # Read-only: proposals are made at the station and settled by the review buttons, never edited here.

    @admin.display(description="记录")
    def record_link(self, obj):
        return obj.record_label

    @admin.display(description="修改项目")
    def changed_fields(self, obj):
        # Field names only: the values (a phone) are on the change page, masked where they must be.
        return "、".join(str(obj.field(name).verbose_name) for name in obj.changes)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = get_object_or_404(self.get_queryset(request), pk=object_id) if str(object_id).isdigit() else None
        extra_context = dict(extra_context or {})
        if change is not None:
            record_url = None
            if change.record is not None:
                opts = change.model._meta
                record_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[change.object_id])
            sensitive = [name for name in change.changes if mask_for(change.model, name)]
            if request.method == "GET" and sensitive:
                # One change of one record, side by side: whole values for a role with the permission, audited.
                with revealing(request, change.record or change, sensitive):
                    rows = change.rows(request.user)
            else:
                rows = change.rows(request.user)
            extra_context.update(
                {
                    "proposal": change,
                    "rows": rows,
                    "record_url": record_url,
                    "can_review": reviews_records(request.user) and change.status == PendingChange.Status.PENDING,
                    "return_form": ReturnForm(),
                    "review_url": reverse("admin:bureau_pendingchange_review", args=[change.pk]),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- batch review: each change through `change_review`, in its own savepoint ---------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not reviews_records(request.user):
            # The same check as the one-by-one review: a station, the leadership, the auditor have none.
            actions.pop("approve_selected", None)
            actions.pop("return_selected", None)
        return actions

    def _review_each(self, request, queryset, *, approve: bool, reason: str = ""):
        """Review every pending change of the selection, each in its own savepoint; report what happened."""
        if not reviews_records(request.user):
            raise PermissionDenied
        done, refused, skipped = 0, [], 0
        for change in queryset.order_by("pk"):
            if change.status != PendingChange.Status.PENDING:
                skipped += 1
                continue
            try:
                with transaction.atomic():
                    change_review(change=change, by=request.user, approve=approve, reason=reason)
            except ScopeError as error:
                refused.append((change.record_label, str(error)))
            except ValidationError as error:
                refused.append((change.record_label, "；".join(error.messages)))
            else:
                done += 1
        if refused:
            lines = format_html_join("", "<li>「{}」：{}</li>", refused)
            messages.error(request, format_html("以下 {} 项修改未处理：<ul>{}</ul>", len(refused), lines))
        if skipped:
            messages.warning(request, f"所选中有 {skipped} 项修改已审核，已跳过。")
        if done:
            if approve:
                messages.success(request, f"已审核通过 {done} 项修改。")
            else:
                messages.success(request, f"已退回 {done} 项修改，服务站可查看原因。")
        return done

    @admin.action(description="审核通过所选修改")
    def approve_selected(self, request, queryset):
        self._review_each(request, queryset, approve=True)

    @admin.action(description="退回所选修改")
    def return_selected(self, request, queryset):
        if not reviews_records(request.user):
            raise PermissionDenied
        pending = queryset.filter(status=PendingChange.Status.PENDING).order_by("pk")
        if "apply" in request.POST:
            form = ReturnForm(request.POST)
            if form.is_valid():
                self._review_each(request, queryset, approve=False, reason=form.cleaned_data["reason"])
                return None
        else:
            form = ReturnForm()
        return render(
            request,
            "admin/bureau/pendingchange/return_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "退回所选修改",
                "opts": self.model._meta,
                "changes": list(pending),
                "skipped": queryset.exclude(status=PendingChange.Status.PENDING).count(),
                "form": form,
                "action": "return_selected",
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:change_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="bureau_pendingchange_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, change_id: int):
        """审核通过 or 退回 of one proposed change (the buttons of the change page)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not reviews_records(request.user):
            raise PermissionDenied
        change = get_object_or_404(self.get_queryset(request), pk=change_id)
        back = reverse("admin:bureau_pendingchange_change", args=[change.pk])
        approve = "approve" in request.POST
        reason = ""
        if not approve:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, "退回时必须填写原因。")
                return HttpResponseRedirect(back)
            reason = form.cleaned_data["reason"]
        try:
            change_review(change=change, by=request.user, approve=approve, reason=reason)
        except ScopeError as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return HttpResponseRedirect(back)
        if approve:
            messages.success(request, format_html("已审核通过对「{}」的修改，新内容已生效。", change.record_label))
        else:
            messages.warning(request, format_html("已退回对「{}」的修改，服务站可查看原因。", change.record_label))
        return HttpResponseRedirect(reverse("admin:bureau_pendingchange_changelist") + "?status__exact=pending")
