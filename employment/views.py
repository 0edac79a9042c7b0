"""
Station portal pages of employment: a station reports which of its residents
attended a job fair and who found work. Built on the station kit: lists are
`visible_to(user)`, every write goes through the form's `submit` and
`bureau.rules.services.record_save`, and errors are answered in one place.
"""

from django.urls import reverse_lazy

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from employment.forms import (
    DUPLICATE_ATTENDANCE_MESSAGE,
    EmploymentOutcomeForm,
    FairAttendanceChangeForm,
    FairAttendanceForm,
)
from employment.models import EmploymentOutcome, FairAttendance

ATTENDANCES = reverse_lazy("station:employment:attendance_list")
ATTENDANCE_FORM = "employment/station/attendance_form.html"
OUTCOMES = reverse_lazy("station:employment:outcome_list")
OUTCOME_FORM = "employment/station/outcome_form.html"


# Job-fair attendance


@station_required
def attendance_list(request):
    attendances = FairAttendance.objects.select_related("fair", "person").order_by(
        "-fair__start_date", "fair", "person__name", "pk"
    )
    return record_list(request, attendances, "employment/station/attendance_list.html")


@station_required
def attendance_create(request):
    return record_form(
        request,
        FairAttendanceForm,
        ATTENDANCE_FORM,
        success_url=ATTENDANCES,
        success_message=lambda records: f"已提交 {len(records)} 人的参加记录，等待区局审核",
        duplicate=("persons", DUPLICATE_ATTENDANCE_MESSAGE),
    )


@station_required
def attendance_edit(request, pk: int):
    attendance = visible_record_or_404(request, FairAttendance, pk)
    return record_form(
        request,
        FairAttendanceChangeForm,
        ATTENDANCE_FORM,
        instance=attendance,
        success_url=ATTENDANCES,
        duplicate=("person", DUPLICATE_ATTENDANCE_MESSAGE),
    )


# Employment outcomes


@station_required
def outcome_list(request):
    outcomes = EmploymentOutcome.objects.select_related("person", "enterprise").order_by("-started_on", "-pk")
    return record_list(request, outcomes, "employment/station/outcome_list.html")


@station_required
def outcome_create(request):
    return record_form(request, EmploymentOutcomeForm, OUTCOME_FORM, success_url=OUTCOMES)


@station_required
def outcome_edit(request, pk: int):
    outcome = visible_record_or_404(request, EmploymentOutcome, pk)
    return record_form(request, EmploymentOutcomeForm, OUTCOME_FORM, instance=outcome, success_url=OUTCOMES)
