"""
Review and pending changes: the bureau approves or returns what stations submit, by the list's
actions (all or none) or by the buttons of a submitted record's change page (`review_view`);
a record's page says when a station's proposed change to it (待审核修改) is waiting. Only
workflow records (TownshipRecord) have any of it; the rules are the services' (`record_review`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from bureau.models import PendingChange, ReviewStatus, TownshipRecord
from bureau.roles import reviews_records
from bureau.rules.services import record_review


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "退回时必须填写原因。"},
    )


class ReviewMixin:
    """Approve / return on workflow records: the list's actions, the change page's buttons, the pending change."""

    def get_urls(self):
        if not issubclass(self.model, TownshipRecord):
            return super().get_urls()
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(require_POST(self.review_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_review",
        )
        return [review, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if issubclass(self.model, TownshipRecord) and object_id:
            change = (
                PendingChange.objects.visible_to(request.user)
                .pending()
                .filter(content_type__app_label=self.opts.app_label, content_type__model=self.opts.model_name)
                .filter(object_id=object_id if str(object_id).isdigit() else None)
                .first()
            )
            if change is not None:
                extra_context["pending_change"] = change
                extra_context["pending_change_url"] = reverse("admin:bureau_pendingchange_change", args=[change.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not issubclass(self.model, TownshipRecord) or not self.has_change_permission(request):
            actions.pop("approve_selected", None)
            actions.pop("return_selected", None)
        return actions

    @admin.action(description="审核通过所选记录")
    def approve_selected(self, request, queryset):
        count = 0
        try:
            with transaction.atomic():
                for record in queryset.filter(review_status=ReviewStatus.SUBMITTED):
                    record_review(record=record, by=request.user, approve=True)
                    count += 1
        except ValidationError as error:
            # All or none: a record that cannot be approved as it stands (a value only the bureau decides).
            self.message_user(request, "未审核通过任何记录：" + "；".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"已审核通过 {count} 条记录。", messages.SUCCESS)

    @admin.action(description="退回所选记录（需填写原因）")
    def return_selected(self, request, queryset):
        submitted = queryset.filter(review_status=ReviewStatus.SUBMITTED)
        if "apply" in request.POST:
            form = ReturnForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        for record in submitted:
                            record_review(
                                record=record, by=request.user, approve=False, reason=form.cleaned_data["reason"]
                            )
                except ValidationError as error:
                    self.message_user(request, "；".join(error.messages), messages.ERROR)
                    return None
                self.message_user(request, f"已退回 {submitted.count()} 条记录。", messages.WARNING)
                return None
        else:
            form = ReturnForm()
        return render(
            request,
            "admin/bureau/return_records.html",
            {
                **self.admin_site.each_context(request),
                "title": "退回记录",
                "opts": self.model._meta,
                "records": submitted,
                "form": form,
                "action": "return_selected",
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            },
        )

    actions = ["approve_selected", "return_selected"]

    # The change page of a submitted record carries its own 审核通过 / 退回 buttons
    # (admin/bureau/record_change_form.html), posting to `review_view`.

    def may_review(self, request, record) -> bool:
        return reviews_records(request.user) and self.has_change_permission(request, record)

    def review_url(self, record) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_review",
            args=[quote(record.pk)],
            current_app=self.admin_site.name,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        if (
            isinstance(obj, TownshipRecord)
            and obj.pk
            and obj.review_status == ReviewStatus.SUBMITTED
            and self.may_review(request, obj)
        ):
            # The review template extends whatever change form this admin renders (an area's own
            # change_form_template too), so every workflow record gets the buttons without a template.
            response.context_data.update(
                {
                    "record_change_form": response.resolve_template(response.template_name),
                    "review_url": self.review_url(obj),
                    "return_form": ReturnForm(prefix="review"),
                }
            )
            response.template_name = "admin/bureau/record_change_form.html"
        return response

    def review_view(self, request, object_id):
        """Approve or return one submitted record (the buttons of its change page), then back to that page."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            # Outside the user's townships, or gone: it does not exist for them.
            raise Http404("记录不存在，或不在您可查看的乡镇（街道）范围内。")
        if not self.may_review(request, record):
            raise PermissionDenied
        change_page = redirect(
            reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(record.pk)],
                current_app=self.admin_site.name,
            )
        )
        if record.review_status != ReviewStatus.SUBMITTED:
            status = record.get_review_status_display()
            self.message_user(request, f"「{record}」的状态是“{status}”，不是待审核的记录，未作处理。", messages.ERROR)
            return change_page
        decision = request.POST.get("decision")
        if decision == "approve":
            try:
                record_review(record=record, by=request.user, approve=True)
            except ValidationError as error:
                # Another reviewer (or a save) came first: the version check refused this one.
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return change_page
            self.message_user(request, f"已审核通过：{record}", messages.SUCCESS)
        elif decision == "return":
            form = ReturnForm(request.POST, prefix="review")
            if not form.is_valid():
                self.message_user(request, "；".join(form.errors["reason"]), messages.ERROR)
                return change_page
            try:
                record_review(record=record, by=request.user, approve=False, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return change_page
            self.message_user(request, f"已退回：{record}", messages.SUCCESS)
        else:
            self.message_user(request, "请选择审核通过或退回。", messages.ERROR)
        return change_page
