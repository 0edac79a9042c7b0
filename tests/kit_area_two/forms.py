from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from tests.kit_area_two.models import Stipend


class StipendForm(StationModelForm):
    class Meta:
        model = Stipend
        fields = ["person", "amount", "paid_on", "bank_account"]
        field_classes = {"person": PersonChoiceField}
        widgets = {"paid_on": DateInput()}
