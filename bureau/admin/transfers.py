"""
The admin of transfer requests (迁入申请): a station registered an ID number the district already
holds; the bureau sees both townships and approves (the person moves, in their history) or
rejects with a reason, each on the kit's confirmation page (`admin/step_confirm.html`).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bureau.admin.base import ReadOnlyAdmin
from bureau.models import TransferRequest
from bureau.roles import reviews_records
from bureau.rules.transfers import transfer_request_decide


class RejectForm(forms.Form):
    reason = forms.CharField(label="不同意的原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(TransferRequest)
class TransferRequestAdmin(ReadOnlyAdmin):
    list_display = ["person", "from_township", "to_township", "submitted_name", "state", "requested_by", "requested_at"]
    list_filter = ["state", "to_township", "from_township"]
    list_select_related = ["person", "from_township", "to_township", "requested_by"]
    search_fields = ["person__name", "submitted_name"]
    fields = [
        "person_link",
        "from_township",
        "to_township",
        "submitted_name",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
        "decided_at",
        "reason",
        "decision",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="人员")
    def person_link(self, obj):
        url = reverse("admin:bureau_person_change", args=[obj.person_id])
        return format_html('<a href="{}">{}</a>', url, obj.person)

    @admin.display(description="审核")
    def decision(self, obj):
        if obj.state != TransferRequest.State.PENDING:
            return obj.get_state_display()
        approve = reverse("admin:bureau_transferrequest_approve", args=[obj.pk])
        reject = reverse("admin:bureau_transferrequest_reject", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">同意迁入</a> <a class="button" href="{}">不同意</a>', approve, reject
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:transfer_id>/approve/", view(self.approve_view), name="bureau_transferrequest_approve"),
            path("<int:transfer_id>/reject/", view(self.reject_view), name="bureau_transferrequest_reject"),
            *super().get_urls(),
        ]

    def _transfer(self, request, transfer_id: int) -> TransferRequest:
        if not reviews_records(request.user):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=transfer_id)

    def _page(self, request, transfer, **context):
        refusal = "" if transfer.state == TransferRequest.State.PENDING else "该迁入申请已审核，不能重复审核。"
        return TemplateResponse(
            request,
            "admin/step_confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "obj": transfer,
                "refusal": refusal,
                "summary": f"{transfer.person}：现登记在{transfer.from_township}，{transfer.to_township}申请迁入"
                f"（{transfer.requested_by}，{transfer.requested_at:%Y-%m-%d %H:%M}）。",
                **context,
            },
            status=400 if context.get("form") is not None and context["form"].errors else 200,
        )

    def _decide(self, request, transfer, *, approve: bool, reason: str = ""):
        try:
            transfer_request_decide(transfer=transfer, by=request.user, approve=approve, reason=reason)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
        else:
            if approve:
                self.message_user(
                    request,
                    f"已同意迁入：{transfer.person} 已迁至{transfer.to_township}，记入其修改历史。",
                    messages.SUCCESS,
                )
            else:
                self.message_user(request, f"已不同意 {transfer.person} 迁入{transfer.to_township}。", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:bureau_transferrequest_change", args=[transfer.pk]))

    def approve_view(self, request, transfer_id: int):
        transfer = self._transfer(request, transfer_id)
        if request.method == "POST":
            return self._decide(request, transfer, approve=True)
        message = (
            f"本乡镇（街道）重复登记：同意后申请关闭，{transfer.person} 的登记不变。"
            if transfer.within_township
            else f"同意后，{transfer.person} 的登记乡镇（街道）由{transfer.from_township}变更为{transfer.to_township}，"
            "记入该人员的修改历史。"
        )
        return self._page(request, transfer, title="同意迁入", action="同意迁入", message=message)

    def reject_view(self, request, transfer_id: int):
        transfer = self._transfer(request, transfer_id)
        form = RejectForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            return self._decide(request, transfer, approve=False, reason=form.cleaned_data["reason"])
        message = f"不同意后，{transfer.person} 仍登记在{transfer.from_township}。请填写原因。"
        return self._page(request, transfer, title="不同意迁入", action="不同意", message=message, form=form)
