"""
Imports as jobs (bureau.importexport.jobs): xlsx only; the upload is checked (size, structure,
zip bomb, macros) and stored here, the dry run and the import itself run in the worker, and the
job's page shows its progress and then its preview, whose one confirm imports it once. The
resource (bureau.importexport.PortalResource) validates every row and writes nothing unless all
rows are valid.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import XLSX

from bureau.importexport import PortalImportForm, PortalXLSX, UploadRefused, jobs
from bureau.models import ImportJob
from bureau.rules.accounts import keeps_session_idle


class ImportConfirmForm(forms.Form):
    """The preview's confirm button: the job to import (its file is already stored, privately)."""

    job = forms.IntegerField(widget=forms.HiddenInput)


class ImportJobsMixin:
    """The import pages of the kit; `importable = False` leaves only the export (no import button)."""

    # Short rows (files from other programs) are padded instead of refused.
    import_formats = [PortalXLSX]
    importable = True
    import_export_change_list_template = "admin/import_export/portal_change_list.html"
    import_template_name = "admin/import_export/portal_import.html"
    # Checks the uploaded file (size, xlsx structure, zip bomb, macros) before it is stored or parsed.
    import_form_class = PortalImportForm

    def get_urls(self):
        urls = [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_template",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_job",
            ),
            path(
                "import/<int:job_id>/columns/",
                self.admin_site.admin_view(self.import_job_columns),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_job_columns",
            ),
            path(
                "import/<int:job_id>/status/",
                self.admin_site.admin_view(keeps_session_idle(self.import_job_status)),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_job_status",
            ),
        ]
        return [*urls, *super().get_urls()]

    def has_import_permission(self, request):
        return self.importable and super().has_import_permission(request)

    def import_template_view(self, request):
        """The empty xlsx to fill in for an import: the resource's Chinese headers."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        response = HttpResponse(resource.import_template(), content_type=XLSX.CONTENT_TYPE)
        filename = f"{self.opts.verbose_name_plural}导入模板.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response

    # Imports are jobs (bureau.importexport.jobs): the upload is checked and stored here, the dry run
    # and the import itself run in the worker; the pages show the job and poll its status.

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = self.create_import_form(request)
            if form.is_valid():
                job = jobs.import_job_create(
                    user=request.user,
                    label=self.model._meta.label_lower,
                    resource_index=int(form.cleaned_data.get("resource") or 0),
                    upload=form.cleaned_data["import_file"],
                    # `export_kind` (bureau.admin.exports) names the records in the job lists too.
                    kind=str(self.export_kind or self.model._meta.verbose_name_plural),
                )
                return redirect(self.import_job_url(job))
        response = super().import_action(request, **kwargs)
        # A refused file is a bad request (400), with the form naming what is wrong.
        form = (getattr(response, "context_data", None) or {}).get("form")
        if request.method == "POST" and form is not None and form.errors:
            response.status_code = 400
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        # The library names the exception class in English ("'BadZipFile' encountered…").
        form.add_error(
            "import_file", str(e) if isinstance(e, UploadRefused) else "无法读取该文件，请确认它是 .xlsx 工作簿。"
        )

    def import_job_url(self, job) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job.pk])

    def get_import_job(self, request, job_id) -> ImportJob:
        """The user's own import job of this model; anyone else's, or a bad id, is a 404."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs_of_user = ImportJob.objects.of_user(request.user).filter(model=self.model._meta.label_lower)
        return get_object_or_404(jobs_of_user, pk=job_id)

    def import_job_view(self, request, job_id: int):
        """The job's page: progress while it runs, then the preview summary (or the errors), then the result."""
        job = self.get_import_job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"导入{self.opts.verbose_name_plural}",
            "opts": self.opts,
            "job": job,
            "rows_done": jobs.rows_done(job),
            # The broker was down when the step was queued: saved, it runs once the broker is back.
            "broker_notice": jobs.status_of(job)["notice"],
            "status_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job_status", args=[job.pk]
            ),
            "import_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"),
        }
        if job.status == ImportJob.Status.VALIDATED:
            context["confirm_form"] = ImportConfirmForm(initial={"job": job.pk})
        unknown, targets = jobs.mappable_columns(job)
        if unknown and targets:
            context["mapping"] = {
                "url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job_columns", args=[job.pk]),
                "headers": [(f"map-{index}", header) for index, header in enumerate(unknown)],
                "targets": targets,
            }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/import_export/import_job.html", context)

    def import_job_columns(self, request, job_id: int):
        """
        The preview's mapping of unknown headers (`map-<n>`: a target column, or blank for 不导入):
        saved for the next files of this model, and the job's file checked again with it.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self.get_import_job(request, job_id)
        unknown, _ = jobs.mappable_columns(job)
        choices = {header: request.POST.get(f"map-{index}", "").strip() for index, header in enumerate(unknown)}
        try:
            saved = jobs.import_job_map_columns(job=job, by=request.user, choices=choices)
        except ValidationError as error:
            return HttpResponseBadRequest("；".join(error.messages), content_type="text/plain; charset=utf-8")
        named = "、".join(f"{mapping.source_header} → {mapping.target_column}" for mapping in saved)
        messages.success(request, f"已保存列的对应关系（{named}），正在按此重新校验。")
        return redirect(self.import_job_url(job))

    def import_job_status(self, request, job_id: int):
        """Polled by the job's page (without renewing the session): status and rows done."""
        job = self.get_import_job(request, job_id)
        return JsonResponse(jobs.status_of(job))

    def process_import(self, request, **kwargs):
        """The confirm button of the preview: import the job's file, once (a second post imports nothing)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportConfirmForm(request.POST)
        if not form.is_valid():
            raise Http404("导入任务不存在。")
        job = self.get_import_job(request, form.cleaned_data["job"])
        try:
            jobs.import_job_confirm(job=job, by=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect(self.import_job_url(job))
