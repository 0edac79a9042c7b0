"""
Forms of the commemoration pages: the station's nominations and facility inspections (choices
limited by the kit to what the station may see; the township follows the person or the facility),
and the public memorial's message form.
"""

from django import forms
from django.utils import timezone

from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from commemoration.models import FacilityInspection, HonourSelection, MemorialFacility, Nominee, Tribute


class NomineeForm(StationModelForm):
    """A nomination of a person of the township for a selection, with the deeds."""

    class Meta:
        model = Nominee
        fields = ["selection", "person", "deeds"]
        field_classes = {"person": PersonChoiceField}
        widgets = {"deeds": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Nominations are open for this year's and last year's selections.
        this_year = timezone.localdate().year
        self.fields["selection"].queryset = HonourSelection.objects.filter(year__gte=this_year - 1).order_by(
            "-year", "title"
        )
        self.fields["selection"].error_messages["invalid_choice"] = "请选择列表中正在推荐的评选。"


class InspectionForm(StationModelForm):
    """An inspection of a facility in the township: date, inspector, findings, follow-up."""

    class Meta:
        model = FacilityInspection
        fields = ["facility", "inspected_on", "inspector", "findings", "follow_up"]
        widgets = {
            "inspected_on": DateInput(),
            "findings": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = MemorialFacility.objects.visible_to(self.user).order_by("name")
        self.fields["facility"].error_messages["invalid_choice"] = "只能选择本乡镇（街道）的纪念设施。"


class MessageForm(forms.Form):
    """A visitor's message (寄语) at a martyr's page: shown once staff approve it."""

    message = forms.CharField(
        label="寄语",
        max_length=Tribute.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Tribute.MESSAGE_MAX_LENGTH}),
        error_messages={
            "required": "请填写寄语内容。",
            "max_length": f"寄语不能超过{Tribute.MESSAGE_MAX_LENGTH}字。",
        },
    )
    signature = forms.CharField(
        label="署名（可不填）",
        max_length=20,
        required=False,
        error_messages={"max_length": "署名不能超过20字。"},
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError("请填写寄语内容。")
        return message
