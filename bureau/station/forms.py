"""Forms of the station portal's own pages (the person registry); area forms build on `bureau.station.kit`."""

from django import forms

from bureau.models import Person
from bureau.rules.transfers import person_register, registers_existing_number
from bureau.station.kit import DateInput, StationModelForm


class PersonForm(StationModelForm):
    """
    What a station may register about a person.

    The township is not a field: the view forces it to the station's own
    township, so a posted `township` is ignored. The review fields belong to
    the bureau.

    A new registration of an ID number the district already holds is answered like any other
    and reaches the bureau as a transfer request (`bureau.rules.transfers.person_register`).

    A station records a beneficiary's death or move out of, or into, the district here (`died_on`,
    `moved_out_on`, `moved_in_on`). For an approved person that is a proposed change (`record_save`): the
    monthly pension stops once the bureau approves it.
    """

    blank_labels = {"gender": "按身份证号自动确定", "branch": "请选择", "discharge_route": "请选择"}

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
            "died_on",
            "moved_out_on",
            "moved_in_on",
            "notes",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "enlisted_on": DateInput(),
            "discharged_on": DateInput(),
            "died_on": DateInput(),
            "moved_out_on": DateInput(),
            "moved_in_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "gender": "可不选，按身份证号第 17 位自动确定。",
        }

    def validate_unique(self):
        # A station's new registration is never told that the number is in the district (in
        # which township, or at all): `person_register` makes it a transfer request instead.
        if registers_existing_number(person=self.instance, by=self.user):
            return
        super().validate_unique()

    def submit(self, *, by):
        """The person saved (a submission), or the transfer request that a known number became."""
        return person_register(person=self.record(), by=by)
