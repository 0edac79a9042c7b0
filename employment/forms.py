"""Forms of the station portal's employment pages: job-fair attendance and employment outcomes."""

from django import forms

from bureau.models import Enterprise, Person
from bureau.station.forms import DateInput
from employment.models import EmploymentOutcome, FairAttendance, JobFair

DUPLICATE_ATTENDANCE_MESSAGE = "该人员已登记参加此招聘会。"
# Another township's person and a non-veteran are both outside the choices; one message covers both.
FOREIGN_PERSON_MESSAGE = "只能选择本乡镇（街道）登记在册的退役军人。"


class FairChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, fair):
        return f"{fair.start_date:%Y-%m-%d} {fair.title}"


def person_label(person: Person) -> str:
    # The last four digits tell namesakes apart and are shown even in masked numbers.
    return f"{person.name}（身份证尾号 {person.id_number[-4:]}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person_label(person)


class PersonChoicesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return person_label(person)


class FairAttendanceForm(forms.Form):
    """
    A station reports which of its residents attended a fair. Fairs and people are
    limited to what the user may see, so another township's person is not a valid
    choice whatever the request says.
    """

    fair = FairChoiceField(
        label="招聘会",
        queryset=JobFair.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "请选择列表中的招聘会。"},
        help_text="近两年已举办的招聘会。",
    )
    persons = PersonChoicesField(
        label="参加人员",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": FOREIGN_PERSON_MESSAGE, "invalid_pk_value": FOREIGN_PERSON_MESSAGE},
        help_text="可选多人；只列出本乡镇（街道）的退役军人。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fair"].queryset = JobFair.objects.visible_to(user).open_for_attendance().order_by("-start_date")
        self.fields["persons"].queryset = Person.objects.visible_to(user).veterans().order_by("name", "pk")

    def clean(self):
        cleaned_data = super().clean()
        fair, persons = cleaned_data.get("fair"), cleaned_data.get("persons")
        if fair and persons:
            already = FairAttendance.objects.filter(fair=fair, person__in=persons).select_related("person")
            for attendance in already:
                self.add_error("persons", f"{attendance.person.name}：{DUPLICATE_ATTENDANCE_MESSAGE}")
        return cleaned_data


class FairAttendanceChangeForm(forms.Form):
    """
    Correct one attendance (returned, or still pending): another fair or another
    resident. A plain form rather than a ModelForm so that a duplicate is reported
    once, in the station's words, not also with the model's generic message.
    """

    fair = FairChoiceField(
        label="招聘会",
        queryset=JobFair.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": "请选择列表中的招聘会。"},
    )
    person = PersonChoiceField(
        label="参加人员",
        queryset=Person.objects.none(),
        empty_label="请选择",
        error_messages={"invalid_choice": FOREIGN_PERSON_MESSAGE},
    )

    def __init__(self, *args, user, instance: FairAttendance, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {"fair": instance.fair_id, "person": instance.person_id})
        super().__init__(*args, **kwargs)
        fairs = JobFair.objects.visible_to(user).open_for_attendance()
        # The current fair stays selectable even when it has left the two-year window.
        current = JobFair.objects.visible_to(user).filter(pk=instance.fair_id)
        self.fields["fair"].queryset = (fairs | current).order_by("-start_date")
        self.fields["person"].queryset = Person.objects.visible_to(user).veterans().order_by("name", "pk")

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


class EmploymentOutcomeForm(forms.ModelForm):
    """
    A resident who found work. The township is not a field: it follows the person,
    and the person must be one of the station's own.
    """

    class Meta:
        model = EmploymentOutcome
        fields = ["person", "enterprise", "employer_name", "started_on", "channel"]
        field_classes = {"person": PersonChoiceField}
        widgets = {"started_on": DateInput()}
        help_texts = {"enterprise": "已登记的企业从列表中选择；未登记的请填写下面的就业单位名称。"}
        error_messages = {"person": {"invalid_choice": FOREIGN_PERSON_MESSAGE}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user).veterans().order_by("name", "pk")
        self.fields["person"].empty_label = "请选择"
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.fields["enterprise"].empty_label = "未登记的企业（填写下面的单位名称）"
        channel = self.fields["channel"]
        channel.choices = [("", "请选择"), *[(value, text) for value, text in channel.choices if value != ""]]
