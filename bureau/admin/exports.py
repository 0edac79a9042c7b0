"""
Exports: xlsx only, of the rows the user may see, filtered as the list is (a filter the list
refuses is refused here too); masked unless a role with the permission asks for whole values
and says why; every file is logged (ExportLog), with whether it really held whole values. An
export of more than EXPORT_JOB_THRESHOLD rows becomes a job of the worker (我的导出).
"""

from contextlib import nullcontext

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm

from bureau.base import masking
from bureau.base.masking import can_view_sensitive
from bureau.importexport import jobs
from bureau.models import ExportLog

BAD_EXPORT_FILTER_MESSAGE = "导出的筛选条件无效，请回到列表页重新筛选后再导出。"


class SensitiveExportForm(SelectableFieldsExportForm):
    """The export form, with the choice of whole values: for roles with the permission, and only with a purpose."""

    sensitive_choice_fields = ("unmasked", "purpose")

    unmasked = forms.BooleanField(label="导出完整的身份证号、联系电话等个人敏感信息", required=False)
    purpose = forms.CharField(
        label="导出用途",
        max_length=200,
        required=False,
        help_text="导出完整个人信息时必须填写，记入导出记录和审计日志；否则敏感信息一律遮蔽导出。",
    )

    def _get_field_label(self, resource, field_name: str) -> str:
        """The column's header in the file (身份证号), else the model field's Chinese name; never 「Id Number (身份证号)」."""
        field = resource.fields.get(field_name)
        column = field.column_name if field is not None else field_name
        if column and column != field_name:
            return column
        try:
            model_field = resource._meta.model._meta.get_field((field and field.attribute) or field_name)
        except FieldDoesNotExist:
            return column
        return str(capfirst(model_field.verbose_name))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unmasked") and not (cleaned.get("purpose") or "").strip():
            self.add_error("purpose", "导出完整个人信息时必须填写用途。")
        return cleaned


class ExportJobsMixin:
    """The export of the kit; the 400 page of a refused filter is the allow-list's (`query_refused`)."""

    export_formats = [XLSX]
    # What the file and its log call the records (人员名册); also the kind of an import job.
    # (The base resource escapes formula-like strings; the library's own option mangles values.)
    export_kind = ""

    def export_action(self, request):
        # The export builds the change list from the URL's filters; one the list would refuse
        # (`?township__id__exact=abc`) is a bad request, not a 500.
        try:
            response = self.export_job_action(request) or super().export_action(request)
        except DisallowedModelAdminLookup as error:
            # The export takes the list's own query parameters, and refuses the same ones.
            return self.query_refused(request, error)
        except IncorrectLookupParameters:
            return render(request, "400.html", {"message": BAD_EXPORT_FILTER_MESSAGE}, status=400)
        if response.has_header("Content-Disposition"):
            # The library writes the name into the header as it is (a Chinese one comes out MIME-encoded,
            # which browsers do not read): RFC 6266's filename* instead.
            filename = self.get_export_filename(request, None, XLSX())
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response

    def get_export_filename(self, request, queryset, file_format):
        """「人员名册-2026-12-06.xlsx」: what the records are and the day, not the model's class name."""
        kind = self.export_kind or self.model._meta.verbose_name_plural
        return f"{kind}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def export_job_action(self, request):
        """
        A valid export of more than EXPORT_JOB_THRESHOLD rows becomes a job of the worker: the
        answer is 我的导出, where its file will be. Smaller ones (and exports of selected rows)
        are answered at once by the library's view.
        """
        if request.method != "POST" or "export_items" in request.POST or not self.has_export_permission(request):
            return None
        form = self.get_export_form_class()(
            self.get_export_formats(), self.get_export_resource_classes(request), data=request.POST
        )
        self.init_request_context_data(request, form)
        if not form.is_valid():
            return None
        queryset = self.get_export_queryset(request)
        if queryset.count() <= settings.EXPORT_JOB_THRESHOLD:
            return None
        cleaned = form.cleaned_data
        try:
            job = jobs.export_job_create(
                user=request.user,
                label=self.model._meta.label_lower,
                kind=str(self.export_kind or self.model._meta.verbose_name_plural),
                resource_index=self.get_resource_index(form),
                query=request.GET.urlencode(),
                export_fields=self.get_export_resource_fields_from_form(form),
                unmasked=bool(cleaned.get("unmasked")),
                purpose=cleaned.get("purpose") or "",
            )
        except ValidationError:
            # A filter too long to store: the export is answered at once, as below the threshold.
            return None
        messages.success(request, f"导出的记录较多，已转入后台生成（任务 {job.pk}），完成后可在“我的导出”中下载。")
        return redirect("my_exports")

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).visible_to(request.user)

    def get_export_form_class(self):
        return SensitiveExportForm

    def init_request_context_data(self, request, form):
        # Only a role that may see whole values is offered an export of them.
        if not can_view_sensitive(request.user):
            for name in SensitiveExportForm.sensitive_choice_fields:
                form.fields.pop(name, None)
        return super().init_request_context_data(request, form)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        form = kwargs.get("export_form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        unmasked = bool(cleaned.get("unmasked"))
        if unmasked and not can_view_sensitive(request.user):
            raise PermissionDenied("您没有导出完整个人信息的权限。")
        purpose = (cleaned.get("purpose") or "").strip()
        # The log says whether the file really held whole sensitive values, as the resource wrote them.
        with masking.disclosure() as disclosed, masking.unmasked() if unmasked else nullcontext():
            data = super().get_export_data(file_format, request, queryset, **kwargs)
        query = request.GET.urlencode()
        ExportLog.objects.create(
            user=request.user,
            kind=self.export_kind or str(self.model._meta.verbose_name_plural),
            file_format=file_format.get_title(),
            row_count=queryset.count(),
            unmasked=disclosed.unmasked,
            detail=(f"用途：{purpose}；{query}" if purpose else query)[:500],
        )
        return data
