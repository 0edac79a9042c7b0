"""Forms of the station portal's employment pages: job-fair attendance and employment outcomes."""

from django import forms

from bureau.station.kit import DateInput, PersonChoiceField, PersonChoicesField, StationForm, StationModelForm
from employment.models import EmploymentOutcome, FairAttendance, JobFair
from employment.services import fair_attendances_submit

DUPLICATE_ATTENDANCE_MESSAGE = "该人员已登记参加此招聘会。"


class FairChoiceField(forms.ModelChoiceField):
    """A fair labelled by its date; the form sets the choices (see `fairs_open_to`)."""

    def __init__(self, **kwargs):
        error_messages = {"invalid_choice": "请选择列表中的招聘会。"}
        super().__init__(queryset=JobFair.objects.none(), empty_label="请选择", error_messages=error_messages, **kwargs)

    def label_from_instance(self, fair):
        return f"{fair.start_date:%Y-%m-%d} {fair.title}"


def fairs_open_to(user):
    # Built per form, not once at import: the two-year window moves with today's date.
    return JobFair.objects.visible_to(user).open_for_attendance()


class FairAttendanceForm(StationForm):
    """
    A station reports which of its residents attended a fair. Fairs and people are
    limited to what the user may see, so another township's person is not a valid
    choice whatever the request says.
    """

    fair = FairChoiceField(label="招聘会", help_text="近两年已举办的招聘会。")
    persons = PersonChoicesField(
        label="参加人员",
        widget=forms.CheckboxSelectMultiple,
        help_text="可选多人；只列出本乡镇（街道）的退役军人。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fair"].queryset = fairs_open_to(self.user).order_by("-start_date")

    def clean(self):
        cleaned_data = super().clean()
        fair, persons = cleaned_data.get("fair"), cleaned_data.get("persons")
        if fair and persons:
            already = FairAttendance.objects.filter(fair=fair, person__in=persons).select_related("person")
            for attendance in already:
                self.add_error("persons", f"{attendance.person.name}：{DUPLICATE_ATTENDANCE_MESSAGE}")
        return cleaned_data

    def submit(self, *, by) -> list[FairAttendance]:
        return fair_attendances_submit(fair=self.cleaned_data["fair"], persons=self.cleaned_data["persons"], by=by)


class FairAttendanceChangeForm(StationForm):
    """
    Correct one attendance (returned, or still pending): another fair or another
    resident. A plain form rather than a ModelForm so that a duplicate is reported
    once, in the station's words, not also with the model's generic message.
    """

    fair = FairChoiceField(label="招聘会")
    person = PersonChoiceField(label="参加人员")

    def __init__(self, *args, instance: FairAttendance, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {"fair": instance.fair_id, "person": instance.person_id})
        super().__init__(*args, **kwargs)
        # The current fair stays selectable even when it has left the two-year window.
        current = JobFair.objects.visible_to(self.user).filter(pk=instance.fair_id)
        self.fields["fair"].queryset = (fairs_open_to(self.user) | current).order_by("-start_date")

    def clean(self):
        cleaned_data = super().clean()
        fair, person = cleaned_data.get("fair"), cleaned_data.get("person")
        duplicate = FairAttendance.objects.filter(fair=fair, person=person).exclude(pk=self.instance.pk)
        if fair and person and duplicate.exists():
            self.add_error("person", DUPLICATE_ATTENDANCE_MESSAGE)
        return cleaned_data

    def record(self) -> FairAttendance:
        self.instance.fair = self.cleaned_data["fair"]
        self.instance.person = self.cleaned_data["person"]
        return self.instance


class EmploymentOutcomeForm(StationModelForm):
    """
    A resident who found work. The township is not a field: it follows the person,
    and the person must be one of the station's own.
    """

    blank_labels = {"enterprise": "未登记的企业（填写下面的单位名称）", "channel": "请选择"}

    class Meta:
        model = EmploymentOutcome
        fields = ["person", "enterprise", "employer_name", "started_on", "channel"]
        field_classes = {"person": PersonChoiceField}
        widgets = {"started_on": DateInput()}
        help_texts = {"enterprise": "已登记的企业从列表中选择；未登记的请填写下面的就业单位名称。"}
