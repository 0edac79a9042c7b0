"""
Excel import/export of the care records of the core (visits, check-ups), declared on the
import/export kit. Visits and check-ups are imported (a visit campaign's list, a hospital's list);
batches are exported only. A check-up's result is masked as the model declares.
"""

from django.core.exceptions import ValidationError
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
from bureau.rules.payments.ledger import linked_payment_sync, payment_of


class LinkedPaymentResourceMixin:
    """
    For a model paying through the ledger (`ledger_payment`, bureau.rules.payments.ledger): the kit writes rows in
    bulk, without `save()`, so the ledger rows of the rows written are synced here, in the import's
    transaction; a refusal by the ledger refuses the whole file. Two rows of the file paying the same
    person in the same programme and period are refused at the preview already.
    """

    def import_data(self, dataset, *args, **kwargs):
        self.ledger_rows = {}
        return super().import_data(dataset, *args, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        spec = payment_of(instance) if self.reviews else None
        if spec is None:
            return
        key = (spec.person.pk, spec.programme.pk, spec.period)
        record = self.ledger_record_key(instance)
        if self.ledger_rows.setdefault(key, record) != record:
            raise ValidationError(f"{spec.duplicate_message}（文件中另有一行同一人员、同一资金项目、同一期间的发放。）")

    def ledger_record_key(self, instance) -> tuple:
        """What makes two rows the same record (a repeated row is not a second payment)."""
        return (instance.pk,) if instance.pk else tuple(self.get_import_id_fields())

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        self.sync_ledger(instances, dry_run, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        self.sync_ledger(instances, dry_run, result)

    def sync_ledger(self, instances, dry_run, result) -> None:
        if not instances or not self.writes_allowed(dry_run, result):
            return
        with self.batch_write(result, instances):
            for instance in instances:
                try:
                    linked_payment_sync(record=instance)
                except ValidationError as error:
                    raise ValidationError(self.row_message(instance._import_row_number, error.messages[0])) from None


class VisitResource(LinkedPaymentResourceMixin, PersonRowResource):
    """A visit campaign's list: one row a person visited; the 慰问金 goes to the ledger once approved."""

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

    def ledger_record_key(self, instance) -> tuple:
        return (instance.person_id, instance.occasion, instance.visited_on)


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
