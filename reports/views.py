"""
The leadership dashboard: the year's figures, the annual report runs, their progress and downloads.

Views stay thin: access (`dashboard_required`) → form → `reports.services` → redirect or response.
Which runs a user sees is decided by `AnnualReportRun.objects.visible_to(user)` only.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bureau.base.scoping import sees_all_townships, township_of
from bureau.rules import background
from bureau.rules.accounts import keeps_session_idle
from reports.forms import RunRequestForm, YearForm
from reports.models import AnnualReportRun
from reports.services import (
    ReportFileMissing,
    dashboard_summary,
    default_report_year,
    download_filename,
    may_request_reports,
    report_download_open,
    report_run_request,
    report_run_retry,
    report_run_retryable,
    report_run_stalled,
    report_runs_waiting_for_broker,
)

RUNS_PER_PAGE = 20


def dashboard_required(view):
    """Signed-in users holding the report permission; the login page for anonymous users, 403 for the rest."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_request_reports(request.user):
            return render(
                request,
                "403.html",
                {"message": "年度报告看板仅供局领导、局机关和服务站工作人员使用。", "show_admin_link": True},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _visible_runs(user):
    return AnnualReportRun.objects.visible_to(user).select_related("township", "requested_by")


def _with_job_state(runs):
    """
    What the run row says beyond the status: a queued run whose task waits for the broker, a
    run whose worker stopped (重试 offered beside the watchdog's own resume).
    """
    runs = list(runs)
    waiting = report_runs_waiting_for_broker(runs)
    for run in runs:
        run.waiting_for_broker = run.pk in waiting
        run.waiting_notice = background.BROKER_DOWN_MESSAGE if run.waiting_for_broker else ""
        run.stalled = report_run_stalled(run)
        run.retryable = report_run_retryable(run)
    return runs


def _selected_year(request) -> int:
    form = YearForm(request.GET)
    # A missing or bad ?year= shows the default year rather than an error page.
    return form.cleaned_data["year"] if form.is_valid() else default_report_year()


def _render_dashboard(request, *, year: int, form: RunRequestForm, status: int = 200):
    # Station staff see their township's figures; roles that see all townships see the district's.
    township = None if sees_all_townships(request.user) else township_of(request.user)
    page = Paginator(_visible_runs(request.user), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_job_state(page.object_list)
    context = {
        "year": year,
        # Its own ids: the request form below has a `year` field too.
        "year_form": YearForm(initial={"year": year}, auto_id="filter_%s"),
        "scope_name": township.name if township else "全区",
        "summary": dashboard_summary(year=year, township=township),
        "page": page,
        "form": form,
    }
    return render(request, "reports/dashboard.html", context, status=status)


@require_GET
@dashboard_required
def dashboard(request):
    year = _selected_year(request)
    form = RunRequestForm(user=request.user, initial={"year": year})
    return _render_dashboard(request, year=year, form=form)


@require_POST
@dashboard_required
def run_request(request):
    form = RunRequestForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            run = report_run_request(
                year=form.cleaned_data["year"],
                township=form.cleaned_data["township"],
                formats=form.cleaned_data["formats"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"已提交 {run.year}年（{run.scope_name}）年度报告的生成任务，完成后可在下方下载。"
            )
            _say_if_waiting(request, run)
            return redirect(f"{reverse('reports:dashboard')}?year={run.year}")
    year = form.cleaned_data.get("year") or default_report_year()
    return _render_dashboard(request, year=year, form=form, status=400)


def _say_if_waiting(request, run: AnnualReportRun) -> None:
    """
    Once the request's transaction commits (the task is sent then, or not when the broker is
    down), and before the response stores the messages: if the task waits in the outbox, say so.
    """

    def say():
        if report_runs_waiting_for_broker([run]):
            messages.warning(request, background.BROKER_DOWN_MESSAGE)

    transaction.on_commit(say)


@require_POST
@dashboard_required
def run_retry(request, pk: int):
    earlier = get_object_or_404(_visible_runs(request.user), pk=pk)
    try:
        run = report_run_retry(run=earlier, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(f"{reverse('reports:dashboard')}?year={earlier.year}")
    messages.success(request, f"已重新提交 {run.year}年（{run.scope_name}）年度报告的生成任务。")
    _say_if_waiting(request, run)
    return redirect(f"{reverse('reports:dashboard')}?year={run.year}")


@require_GET
@keeps_session_idle
@dashboard_required
def run_status(request, pk: int):
    [run] = _with_job_state([get_object_or_404(_visible_runs(request.user), pk=pk)])
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "step": run.step,
            "error": run.error,
            "finished": not run.is_active,
            "waiting_for_broker": run.waiting_for_broker,
            "notice": run.waiting_notice,
            "stalled": run.stalled,
            "retryable": run.retryable,
            # The row as the dashboard draws it, so the page script never duplicates the markup.
            "row_html": render_to_string("reports/_run_row.html", {"run": run}, request=request),
        }
    )


@require_GET
@dashboard_required
def run_download(request, pk: int, file_format: str):
    if file_format not in AnnualReportRun.FILE_FORMATS:
        raise Http404("未知的文件格式。")
    run = get_object_or_404(_visible_runs(request.user), pk=pk)
    try:
        opened = report_download_open(run=run, file_format=file_format, by=request.user)
    except ReportFileMissing as error:
        raise Http404("该任务没有这个文件。") from error
    return FileResponse(opened, as_attachment=True, filename=download_filename(run=run, file_format=file_format))
