"""
The self-employment grant (自主就业金) and the social insurance continuation (社保接续) in the
admin. A cohort's grants are calculated on the 核算 page, checked on the run's page (its lines,
ID numbers masked, and who could not be calculated), approved and paid by a second staff member,
and the bank file is downloaded behind a warning. Every step is a service of
`resettlement.subsidies`; the pages only ask it and say its answer.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bureau.admin import WORKFLOW_READONLY, ReadOnlyAdmin, RecordAdmin, RunStepsAdmin, masked_display
from resettlement import resources, subsidies
from resettlement.models import InsuranceContinuation, SubsidyLine, SubsidyRun, SubsidyStandard

Status = SubsidyRun.Status
LINES_SHOWN = 200
CALCULATE_INTRO = (
    "按退役年度核算以“自主就业”方式退役、已审核的退役士兵的自主就业金：金额 = 基础金额 + 每服役一年金额 × 服役年限"
    "（按天折算、四舍五入，至少 1 年），标准取该年度的“自主就业金标准”，该年度没有时取之前最近年度的标准。"
    "未登记入伍时间的人员不能核算，将列出提示；已故、已迁出、非退役军人状态或已列为安排工作候选人的不发放，"
    "将列出原因。同一退役年度只核算发放一次；核算后须由另一名工作人员审批，"
    "审批后写入资金发放台账。"
)


class CalculateForm(forms.Form):
    cohort_year = forms.IntegerField(
        label="退役年度",
        min_value=2000,
        max_value=2100,
        help_text="核算该年度以“自主就业”方式退役、已审核的退役士兵。",
        error_messages={
            "required": "请填写退役年度。",
            "invalid": "退役年度应为四位数字，如 2021。",
            "min_value": "退役年度应在 2000 至 2100 年之间。",
            "max_value": "退役年度应在 2000 至 2100 年之间。",
        },
    )


class PayForm(forms.Form):
    paid_on = forms.DateField(
        label="发放日期",
        # A date input takes ISO only: the locale's 2026/12/06 would leave the field empty in the browser.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写发放日期。", "invalid": "发放日期格式不正确，应为 2021-10-15。"},
    )
    calculated_at = forms.CharField(widget=forms.HiddenInput, required=False)


@admin.register(SubsidyStandard)
class SubsidyStandardAdmin(admin.ModelAdmin):
    """District-wide figures, one per discharge year; a run copies the amounts it used."""

    list_display = ["year", "base_amount", "per_year_amount", "document"]
    search_fields = ["document"]


@admin.register(SubsidyRun)
class SubsidyRunAdmin(RunStepsAdmin):
    list_display = ["cohort_year", "status", "persons", "total", "paid_on", "calculated_by", "approved_by"]
    list_filter = ["status"]
    list_select_related = ["calculated_by", "approved_by"]
    change_form_template = "admin/resettlement/subsidyrun/change_form.html"
    fields = [
        "cohort_year",
        "status",
        "base_amount",
        "per_year_amount",
        "persons",
        "total",
        "calculated_by",
        "calculated_at",
        "approved_by",
        "approved_at",
        "paid_on",
        "batch",
    ]
    readonly_fields = fields
    steps = ("recalculate", "approve", "bank-file")

    def _said(self, request, run):
        if no_account := subsidies.no_account(run):
            self.message_user(
                request,
                f"{no_account.count} 人没有在用银行账户，共 {no_account.total} 元：审批后暂缓发放，登记银行账户后自动补发。",
                messages.WARNING,
            )
        missing = getattr(run, "missing_enlistment", [])
        if missing:
            names = "、".join(person.name for person in missing[:10])
            self.message_user(
                request,
                f"{len(missing)} 人未登记入伍时间，未列入核算：{names}{'等' if len(missing) > 10 else ''}。"
                "请补全人员信息后重新核算。",
                messages.WARNING,
            )
        excluded = getattr(run, "excluded", [])
        if excluded:
            listed = "；".join(f"{item.person.name}：{item.reason}" for item in excluded[:10])
            self.message_user(
                request,
                f"{len(excluded)} 人不发放自主就业金，未列入核算：{listed}{'等' if len(excluded) > 10 else ''}",
                messages.WARNING,
            )

    def add_view(self, request, form_url="", extra_context=None):
        """核算: the cohort year; the lines are computed at once from the year's standard."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CalculateForm(request.POST or None, initial={"cohort_year": timezone.localdate().year - 1})
        if request.method == "POST" and form.is_valid():
            try:
                run = subsidies.calculate(cohort_year=form.cleaned_data["cohort_year"], by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"已核算 {run.cohort_year} 年退役士兵自主就业金：{run.persons} 人，共 {run.total} 元。"
                    "请由另一名工作人员审批发放。",
                    messages.SUCCESS,
                )
                self._said(request, run)
                return self._back(run)
        return self._page(
            request, "admin/step_form.html", "核算自主就业金", form=form, intro=CALCULATE_INTRO, submit_label="核算"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = SubsidyRun.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {}
        if run is not None:
            lines = run.lines.select_related("person__township").order_by("person__township__order", "id")
            extra = {
                "run": run,
                "lines": [(line, masked_id(line)) for line in lines[:LINES_SHOWN]],
                "lines_shown": LINES_SHOWN,
                "lines_url": reverse("admin:resettlement_subsidyline_changelist") + f"?run__id__exact={run.pk}",
                "missing": subsidies.missing_enlistment(run.cohort_year) if run.status == Status.CALCULATED else [],
                "excluded": subsidies.excluded(run.cohort_year) if run.status == Status.CALCULATED else [],
                "no_account": subsidies.no_account(run),
                "may_approve": request.user.has_perm(subsidies.APPROVE_PERMISSION),
                "may_export": request.user.has_perm(subsidies.BANK_FILE_PERMISSION),
                "may_recalculate": self.has_add_permission(request) and not subsidies.recalculate_refusal(run),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def recalculate_view(self, request, run_id):
        run = self._run(request, run_id, "resettlement.add_subsidyrun")
        if request.method == "POST":
            try:
                run = subsidies.recalculate(run=run, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"已重新核算：{run.persons} 人，共 {run.total} 元，请重新审批。", messages.SUCCESS
                )
                self._said(request, run)
            return self._back(run)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"重新核算 {run}",
            obj=run,
            back_label="返回核算批次",
            refusal=subsidies.recalculate_refusal(run),
            action="重新核算",
            message="按当前人员信息和标准重新核算本批次，原明细将被替换，须重新审批。",
        )

    def approve_view(self, request, run_id):
        run = self._run(request, run_id, subsidies.APPROVE_PERMISSION)
        form = PayForm(
            request.POST or None,
            initial={"paid_on": timezone.localdate(), "calculated_at": subsidies.calculation_token(run)},
        )
        refusal = subsidies.approval_refusal(run, request.user)
        if request.method == "POST" and refusal:
            self.message_user(request, refusal, messages.ERROR)
            return self._back(run)
        if request.method == "POST" and form.is_valid():
            try:
                subsidies.approve_and_pay(
                    run=run,
                    by=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    calculated_at=form.cleaned_data["calculated_at"],
                )
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                missing = subsidies.no_account(run)
                self.message_user(
                    request,
                    f"已审批发放 {run}：{run.persons - missing.count} 人，共 {run.total - missing.total} 元，"
                    "已写入资金发放台账。"
                    + (f"{missing.count} 人没有在用银行账户，共 {missing.total} 元，暂缓待补发。" if missing else ""),
                )
            return self._back(run)
        missing = subsidies.no_account(run)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"审批发放 {run}",
            obj=run,
            back_label="返回核算批次",
            form=form,
            refusal=refusal,
            action="审批并发放",
            no_account=missing,
            message=(
                f"审批后将向有在用银行账户的 {run.persons - missing.count} 人发放自主就业金共 "
                f"{run.total - missing.total} 元，写入资金发放台账，不能撤回。"
            ),
        )

    def bank_file_view(self, request, run_id):
        run = self._run(request, run_id, subsidies.BANK_FILE_PERMISSION)
        if request.method == "POST":
            try:
                content, name, _ = subsidies.bank_file(run=run, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return self._back(run)
            return self._download(content, name)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"导出 {run} 银行代发文件",
            obj=run,
            back_label="返回核算批次",
            refusal=subsidies.bank_file_refusal(run),
            action="下载银行代发文件",
            message="文件含完整的身份证号和银行账号，下载将记入导出日志；请妥善保管，仅用于银行代发。",
        )


masked_id = masked_display(SubsidyLine, "person__id_number")


@admin.register(SubsidyLine)
class SubsidyLineAdmin(ReadOnlyAdmin):
    """A run's lines, read-only; ID numbers masked, no filter or ordering on them (`SensitiveQueryMixin`)."""

    list_display = ["person", masked_id, "enlisted_on", "discharged_on", "years_served", "amount", "run"]
    list_filter = ["run"]
    list_select_related = ["person", "run"]
    search_fields = ["person__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(InsuranceContinuation)
class InsuranceContinuationAdmin(RecordAdmin):
    resource_classes = [resources.InsuranceContinuationResource]
    importable = True
    export_kind = "社保接续"
    list_display = [
        "person",
        "person__id_number",
        "kind",
        "handled_on",
        "months",
        "personal_share",
        "fiscal_share",
        "state",
        "township",
        "review_status",
    ]
    list_filter = ["kind", "state", "township", "review_status"]
    list_select_related = ["person", "township"]
    search_fields = ["person__name", "=person__id_number"]
    search_help_text = "按姓名或完整身份证号查找"
    date_hierarchy = "handled_on"
    autocomplete_fields = ["person"]
    fieldsets = [
        (None, {"fields": ["person", "kind", "handled_on", "months", "township"]}),
        ("缴费", {"fields": ["personal_share", "fiscal_share", "state", "notes"]}),
        ("审核", {"fields": WORKFLOW_READONLY}),
    ]
    readonly_fields = ["township", *WORKFLOW_READONLY]
