"""Forms of the station portal."""

from django import forms

from bureau.models import Person


class DateInput(forms.DateInput):
    # type=date gives phones their native date picker; the value must then be ISO formatted.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PersonForm(forms.ModelForm):
    """
    What a station may register about a person.

    The township is not a field: the view forces it to the station's own
    township, so a posted `township` is ignored. The review fields belong to
    the bureau.
    """

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "gender",
            "phone",
            "address",
            "status",
            "branch",
            "enlisted_on",
            "discharged_on",
            "rank",
            "discharge_route",
            "notes",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "enlisted_on": DateInput(),
            "discharged_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "gender": "可不选，按身份证号第 17 位自动确定。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's blank choice is "---------"; say in words what leaving it empty means.
        blank_labels = {"gender": "按身份证号自动确定", "branch": "请选择", "discharge_route": "请选择"}
        for name, label in blank_labels.items():
            field = self.fields[name]
            field.choices = [("", label), *[(value, text) for value, text in field.choices if value != ""]]
