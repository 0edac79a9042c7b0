"""
The monthly payroll in the admin: generate a month, see its changes against last month and its
progress, approve it as a second staff member (which pays it on the worker), resume a run that
stopped, download the bank file. Every step is a service of `pensions.payroll`.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bureau.admin import ReadOnlyAdmin, RunStepsAdmin
from bureau.rules import background
from pensions import payroll
from pensions.bankfile import bank_file, bank_file_refusal
from pensions.models import PayrollLine, PayrollRun

Status = PayrollRun.Status
CHANGES_SHOWN = 200
GENERATE_INTRO = (
    "按该月享受优抚类别的人员（在世、户籍在本区、类别覆盖该月）和该月执行的抚恤补助标准，生成发放表并与上月台账比较。"
    "生成后须由另一名工作人员审批，审批后写入资金发放台账。尚未审批的发放表可重新生成。"
)


def counts_text(counts: dict[str, int]) -> str:
    return (
        f"与上月相比：新增 {counts['new']} 人，停发 {counts['stopped']} 人，"
        f"金额变化 {counts['amount_changed']} 人，无变化 {counts['unchanged']} 人。"
    )


class GenerateForm(forms.Form):
    period = forms.CharField(label="发放月份", max_length=10, help_text="如 2021-03。")
    paid_on = forms.DateField(label="发放日期", required=False, help_text="留空为该月 10 日。")

    def clean_period(self):
        return payroll.parse_period(self.cleaned_data["period"])


def next_period() -> str:
    """The month after the newest run, else this month."""
    newest = PayrollRun.objects.order_by("-period").values_list("period", flat=True).first()
    if newest is None:
        return f"{timezone.localdate():%Y-%m}"
    _, last = payroll.month_bounds(newest)
    return f"{last + datetime.timedelta(days=1):%Y-%m}"


@admin.register(PayrollRun)
class PayrollRunAdmin(RunStepsAdmin):
    list_display = ["period", "status", "persons", "total", "paid_on", "generated_by", "approved_by", "progress_shown"]
    list_filter = ["status"]
    list_select_related = ["generated_by", "approved_by"]
    change_form_template = "admin/pensions/payrollrun/change_form.html"
    fields = [
        "period",
        "status",
        "paid_on",
        "persons",
        "total",
        "generated_by",
        "generated_at",
        "approved_by",
        "approved_at",
        "paid_at",
        "batch",
        "error",
    ]
    readonly_fields = fields
    steps = ("approve", "resume", "bank-file")

    @admin.display(description="进度")
    def progress_shown(self, run):
        if run.status in (Status.GENERATING, Status.PAYING):
            return f"{run.progress}%"
        return ""

    def _tell_if_waiting(self, request, task: str, run_id: int) -> None:
        """
        Once the request's transaction commits (and the step's task was sent, or not), say so if
        the broker was down: the step is saved and runs by itself when the broker is back.
        """

        def tell():
            if background.waiting_for_broker(task, run_id):
                self.message_user(request, background.BROKER_DOWN_MESSAGE, messages.WARNING)

        transaction.on_commit(tell)

    def add_view(self, request, form_url="", extra_context=None):
        """生成按月发放表: the month and the pay day; the lines are computed on the worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"period": request.GET.get("period") or next_period()}
        form = GenerateForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                run = payroll.payroll_start(
                    period=form.cleaned_data["period"], paid_on=form.cleaned_data["paid_on"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, f"已开始生成 {run.period} 按月发放表，完成后请由另一名工作人员审批。")
                self._tell_if_waiting(request, payroll.GENERATE_TASK, run.pk)
                return self._back(run)
        return self._page(
            request,
            "admin/step_form.html",
            "生成按月发放表",
            form=form,
            intro=GENERATE_INTRO,
            submit_label="生成发放表",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = PayrollRun.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {}
        if run is not None:
            changes = run.lines.exclude(change=PayrollLine.Change.UNCHANGED).select_related("person")
            extra = {
                "run": run,
                "in_progress": run.status in (Status.GENERATING, Status.APPROVED, Status.PAYING),
                "broker_down": background.BROKER_DOWN_MESSAGE if payroll.waiting_task(run) else "",
                "counts": payroll.change_counts(run),
                "no_account": payroll.no_account(run),
                "changes": changes.order_by("change", "id")[:CHANGES_SHOWN],
                "changes_shown": CHANGES_SHOWN,
                "lines_url": reverse("admin:pensions_payrollline_changelist") + f"?run__id__exact={run.pk}",
                "may_approve": request.user.has_perm("pensions.approve_payrollrun"),
                "may_export": request.user.has_perm("pensions.export_bank_file"),
                "may_regenerate": self.has_add_permission(request),
                "regenerable": not payroll.start_refusal(run),
                # Offered whenever an approved run is not paid and no payment of it is running.
                "resumable": not payroll.resume_refusal(run),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def approve_view(self, request, run_id):
        run = self._run(request, run_id, "pensions.approve_payrollrun")
        if request.method == "POST":
            try:
                payroll.payroll_approve(run=run, by=request.user, generated_at=request.POST.get("generated_at", ""))
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"已审批 {run.period} 按月发放，正在写入资金发放台账。", messages.SUCCESS)
                self._tell_if_waiting(request, payroll.PAY_TASK, run.pk)
            return self._back(run)
        refusal = payroll.approval_refusal(run, request.user)
        # An approved run that stopped: the refusal says to resume, and its link leads there.
        resume = run.approved_by_id is not None and not payroll.resume_refusal(run)
        missing = payroll.no_account(run)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"审批 {run.period} 按月发放",
            obj=run,
            refusal=refusal,
            back_url=reverse("admin:pensions_payrollrun_resume", args=[run.pk]) if resume else "",
            back_label="继续发放" if resume else "返回发放表",
            action="审批并发放",
            hidden={"generated_at": payroll.generation_token(run)},
            summary=counts_text(payroll.change_counts(run)),
            no_account=missing,
            message=(
                f"审批后将向有在用银行账户的 {run.persons - missing.count} 人发放共 {run.total - missing.total} 元，"
                "写入资金发放台账，不能撤回。"
            ),
        )

    def resume_view(self, request, run_id):
        run = self._run(request, run_id, "pensions.approve_payrollrun")
        if request.method == "POST":
            try:
                payroll.payroll_resume(run=run, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"已重新开始发放 {run.period}：已领取的人员不会重复发放。", messages.SUCCESS)
                self._tell_if_waiting(request, payroll.PAY_TASK, run.pk)
            return self._back(run)
        refusal = payroll.resume_refusal(run)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"继续发放 {run.period}",
            obj=run,
            back_label="返回发放表",
            refusal=refusal,
            action="继续发放",
            message="发放中断后继续：已写入台账的人员跳过，其余人员发放，每人只发放一次。",
        )

    def bank_file_view(self, request, run_id):
        run = self._run(request, run_id, "pensions.export_bank_file")
        if request.method == "POST":
            try:
                content, name, missing = bank_file(run=run, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return self._back(run)
            return self._download(content, name)
        refusal = bank_file_refusal(run)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"导出 {run.period} 银行代发文件",
            obj=run,
            back_label="返回发放表",
            refusal=refusal,
            action="下载银行代发文件",
            message="文件含完整的身份证号和银行账号，下载将记入导出日志；请妥善保管，仅用于银行代发。",
        )


@admin.register(PayrollLine)
class PayrollLineAdmin(ReadOnlyAdmin):
    """
    The run's lines, read-only (district-wide, like the run; names only, no ID numbers). No
    filter or ordering on the person's ID number or phone (`SensitiveQueryMixin`).
    """

    list_display = ["person", "category", "previous_amount", "amount", "change", "reason", "run"]
    list_filter = ["run", "change"]
    list_select_related = ["person", "run"]
    search_fields = ["person__name"]
