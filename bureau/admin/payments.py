"""
The ledger (资金发放台账) and what feeds it: programmes, batches, the 批量发放 page that prepares a
proposal for a second clerk (bureau.admin.proposals), and bank accounts.
"""

import contextlib
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from bureau.admin.base import ScopedAdmin
from bureau.admin.filters import PeriodFilter
from bureau.admin.held import BatchBankFileMixin
from bureau.importexport.records import BankAccountResource, PaymentResource
from bureau.models import BankAccount, Payment, PaymentBatch, PaymentProgramme
from bureau.models.payments import period_normalise
from bureau.rules.payments import ledger
from bureau.rules.payments.lists import payment_list_check
from bureau.rules.payments.proposals import PREPARE_PERMISSION, payment_proposal_create


@admin.register(PaymentProgramme)
class PaymentProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "frequency", "paid_by_run", "active"]
    list_filter = ["area", "frequency", "paid_by_run", "active"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(BatchBankFileMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "paid_on", "created_by"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by if change else request.user
        super().save_model(request, obj, form, change)


class BulkPaymentForm(forms.Form):
    """批量发放: a payment of a programme to a pasted list of people, prepared for a second clerk's approval."""

    programme = forms.ModelChoiceField(
        label="资金项目",
        # Every programme in use: one paid only by its run is refused with the reason, not hidden.
        queryset=PaymentProgramme.objects.filter(active=True),
        empty_label="请选择",
        help_text="按月发放的定期抚恤补助、自主就业金等“仅由核算发放”的项目不能在此发放。",
    )
    period = forms.CharField(
        label="期间",
        max_length=20,
        required=False,
        help_text="按资金项目的发放周期填写：按年的填年度（如 2026），按月、按次的填年月（如 2026-03），一次性的留空。",
    )
    paid_on = forms.DateField(label="发放日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(
        label="批次名称", max_length=200, required=False, help_text="留空时为“资金项目 期间 批量发放”。"
    )
    lines = forms.CharField(
        label="发放名单",
        widget=forms.Textarea(attrs={"rows": 15, "cols": 60}),
        help_text="每行一人：身份证号 金额（以空格、制表符或逗号分隔，可直接从表格复制两列）。任何一行有错误时，全部不发放。",
    )

    def clean(self):
        data = super().clean()
        if data.get("programme") is not None:
            # The programme's own rule reads the period (2026年3月 -> 2026-03); a wrong shape is said
            # by the list's check, with the earlier payments it would repeat.
            with contextlib.suppress(ValidationError):
                data["period"] = period_normalise(programme=data["programme"], raw=data.get("period", ""))
        return data


@admin.register(Payment)
class PaymentAdmin(ScopedAdmin):
    resource_classes = [PaymentResource]
    # A ledger row is written by an approved proposal or a run, never imported (PaymentResource).
    importable = False
    list_display = ["person", "programme", "period", "amount", "paid_on", "batch"]
    # 期间 from the programmes' frequencies and the years paid, not a DISTINCT over the ledger.
    list_filter = ["programme", PeriodFilter, "person__township"]
    # The 批量发放 page answers with the list of the batch it paid.
    extra_lookups = ("batch__id__exact",)
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]
    export_kind = "资金发放台账"
    # The list's tools link the 批量发放 page.
    import_export_change_list_template = "admin/bureau/payment/change_list.html"

    def has_change_permission(self, request, obj=None):
        # No single account writes a ledger row: a row is written by an approved proposal or run (two
        # people), and a row a record pays (a visit's 慰问金) changes with its record. Read-only here,
        # and so on its old-version (revert) page too.
        return False

    def has_delete_permission(self, request, obj=None):
        # A row paid is money gone out: it is not deleted by one clerk either (its record may remove it).
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        record = ledger.linked_record(obj) if obj is not None else None
        if record is not None:
            messages.info(request, f"本条发放由“{record._meta.verbose_name}：{record}”生成，请在该记录中修改。")
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        return [
            path("bulk/", self.admin_site.admin_view(self.bulk_payment_view), name="bureau_payment_bulk"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_pay_in_bulk": request.user.has_perm(PREPARE_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        # No single account writes a ledger row: a payment by hand is a proposal (批量发放, one line
        # or many) that a second clerk approves. Nothing posted here is written.
        if not request.user.has_perm(PREPARE_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            self.message_user(
                request,
                "资金发放须由两人经办：请在此提交发放申请（可只填一人），由另一名工作人员审批后发放。",
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:bureau_payment_bulk"))

    def bulk_payment_view(self, request):
        """
        批量发放 (and the ledger's add form): the list is checked line by line by the ledger's rules
        and shown (masked) with its total; a second post checks it all again and keeps it as a
        proposal (`bureau.rules.payments.proposals`), which another clerk approves and only then pays.
        """
        if not request.user.has_perm(PREPARE_PERMISSION):
            raise PermissionDenied
        form = BulkPaymentForm(request.POST or None)
        line_errors, preview = [], None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if "confirm" in request.POST:
                    proposal = payment_proposal_create(
                        programme=data["programme"],
                        period=data["period"],
                        paid_on=data["paid_on"],
                        title=data["title"],
                        text=data["lines"],
                        by=request.user,
                    )
                else:
                    lines = payment_list_check(
                        programme=data["programme"], period=data["period"], text=data["lines"], by=request.user
                    )
            except ValidationError as error:
                line_errors = error.messages
            else:
                if "confirm" in request.POST:
                    self.message_user(
                        request,
                        f"已提交发放申请“{proposal}”：{proposal.persons} 人，合计 {proposal.total} 元。"
                        "尚未发放：须由另一名工作人员审批后才写入资金发放台账。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:bureau_paymentproposal_change", args=[proposal.pk]))
                total = sum((line.amount for line in lines), Decimal("0"))
                preview = {"lines": lines, "total": total, "count": len(lines)}
        return TemplateResponse(
            request,
            "admin/bureau/payment/bulk_payment.html",
            {
                **self.admin_site.each_context(request),
                "title": "批量发放（提交发放申请）",
                "opts": self.opts,
                "form": form,
                "line_errors": line_errors,
                "preview": preview,
            },
        )


@admin.register(BankAccount)
class BankAccountAdmin(ScopedAdmin):
    """The number is masked in the list (for every role) and shown whole on the account's page, audited."""

    resource_classes = [BankAccountResource]
    list_display = ["person", "bank", "account_number", "account_name", "active"]
    list_filter = ["active", "person__township"]
    search_fields = ["person__name", "=person__id_number"]
    autocomplete_fields = ["person"]
