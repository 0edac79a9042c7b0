"""
Excel import/export of the insurance continuations (社保接续), declared on the import/export kit:
the person by ID number and name (checked against the registry), Chinese headers and choice
labels, all rows or none. The township follows the person; the review state is the bureau's.
"""

from import_export import fields

from bureau.importexport import (
    ChoiceLabelWidget,
    CountWidget,
    DateWidget,
    LabelWidget,
    MoneyWidget,
    PersonRowResource,
    TextWidget,
)
from resettlement.models import InsuranceContinuation


class InsuranceContinuationResource(PersonRowResource):
    kind = fields.Field("kind", "险种", widget=ChoiceLabelWidget(InsuranceContinuation.Kind.choices))
    handled_on = fields.Field("handled_on", "办理日期", widget=DateWidget())
    months = fields.Field("months", "接续月数", widget=CountWidget())
    personal_share = fields.Field("personal_share", "个人负担（元）", widget=MoneyWidget())
    fiscal_share = fields.Field("fiscal_share", "财政负担（元）", widget=MoneyWidget())
    state = fields.Field("state", "办理状态", widget=ChoiceLabelWidget(InsuranceContinuation.State.choices))
    notes = fields.Field("notes", "备注", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(InsuranceContinuation._meta.get_field("review_status").choices),
        readonly=True,
    )

    class Meta:
        model = InsuranceContinuation
        fields = [
            "person",
            "person_name",
            "kind",
            "handled_on",
            "months",
            "personal_share",
            "fiscal_share",
            "state",
            "notes",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "kind", "handled_on"]
