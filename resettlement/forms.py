"""
Form of the station portal's resettlement page: the insurance continuation (社保接续) of a
returning veteran of the township, or a retiree's staff medical insurance. The people offered are
the station's own (`StationFormMixin`); the township is not a field, it follows the person.
"""

from django import forms

from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from resettlement.models import InsuranceContinuation

MONEY = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"})


class InsuranceContinuationForm(StationModelForm):
    blank_labels = {"kind": "请选择"}

    class Meta:
        model = InsuranceContinuation
        fields = ["person", "kind", "handled_on", "months", "personal_share", "fiscal_share", "state", "notes"]
        field_classes = {"person": PersonChoiceField}
        widgets = {
            "handled_on": DateInput(),
            "months": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "personal_share": MONEY,
            "fiscal_share": MONEY,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
