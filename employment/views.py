"""
Station portal pages of employment: a station reports which of its residents
attended a job fair and who found work. Every write is a submission to the
bureau through `bureau.services.record_save`; what a station may see or pick is
decided by `visible_to(user)` only.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render

from bureau.models import ReviewStatus
from bureau.services import ScopeError, record_save
from bureau.station.views import add_save_errors, forbidden, station_required
from employment.forms import (
    DUPLICATE_ATTENDANCE_MESSAGE,
    EmploymentOutcomeForm,
    FairAttendanceChangeForm,
    FairAttendanceForm,
)
from employment.models import EmploymentOutcome, FairAttendance
from employment.services import fair_attendances_submit

PAGE_SIZE = 20
SUBMITTED_MESSAGE = "已提交，等待区局审核"


def _posted(request):
    # Not `request.POST or None`: an empty POST must still be validated and answered with errors.
    return request.POST if request.method == "POST" else None


def _status_filtered(request, records):
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        return records, ""  # an unknown status is ignored rather than showing an empty list
    return records.filter(review_status=status), status


def _list(request, records, template: str):
    records, status = _status_filtered(request, records)
    # get_page() turns a missing, non-numeric or too-large page number into a valid page.
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "status": status, "status_choices": ReviewStatus.choices})


# Job-fair attendance


@station_required
def attendance_list(request):
    attendances = (
        FairAttendance.objects.visible_to(request.user)
        .select_related("fair", "person")
        .order_by("-fair__start_date", "fair", "person__name", "pk")
    )
    return _list(request, attendances, "employment/station/attendance_list.html")


@station_required
def attendance_create(request):
    form = FairAttendanceForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            records = fair_attendances_submit(
                fair=form.cleaned_data["fair"], persons=form.cleaned_data["persons"], by=request.user
            )
        except ScopeError as error:
            return forbidden(request, str(error))
        except ValidationError as error:
            add_save_errors(form, error)
        except IntegrityError:
            # Two clerks reporting the same person at the same moment: the unique index decides.
            form.add_error("persons", DUPLICATE_ATTENDANCE_MESSAGE)
        else:
            messages.success(request, f"已提交 {len(records)} 人的参加记录，等待区局审核")
            return redirect("station:employment:attendance_list")
    return render(request, "employment/station/attendance_form.html", {"form": form, "attendance": None})


@station_required
def attendance_edit(request, pk: int):
    attendance = get_object_or_404(FairAttendance.objects.visible_to(request.user), pk=pk)
    form = FairAttendanceChangeForm(_posted(request), user=request.user, instance=attendance)
    if request.method == "POST" and form.is_valid():
        try:
            record_save(record=form.record(), by=request.user)
        except ScopeError as error:
            return forbidden(request, str(error))
        except ValidationError as error:
            add_save_errors(form, error)
        except IntegrityError:
            form.add_error("person", DUPLICATE_ATTENDANCE_MESSAGE)
        else:
            messages.success(request, SUBMITTED_MESSAGE)
            return redirect("station:employment:attendance_list")
    return render(request, "employment/station/attendance_form.html", {"form": form, "attendance": attendance})


# Employment outcomes


@station_required
def outcome_list(request):
    outcomes = (
        EmploymentOutcome.objects.visible_to(request.user)
        .select_related("person", "enterprise")
        .order_by("-started_on", "-pk")
    )
    return _list(request, outcomes, "employment/station/outcome_list.html")


def _save_outcome(request, outcome: EmploymentOutcome):
    form = EmploymentOutcomeForm(_posted(request), instance=outcome, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # A returned (or approved) record changed by the station goes back to the bureau for review.
            record_save(record=form.save(commit=False), by=request.user)
        except ScopeError as error:
            return forbidden(request, str(error))
        except ValidationError as error:
            add_save_errors(form, error)
        else:
            messages.success(request, SUBMITTED_MESSAGE)
            return redirect("station:employment:outcome_list")
    return render(request, "employment/station/outcome_form.html", {"form": form, "outcome": outcome})


@station_required
def outcome_create(request):
    return _save_outcome(request, EmploymentOutcome())


@station_required
def outcome_edit(request, pk: int):
    outcome = get_object_or_404(EmploymentOutcome.objects.visible_to(request.user), pk=pk)
    return _save_outcome(request, outcome)
