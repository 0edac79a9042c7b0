"""
Excel import/export of the care records of the core (visits, check-ups), declared on the
import/export kit. Visits and check-ups are imported (a visit campaign's list, a hospital's list);
batches are exported only. A check-up's result is masked as the model declares.
"""

from import_export import fields

from bureau.importexport import (
    ActivityWidget,
    ChoiceLabelWidget,
    DateWidget,
    LabelWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonRowResource,
    TextWidget,
    export_resource,
)
from bureau.models import CheckUp, CheckUpBatch, PaymentProgramme, Visit
from bureau.models.care import HardshipCategory, Occasion


class VisitResource(PersonRowResource):
    """
    A visit campaign's list: one row a person visited; the 慰问金 goes to the ledger once approved
    (the kit's base resource syncs the ledger of every model declaring `ledger_payment`).
    """

    area = fields.Field("area", "业务领域", widget=ChoiceLabelWidget(Visit._meta.get_field("area").choices))
    occasion = fields.Field("occasion", "走访事由", widget=ChoiceLabelWidget(Occasion.choices))
    hardship_category = fields.Field(
        "hardship_category", "帮扶类别", widget=ChoiceLabelWidget(HardshipCategory.choices)
    )
    visited_on = fields.Field("visited_on", "走访日期", widget=DateWidget())
    visitor = fields.Field("visitor", "走访人", widget=TextWidget())
    amount = fields.Field("amount", "慰问金（元）", widget=MoneyWidget())
    programme = fields.Field("programme", "资金项目", widget=NameForeignKeyWidget(PaymentProgramme, "name"))
    note = fields.Field("note", "情况记录", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(Visit._meta.get_field("review_status").choices),
        readonly=True,
    )

    class Meta:
        model = Visit
        fields = [
            "person",
            "person_name",
            "area",
            "occasion",
            "hardship_category",
            "visited_on",
            "visitor",
            "amount",
            "programme",
            "note",
            "township",
            "review_status",
        ]
        import_id_fields = ["person", "occasion", "visited_on"]


class CheckUpResource(PersonRowResource):
    """A hospital's list of one batch: one row a person checked; the result masked for roles without the right."""

    batch = fields.Field("batch", "体检批次", widget=ActivityWidget(CheckUpBatch, example="重点优抚对象免费体检"))
    # A blank mode is the default, 现场体检.
    mode = fields.Field(
        "mode", "体检方式", widget=ChoiceLabelWidget(CheckUp.Mode.choices, empty_value=None), saves_null_values=False
    )
    checked_on = fields.Field("checked_on", "体检日期", widget=DateWidget())
    result_summary = fields.Field("result_summary", "体检结果摘要", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=LabelWidget(), readonly=True)
    review_status = fields.Field(
        "review_status",
        "审核状态",
        widget=ChoiceLabelWidget(CheckUp._meta.get_field("review_status").choices),
        readonly=True,
    )

    class Meta:
        model = CheckUp
        fields = [
            "batch",
            "person",
            "person_name",
            "mode",
            "checked_on",
            "result_summary",
            "township",
            "review_status",
        ]
        import_id_fields = ["batch", "person"]


CheckUpBatchResource = export_resource(
    CheckUpBatch,
    ["title", "start_date", "end_date", "institution", "population", "venue", "township", "headcount", "cost"],
)
