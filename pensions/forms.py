"""
Forms of the station portal's pensions pages: visits, problems collected and check-ups.

Every choice (people, visits, check-up rounds) is limited to what the station may see by the
kit (`StationFormMixin`); the township is not a field, it follows the person.
"""

from django import forms

from bureau.models import CheckUp, CheckUpBatch, PaymentProgramme, Visit
from bureau.station.kit import DateInput, PersonChoiceField, StationModelForm
from pensions.models import Problem

# Visits and check-ups are core records; the station pages of this area keep to its own.
AREA = "pensions"
POPULATION = CheckUpBatch.Population.KEY_BENEFICIARIES


def pensions_visits():
    return Visit.objects.filter(area=AREA)


def pensions_checkups():
    return CheckUp.objects.filter(batch__population=POPULATION)


class AnyPersonChoiceField(PersonChoiceField):
    """Beneficiaries are veterans and their families (a martyr's parent, a conscript's family)."""

    def __init__(self, **kwargs):
        super().__init__(veterans_only=False, **kwargs)


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, visit):
        return f"{visit.visited_on:%Y-%m-%d} {visit.get_occasion_display()} {visit.person.name}"


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, batch):
        return f"{batch.start_date:%Y-%m-%d} {batch.title}（{batch.institution}）"


class VisitForm(StationModelForm):
    """A visit to one of the township's people, with the money given, if any."""

    blank_labels = {"occasion": "请选择", "hardship_category": "不属于困难帮扶", "programme": "未发放慰问金"}

    class Meta:
        model = Visit
        fields = ["person", "occasion", "hardship_category", "visited_on", "visitor", "amount", "programme", "note"]
        field_classes = {"person": AnyPersonChoiceField}
        widgets = {
            "visited_on": DateInput(),
            "amount": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"note": "走访中了解到的困难问题，请在“困难问题”中另行登记。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = PaymentProgramme.objects.filter(area=AREA, active=True, paid_by_run=False)  # runs pay the others
        current = getattr(self.instance, "programme_id", None)
        if current:
            programmes = programmes | PaymentProgramme.objects.filter(pk=current)
        self.fields["programme"].queryset = programmes.order_by("code")
        self.fields["programme"].error_messages["invalid_choice"] = "请选择列表中的资金项目。"


class ProblemForm(StationModelForm):
    """
    A problem a resident reported, and its follow-up: state, resolution, resolved date. One
    collected during a visit names the visit (of the same person). Supervision is the bureau's.
    """

    blank_labels = {"kind": "请选择", "source": "请选择", "visit": "不是走访收集的"}

    class Meta:
        model = Problem
        fields = [
            "person",
            "kind",
            "description",
            "source",
            "visit",
            "reported_on",
            "assignee",
            "state",
            "resolution",
            "resolved_on",
        ]
        field_classes = {"person": AnyPersonChoiceField, "visit": VisitChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "reported_on": DateInput(),
            "resolved_on": DateInput(),
        }
        help_texts = {
            "visit": "来源为走访收集时必选，须为该反映人的走访记录。",
            "resolution": "问题解决或办结时必填。",
            "resolved_on": "问题解决或办结时必填。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visits = self.fields["visit"]
        visits.queryset = (
            pensions_visits().visible_to(self.user).select_related("person").order_by("-visited_on", "-pk")
        )
        visits.error_messages["invalid_choice"] = "请选择列表中本乡镇（街道）的走访记录。"


class CheckUpForm(StationModelForm):
    """One resident's check-up in an approved round for key beneficiaries."""

    blank_labels = {"batch": "请选择"}

    class Meta:
        model = CheckUp
        fields = ["batch", "person", "mode", "checked_on", "result_summary"]
        field_classes = {"person": AnyPersonChoiceField, "batch": BatchChoiceField}
        widgets = {"checked_on": DateInput(), "result_summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"batch": "区局已审核的重点优抚对象体检批次。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        batches = CheckUpBatch.objects.for_population(POPULATION).approved()
        current = getattr(self.instance, "batch_id", None)
        if current:
            # The round of a record being corrected stays selectable.
            batches = batches | CheckUpBatch.objects.filter(pk=current)
        field = self.fields["batch"]
        field.queryset = batches.visible_to(self.user).order_by("-start_date", "-pk")
        field.error_messages["invalid_choice"] = "请选择列表中已审核的重点优抚对象体检批次。"

    def clean(self):
        cleaned_data = super().clean()
        batch, checked_on = cleaned_data.get("batch"), cleaned_data.get("checked_on")
        if batch and checked_on and checked_on < batch.start_date:
            self.add_error("checked_on", "体检日期不能早于体检批次的开始日期。")
        return cleaned_data
