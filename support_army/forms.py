"""
Forms of the station portal's support-army pages: a delivery of merit notices, a homecoming
registration and the checklist of a registration. Every choice is limited to what the station
may see by the kit (`StationFormMixin`); the township is not a field, it follows the person.
"""

from django import forms
from django.utils import timezone

from bureau.station.kit import DateInput, PersonChoiceField, StationForm, StationModelForm
from support_army.models import HomecomingRegistration, HomecomingStep, MeritNotice, MeritNoticeBatch, ReceptionPoint
from support_army.services import complete_steps, deliver_notices


class NoticeChoicesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, notice):
        recipient = f"，送达家属：{notice.recipient.name}" if notice.recipient_id else ""
        return f"{notice.soldier.name}（{notice.merit.year}年{notice.merit.get_level_display()}{recipient}）"


def due_notices():
    return (
        MeritNotice.objects.filter(delivered_on__isnull=True)
        .select_related("soldier", "merit", "recipient")
        .order_by("merit__year", "soldier__name", "pk")
    )


class DeliveryForm(StationForm):
    """One delivery (送喜报): the date, who went, and the notices delivered together."""

    notices = NoticeChoicesField(
        label="本次送达的喜报",
        queryset=due_notices(),
        error_messages={
            "required": "请至少选择一位待送喜报的现役军人。",
            "invalid_choice": "只能选择本乡镇（街道）待送达的喜报。",
            "invalid_pk_value": "只能选择本乡镇（街道）待送达的喜报。",
        },
    )
    delivered_on = forms.DateField(label="送达日期", widget=DateInput())
    delivered_by = forms.CharField(label="送喜报人员", max_length=200, help_text="区局、服务站参加人员。")
    station_staff = forms.CharField(label="服务站参加人员", max_length=200, required=False)
    armed_forces_staff = forms.CharField(label="人武部参加人员", max_length=200, required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notices"].empty_choices_text = "本乡镇（街道）目前没有待送达的喜报。"

    def submit(self, *, by):
        data = self.cleaned_data
        batch = MeritNoticeBatch(
            township=getattr(by, "township", None),
            delivered_on=data["delivered_on"],
            delivered_by=data["delivered_by"],
            station_staff=data["station_staff"],
            armed_forces_staff=data["armed_forces_staff"],
            note=data["note"],
        )
        return deliver_notices(batch=batch, notices=list(data["notices"]), by=by)


class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, point):
        return point.name


class HomecomingRegistrationForm(StationModelForm):
    """A returning veteran received by the township: when, at which point, welcomed."""

    blank_labels = {"point": "未经报到点接站"}

    class Meta:
        model = HomecomingRegistration
        fields = ["person", "point", "received_on", "welcomed", "note"]
        field_classes = {"person": PersonChoiceField, "point": PointChoiceField}
        widgets = {"received_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The district's points and the township's own (ReceptionPoint.objects.visible_to), approved ones.
        points = ReceptionPoint.objects.approved().visible_to(self.user).order_by("-opens_on", "name")
        self.fields["point"].queryset = points
        self.fields["point"].error_messages["invalid_choice"] = "请选择列表中的报到点。"


class StepChoicesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, step):
        return step.name


class ChecklistForm(StationForm):
    """The open steps of one registration, ticked when done."""

    steps = StepChoicesField(
        label="本次办结的事项",
        queryset=HomecomingStep.objects.filter(active=True),
        error_messages={"required": "请至少勾选一项已办结的事项。", "invalid_choice": "请选择列表中的待办事项。"},
    )
    done_on = forms.DateField(label="办结日期", widget=DateInput())

    def __init__(self, *args, registration, **kwargs):
        self.registration = registration
        super().__init__(*args, **kwargs)
        self.fields["steps"].queryset = HomecomingStep.objects.filter(active=True).exclude(
            pk__in=registration.completions.values("step")
        )
        self.fields["steps"].empty_choices_text = "所有事项均已办结。"
        self.fields["done_on"].initial = timezone.localdate()

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day < self.registration.received_on:
            raise forms.ValidationError("办结日期不能早于报到日期。")
        return day

    def submit(self, *, by):
        data = self.cleaned_data
        return complete_steps(registration=self.registration, steps=list(data["steps"]), on=data["done_on"], by=by)
