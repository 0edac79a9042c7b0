from django.urls import reverse_lazy

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from tests.kit_area_two.forms import StipendForm
from tests.kit_area_two.models import Stipend

STIPENDS = reverse_lazy("station:kit_area_two:stipend_list")


@station_required
def stipend_list(request):
    records = Stipend.objects.select_related("person").order_by("-pk")
    return record_list(request, records, "kit_area_two/stipend_list.html")


@station_required
def stipend_create(request):
    return record_form(request, StipendForm, "kit_area_two/stipend_form.html", success_url=STIPENDS)


@station_required
def stipend_edit(request, pk: int):
    stipend = visible_record_or_404(request, Stipend, pk)
    return record_form(request, StipendForm, "kit_area_two/stipend_form.html", instance=stipend, success_url=STIPENDS)
