from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from tests.kit_area.models import Grant


class GrantForm(StationModelForm):
    class Meta:
        model = Grant
        fields = ["person", "amount", "granted_on", "bank_account"]
        field_classes = {"person": PersonChoiceField}
        widgets = {"granted_on": DateInput()}
