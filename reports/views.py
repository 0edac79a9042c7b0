"""
The leadership dashboard: the year's figures and charts, the records behind a figure, the annual
report runs, their progress and downloads.

Views stay thin: access (`dashboard_required`) → form → `reports.services` → redirect or response.
Which runs a user sees is decided by `AnnualReportRun.objects.visible_to(user)` only.
"""

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bureau.base.scoping import sees_all_townships, township_of
from bureau.models import Township
from bureau.rules import background
from bureau.rules.accounts import keeps_session_idle
from reports import completeness as completion
from reports import dashboard as board
from reports.finals import FinalFileMissing, final_download_filename, final_download_open, year_state
from reports.forms import RunRequestForm, YearForm
from reports.models import AnnualReportRun, FinalReport
from reports.services import (
    ReportFileMissing,
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


class ScopeRefused(Exception):
    """A ?township= the user may not see (403) or that names no township (400): a Chinese page, never data."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def response(self, request):
        if self.status == 403:
            return render(request, "403.html", {"message": self.message}, status=403)
        return render(request, "400.html", {"message": self.message}, status=400)


def _scope(request) -> tuple[int, object]:
    """
    (year, township) of a dashboard page: a missing or bad ?year= is the opening year. Roles that see
    every township pick 全区 or a township; station staff always get their own township, and a
    ?township= of another one is refused. Raises ScopeRefused.
    """
    user = request.user
    form = YearForm(request.GET, user=user)
    form.is_valid()
    year = form.cleaned_data.get("year") or board.opening_year()
    if sees_all_townships(user):
        if "township" in form.errors:
            raise ScopeRefused(400, "；".join(form.errors["township"]))
        return year, form.cleaned_data.get("township")
    own = township_of(user)
    if own is None:
        raise ScopeRefused(403, "您的账号没有所属乡镇（街道），不能查看看板数据。")
    if request.GET.get("township", str(own.pk)) != str(own.pk):
        raise ScopeRefused(403, f"服务站工作人员只能查看本乡镇（街道）（{own.name}）的数据。")
    return year, own


def _scope_query(year: int, township) -> str:
    return f"year={year}" + (f"&township={township.pk}" if township else "")


def _render_dashboard(request, *, year: int, township, form: RunRequestForm, status: int = 200):
    page = Paginator(_visible_runs(request.user), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _with_job_state(page.object_list)
    charts = board.dashboard_charts(year=year, township=township, compare_townships=sees_all_townships(request.user))
    done = completion.dashboard_section(year=year, township=township)
    context = {
        "year": year,
        "township": township,
        # Its own ids: the request form below has `year` and `township` fields too.
        "year_form": YearForm(initial={"year": year, "township": township}, user=request.user, auto_id="filter_%s"),
        "scope_name": township.name if township else "全区",
        "scope_query": _scope_query(year, township),
        "summary": board.dashboard_summary(year=year, township=township),
        "charts": [(chart, board.chart_headers(chart)) for chart in charts],
        "chart_data": [board.chart_payload(chart) for chart in [*charts, done.chart]],
        "completeness": done,
        "page": page,
        "form": form,
        # The year's closing (定稿) and its final files: the district's report, for who sees the district.
        "final_state": year_state(year),
        "may_download_final": sees_all_townships(request.user),
    }
    return render(request, "reports/dashboard.html", context, status=status)


@require_GET
@dashboard_required
def dashboard(request):
    try:
        year, township = _scope(request)
    except ScopeRefused as refused:
        return refused.response(request)
    form = RunRequestForm(user=request.user, initial={"year": year, "township": township})
    return _render_dashboard(request, year=year, township=township, form=form)


@require_GET
@dashboard_required
def figure_records(request, item_key: str, figure_key: str):
    """The records a figure counts ("which 38?"), paginated, masked as every list is."""
    try:
        year, township = _scope(request)
    except ScopeRefused as refused:
        return refused.response(request)
    records = board.figure_records(
        item_key=item_key, figure_key=figure_key, year=year, township=township, user=request.user
    )
    if records is None:
        raise Http404("这个数字没有可列出的记录。")
    page = Paginator(records.records, board.RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    first = page.start_index()
    rows = [board.record_row(records, record, first + i, request.user) for i, record in enumerate(page.object_list)]
    context = {
        "year": year,
        "scope_name": township.name if township else "全区",
        "scope_query": _scope_query(year, township),
        "records": records,
        "rows": rows,
        "page": page,
    }
    return render(request, "reports/figure_records.html", context)


@require_GET
@dashboard_required
def completeness_rows(request, key: str, township_id: int):
    """The rows behind one count of 各服务站完成情况: a township's expectation, all, done or late."""
    try:
        year, own = _scope(request)
    except ScopeRefused as refused:
        return refused.response(request)
    state = request.GET.get("state", "expected")
    if state not in completion.STATES:
        return render(request, "400.html", {"message": "state 参数只能是 expected、done 或 late。"}, status=400)
    township = Township.objects.filter(pk=township_id).first()
    if township is None:
        raise Http404("没有这个乡镇（街道）。")
    if not sees_all_townships(request.user) and township != own:
        return ScopeRefused(403, f"服务站工作人员只能查看本乡镇（街道）（{own.name}）的数据。").response(request)
    found = completion.cell_rows(key=key, township=township, year=year, state=state, user=request.user)
    if found is None:
        raise Http404("没有这项工作任务。")
    expectation, rows = found
    context = {
        "year": year,
        "township": township,
        "expectation": expectation,
        "rows": rows,
        "state": state,
        "state_label": completion.STATES[state],
        "states": [
            (value, label, completion.rows_url(key, township, year=year, state=value))
            for value, label in completion.STATES.items()
        ],
        "scope_query": _scope_query(year, township if sees_all_townships(request.user) else own),
    }
    return render(request, "reports/completeness_rows.html", context)


@require_GET
@dashboard_required
def chart_download(request, key: str):
    """One chart's numbers as an xlsx: the same numbers as its table view."""
    try:
        year, township = _scope(request)
    except ScopeRefused as refused:
        return refused.response(request)
    chart = board.dashboard_chart(key, year=year, township=township, compare_townships=sees_all_townships(request.user))
    if chart is None:
        raise Http404("没有这个图表。")
    scope_name = township.name if township else "全区"
    response = HttpResponse(
        board.chart_xlsx(chart, scope_name=scope_name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{chart.title}（{scope_name}）.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


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
    township = None if sees_all_townships(request.user) else township_of(request.user)
    return _render_dashboard(request, year=year, township=township, form=form, status=400)


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


@require_GET
@dashboard_required
def final_download(request, year: int, file_format: str):
    """
    A final version's file of the year's district report (the latest, or ?version=N), logged as run
    downloads are. The district's report: a 404 to who sees one township only.
    """
    if file_format not in FinalReport.FILE_FORMATS or not sees_all_townships(request.user):
        raise Http404("没有这个定稿文件。")
    finals = FinalReport.objects.filter(year=year).order_by("-version")
    version = request.GET.get("version", "")
    if version:
        if not version.isdigit():
            raise Http404("没有这个定稿版本。")
        finals = finals.filter(version=int(version))
    final = finals.first()
    if final is None:
        raise Http404(f"{year}年没有定稿版本。")
    try:
        opened = final_download_open(final=final, file_format=file_format, by=request.user)
    except FinalFileMissing as error:
        raise Http404("没有这个定稿文件。") from error
    return FileResponse(
        opened, as_attachment=True, filename=final_download_filename(final=final, file_format=file_format)
    )
