from django.urls import reverse_lazy

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from tests.kit_area.forms import GrantForm
from tests.kit_area.models import Grant

GRANTS = reverse_lazy("station:kit_area:grant_list")


@station_required
def grant_list(request):
    return record_list(request, Grant.objects.select_related("person").order_by("-pk"), "kit_area/grant_list.html")


@station_required
def grant_create(request):
    return record_form(request, GrantForm, "kit_area/grant_form.html", success_url=GRANTS)


@station_required
def grant_edit(request, pk: int):
    grant = visible_record_or_404(request, Grant, pk)
    return record_form(request, GrantForm, "kit_area/grant_form.html", instance=grant, success_url=GRANTS)
