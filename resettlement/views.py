"""
Station portal pages of resettlement: a station registers the insurance continuation (社保接续)
of its township's returning veterans, and its retirees' staff medical insurance. Built on the
station kit: the list and the record are `visible_to(user)`, every write goes through the form's
`submit` (`record_save`). The discharge route is on the person's own form (bureau.station).
"""

from django.urls import reverse_lazy

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from resettlement.forms import InsuranceContinuationForm
from resettlement.models import InsuranceContinuation

INSURANCE = reverse_lazy("station:resettlement:insurance_list")
INSURANCE_FORM = "resettlement/station/insurance_form.html"


@station_required
def insurance_list(request):
    records = InsuranceContinuation.objects.select_related("person").order_by("-handled_on", "-pk")
    return record_list(request, records, "resettlement/station/insurance_list.html")


@station_required
def insurance_create(request):
    return record_form(request, InsuranceContinuationForm, INSURANCE_FORM, success_url=INSURANCE)


@station_required
def insurance_edit(request, pk: int):
    record = visible_record_or_404(request, InsuranceContinuation, pk)
    return record_form(request, InsuranceContinuationForm, INSURANCE_FORM, instance=record, success_url=INSURANCE)
