"""
Station pages of commemoration: the township's nominations for the honour selections (选树典型)
and the inspections of the memorial facilities in the township. The online memorial's public
pages are in `public_views`.
"""

from functools import partial

from django.urls import reverse_lazy

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from commemoration.forms import InspectionForm, NomineeForm
from commemoration.models import FacilityInspection, Nominee

NOMINEES = reverse_lazy("station:commemoration:nominee_list")
INSPECTIONS = reverse_lazy("station:commemoration:inspection_list")
NOMINEE_FORM = "commemoration/station/nominee_form.html"
INSPECTION_FORM = "commemoration/station/inspection_form.html"


@station_required
def nominee_list(request):
    nominees = Nominee.objects.select_related("person", "selection").order_by("-selection__year", "-pk")
    return record_list(request, nominees, "commemoration/station/nominee_list.html")


@station_required
def nominee_create(request):
    return record_form(request, NomineeForm, NOMINEE_FORM, success_url=NOMINEES)


@station_required
def nominee_edit(request, pk: int):
    nominee = visible_record_or_404(request, Nominee, pk)
    return record_form(request, NomineeForm, NOMINEE_FORM, instance=nominee, success_url=NOMINEES)


@station_required
def inspection_list(request):
    inspections = FacilityInspection.objects.select_related("facility").order_by("-inspected_on", "-pk")
    return record_list(request, inspections, "commemoration/station/inspection_list.html")


def preselected(request, field: str) -> dict:
    """`?facility=<id>` (the to-do list's link): the choice the form starts with; the field's scope still decides."""
    value = request.GET.get(field, "")
    return {field: int(value)} if value.isdigit() and len(value) < 12 else {}


@station_required
def inspection_create(request):
    form = partial(InspectionForm, initial=preselected(request, "facility"))
    return record_form(request, form, INSPECTION_FORM, success_url=INSPECTIONS)


@station_required
def inspection_edit(request, pk: int):
    inspection = visible_record_or_404(request, FacilityInspection, pk)
    return record_form(request, InspectionForm, INSPECTION_FORM, instance=inspection, success_url=INSPECTIONS)
