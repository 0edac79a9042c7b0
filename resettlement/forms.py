"""
Form of the station portal's resettlement page: the insurance continuation (社保接续) of a
returning veteran of the township, or a retiree's staff medical insurance. The people offered are
the station's own (`StationFormMixin`); the township is not a field, it follows the person.
"""

from django import forms

from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from resettlement.models import InsuranceContinuation

# Text boxes with a numeric keyboard, as the other station forms' inputs (the form fields still check the numbers).
MONEY = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class InsuranceContinuationForm(StationModelForm):
    blank_labels = {"kind": "请选择"}

    class Meta:
        model = InsuranceContinuation
        fields = ["person", "kind", "handled_on", "months", "personal_share", "fiscal_share", "state", "notes"]
        field_classes = {"person": PersonChoiceField}
        widgets = {
            "handled_on": DateInput(),
            "months": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "personal_share": MONEY,
            "fiscal_share": MONEY,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
