"""
Money held for want of a bank account (待补发) in the admin, and any payment batch's bank file
(a catch-up batch's, a hand batch's): see `bureau.rules.payments.held`.
"""

from urllib.parse import quote

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from bureau.admin.base import ReadOnlyAdmin
from bureau.importexport.bankfile import batch_bank_file
from bureau.models import HeldPayment, PaymentBatch

BATCH_BANK_FILE_PERMISSION = "bureau.export_batch_bank_file"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BatchBankFileMixin:
    """The PaymentBatch admin's 银行代发文件 page: behind a warning, permission-checked, logged as an unmasked export."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:batch_id>/bank-file/", view(self.bank_file_view), name="bureau_paymentbatch_bank_file"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"may_export_bank_file": request.user.has_perm(BATCH_BANK_FILE_PERMISSION)}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def bank_file_view(self, request, batch_id):
        if not request.user.has_perm(BATCH_BANK_FILE_PERMISSION):
            raise PermissionDenied
        batch = get_object_or_404(PaymentBatch, pk=batch_id)
        refusal = "" if batch.payments.exists() else "该批次没有已发放的记录，没有银行代发文件。"
        if request.method == "POST" and not refusal:
            content, _ = batch_bank_file(
                batch=batch,
                sheet_title=batch.title.replace("：", " "),
                detail=batch.title,
                permission=BATCH_BANK_FILE_PERMISSION,
                by=request.user,
            )
            response = HttpResponse(content, content_type=XLSX)
            response["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(f'银行代发文件-{batch.title}.xlsx')}"
            )
            return response
        return TemplateResponse(
            request,
            "admin/step_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": f"导出 {batch} 银行代发文件",
                "opts": self.opts,
                "obj": batch,
                "back_label": "返回发放批次",
                "refusal": refusal,
                "action": "下载银行代发文件",
                "message": "文件含完整的身份证号和银行账号，下载将记入导出日志；请妥善保管，仅用于银行代发。",
            },
        )


@admin.register(HeldPayment)
class HeldPaymentAdmin(ReadOnlyAdmin):
    """
    Read-only: held money is paid by adding an account in use for the person (bureau.rules.payments.held),
    never by hand here.
    """

    list_display = ["person", "programme", "period", "amount", "batch", "held_at", "paid_at", "payment"]
    list_filter = [("paid_at", admin.EmptyFieldListFilter), "programme"]
    list_select_related = ["person", "programme", "batch", "payment__person", "payment__programme"]
    search_fields = ["person__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
