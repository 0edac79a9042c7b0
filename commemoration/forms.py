"""
Forms of the commemoration pages: the station's nominations and facility inspections (choices
limited by the kit to what the station may see; the township follows the person or the facility),
and the public memorial's message form.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone

from bureau.models import Person
from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from bureau.validators import has_visible_text
from commemoration.models import (
    INVISIBLE_MESSAGE,
    FacilityInspection,
    HonourSelection,
    MemorialFacility,
    Nominee,
    Tribute,
)


class NomineePersonField(PersonChoiceField):
    """Who may be nominated depends on the selection's title (veterans, military spouses …)."""

    def __init__(self, **kwargs):
        super().__init__(veterans_only=False, **kwargs)


class NomineeForm(StationModelForm):
    """
    A nomination of a person of the township for a selection, with the deeds. The people offered are
    those some open selection's title fits (`HonourSelection.candidates`); the one chosen must fit the
    selection chosen. The review's result is the bureau's (`Nominee.bureau_decided_fields`).
    """

    class Meta:
        model = Nominee
        fields = ["selection", "person", "deeds"]
        field_classes = {"person": NomineePersonField}
        widgets = {"deeds": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Nominations are open for this year's and last year's selections (an edited nomination keeps
        # its own, closed or not: the kit's keep_current_choices).
        this_year = timezone.localdate().year
        selections = HonourSelection.objects.filter(year__gte=this_year - 1).order_by("-year", "title")
        self.fields["selection"].queryset = selections
        self.fields["selection"].error_messages["invalid_choice"] = "请选择列表中正在推荐的评选。"
        fits_one = Q(pk__in=[])
        for selection in selections:
            fits_one |= Q(pk__in=selection.candidates().values("pk"))
        self.fields["person"].queryset = Person.objects.filter(fits_one).visible_to(self.user).order_by("name", "pk")

    def clean(self):
        cleaned_data = super().clean()
        selection, person = cleaned_data.get("selection"), cleaned_data.get("person")
        unchanged = (
            self.instance.pk is not None
            and selection is not None
            and person is not None
            and (selection.pk, person.pk) == (self.instance.selection_id, self.instance.person_id)
        )
        if selection and person and not unchanged and not selection.candidates().filter(pk=person.pk).exists():
            self.add_error("person", f"“{selection.title}”评选只能推荐{selection.candidates_text}。")
        return cleaned_data


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
        if not has_visible_text(message):
            raise forms.ValidationError(INVISIBLE_MESSAGE)
        return message
