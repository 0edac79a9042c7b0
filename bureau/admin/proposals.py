"""
Admin of payments by hand, by two people (bureau.rules.payments.proposals): the 资金发放申请 list, a
proposal's page (its lines masked, with its total), and the second clerk's 审批发放 / 退回 on
the kit's one confirmation page (`admin/step_confirm.html`). A proposal is prepared on the
ledger's 批量发放 page (bureau.admin.payments.PaymentAdmin.bulk_payment_view).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from bureau.models import PaymentProposal
from bureau.models.payments import period_display
from bureau.rules.payments import proposals as payment_proposals

Status = PaymentProposal.Status


class DecisionForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class ReturnForm(DecisionForm):
    reason = forms.CharField(
        label="退回原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "退回时请填写退回原因。"},
    )


@admin.register(PaymentProposal)
class PaymentProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "period", "paid_on", "status", "prepared_by", "prepared_at", "decided_by"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme", "prepared_by", "decided_by"]
    search_fields = ["title"]
    change_form_template = "admin/bureau/paymentproposal/change_form.html"
    fields = [
        "title",
        "programme",
        "period",
        "paid_on",
        "status",
        "prepared_by",
        "prepared_at",
        "decided_by",
        "decided_at",
        "reason",
        "batch",
    ]
    # The preparer may retitle or redate a proposal while it awaits approval; the rest is its record.
    editable = ["title", "paid_on"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            return [name for name in self.fields if name not in self.editable]
        return self.fields

    def has_add_permission(self, request):
        return request.user.has_perm(payment_proposals.PREPARE_PERMISSION)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or (obj.status == Status.PENDING and obj.prepared_by_id == request.user.pk))

    def has_delete_permission(self, request, obj=None):
        return False  # a decided proposal is the record of who paid; a pending one is returned, not deleted

    def add_view(self, request, form_url="", extra_context=None):
        # A proposal is prepared on the ledger's 批量发放 page (one line or many).
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:bureau_payment_bulk"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:proposal_id>/approve/", view(self.approve_view), name="bureau_paymentproposal_approve"),
            path("<int:proposal_id>/return/", view(self.return_view), name="bureau_paymentproposal_return"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = PaymentProposal.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {}
        if proposal is not None:
            lines = payment_proposals.proposal_lines(proposal)
            extra = {
                "proposal_lines": lines,
                "proposal_total": sum(line.amount for line in lines),
                "proposal_period": period_display(proposal.period) or "不分期间",
                "may_decide": not payment_proposals.payment_proposal_refusal(proposal, request.user),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _proposal(self, request, proposal_id):
        if not request.user.has_perm(payment_proposals.APPROVE_PERMISSION):
            raise PermissionDenied
        return get_object_or_404(PaymentProposal.objects.select_related("programme", "prepared_by"), pk=proposal_id)

    def _back(self, proposal):
        return HttpResponseRedirect(reverse("admin:bureau_paymentproposal_change", args=[proposal.pk]))

    def _confirm(self, request, proposal, *, title, action, message, form, refusal):
        lines = payment_proposals.proposal_lines(proposal)
        total = sum(line.amount for line in lines)
        return TemplateResponse(
            request,
            "admin/step_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "obj": proposal,
                "back_label": "返回发放申请",
                "refusal": refusal,
                "action": action,
                "summary": (
                    f"“{proposal.programme}”{period_display(proposal.period) or '（不分期间）'}，"
                    f"发放日期 {proposal.paid_on:%Y-%m-%d}，{len(lines)} 人，合计 {total} 元；"
                    f"经办人 {proposal.prepared_by}。"
                ),
                "message": message,
                "form": form,
            },
        )

    def approve_view(self, request, proposal_id):
        """审批发放: the confirmation page, then the post that pays (once, as the approver saw it)."""
        proposal = self._proposal(request, proposal_id)
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            initial={"token": payment_proposals.payment_proposal_token(proposal)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                proposal = payment_proposals.payment_proposal_approve(
                    proposal=proposal, by=request.user, token=form.cleaned_data["token"]
                )
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"已审批发放“{proposal}”，已写入资金发放台账（批次“{proposal.batch}”）。", messages.SUCCESS
                )
            return self._back(proposal)
        return self._confirm(
            request,
            proposal,
            title=f"审批发放 {proposal}",
            action="审批并发放",
            message="审批后将按以上名单写入资金发放台账，不能撤回；发放前将再次核对期间、资金项目规则和已发放记录。",
            form=form,
            refusal=payment_proposals.payment_proposal_refusal(proposal, request.user),
        )

    def return_view(self, request, proposal_id):
        """退回: with the reason the preparer reads; nothing is paid."""
        proposal = self._proposal(request, proposal_id)
        form = ReturnForm(
            request.POST if request.method == "POST" else None,
            initial={"token": payment_proposals.payment_proposal_token(proposal)},
        )
        refusal = payment_proposals.payment_proposal_refusal(proposal, request.user)
        if request.method == "POST" and form.is_valid():
            try:
                proposal = payment_proposals.payment_proposal_return(
                    proposal=proposal,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    token=form.cleaned_data["token"],
                )
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"已退回发放申请“{proposal}”。", messages.SUCCESS)
            return self._back(proposal)
        return self._confirm(
            request,
            proposal,
            title=f"退回 {proposal}",
            action="退回",
            message="退回后本申请不再发放，经办人可按退回原因改正后重新提交。",
            form=form,
            refusal=refusal,
        )
