"""
A run in the admin: a batch of payments computed, checked, approved by a second person and paid
(the payroll's month, the grant's cohort, any later one). A run changes by its steps only, each
a service of its area: the admin is its list, its page, and one URL per step. Nothing is changed
or deleted here (the ledger rows of a paid run are its record).
"""

from urllib.parse import quote

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RunStepsAdmin(admin.ModelAdmin):
    """
    `steps` names the run's steps: each is a URL `<run id>/<step>/` named
    `<app>_<model>_<step>` (hyphens as underscores) and served by the admin's `<step>_view`
    (`steps = ("approve", "bank-file")`: `approve_view`, `bank_file_view`). A step view takes
    the run with `_run` (the permission checked), shows a page with `_page` (the kit's
    `admin/step_form.html` or `admin/step_confirm.html`) and goes back with `_back`.
    """

    steps: tuple[str, ...] = ()

    def has_change_permission(self, request, obj=None):
        return False  # a run changes by its steps only

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger rows of a paid run are its record

    def get_urls(self):
        view, opts = self.admin_site.admin_view, self.opts
        steps = []
        for step in self.steps:
            name = step.replace("-", "_")
            steps.append(
                path(
                    f"<int:run_id>/{step}/",
                    view(getattr(self, f"{name}_view")),
                    name=f"{opts.app_label}_{opts.model_name}_{name}",
                )
            )
        return [*steps, *super().get_urls()]

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **context},
        )

    def _run(self, request, run_id, permission):
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return get_object_or_404(self.model, pk=run_id)

    def _back(self, run):
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[run.pk])
        )

    def _download(self, content: bytes, name: str) -> HttpResponse:
        """A step's xlsx file (the bank file), named in UTF-8 for the browser."""
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
