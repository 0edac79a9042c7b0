"""
Excel import/export of the shared core's records: the person registry, payments
and enterprises, declared on the import/export kit (bureau.importexport).
ID numbers and phones are masked as the models declare (`sensitive_fields`).
"""

from import_export import fields

from bureau.importexport import (
    ChoiceLabelWidget,
    CreditCodeWidget,
    DateWidget,
    IdNumberWidget,
    MoneyWidget,
    NameForeignKeyWidget,
    PersonByIdNumberWidget,
    PersonRowResource,
    PortalResource,
    TextWidget,
    YesNoWidget,
)
from bureau.models import BankAccount, Enterprise, Payment, PaymentProgramme, Person, Township
from bureau.rules.payments.batches import held_payments_release


class PersonResource(PortalResource):
    name = fields.Field("name", "姓名", widget=TextWidget())
    id_number = fields.Field("id_number", "身份证号", widget=IdNumberWidget())
    gender = fields.Field("gender", "性别", widget=ChoiceLabelWidget(Person.Gender.choices))
    birth_date = fields.Field("birth_date", "出生日期", widget=DateWidget(), readonly=True)
    phone = fields.Field("phone", "联系电话", widget=TextWidget())
    township = fields.Field("township", "乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    address = fields.Field("address", "住址", widget=TextWidget())
    # A blank status keeps the current one (the default 退役军人 for a new person).
    status = fields.Field(
        "status", "人员状态", widget=ChoiceLabelWidget(Person.Status.choices, empty_value=None), saves_null_values=False
    )
    branch = fields.Field("branch", "军种", widget=ChoiceLabelWidget(Person.Branch.choices))
    enlisted_on = fields.Field("enlisted_on", "入伍日期", widget=DateWidget())
    discharged_on = fields.Field("discharged_on", "退役日期", widget=DateWidget())
    discharge_route = fields.Field(
        "discharge_route", "安置方式", widget=ChoiceLabelWidget(Person.DischargeRoute.choices)
    )
    notes = fields.Field("notes", "备注", widget=TextWidget())

    # The template's sample: a service that fits the sample ID number's birth date (1995).
    sample_row = {"人员状态": "退役军人", "入伍日期": "2013-09-01", "退役日期": "2018-09-01"}

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "phone",
            "township",
            "address",
            "status",
            "branch",
            "enlisted_on",
            "discharged_on",
            "discharge_route",
            "notes",
        ]
        import_id_fields = ["id_number"]


PAYMENT_IMPORT_REFUSED = (
    "资金发放台账不能通过导入写入：每笔发放须由一人经办、另一名工作人员审批。"
    "请在“批量发放”中提交发放申请（可直接粘贴表格中的“身份证号 金额”两列），审批后即写入台账。"
)


class PaymentResource(PersonRowResource):
    """
    Ledger rows (the export, with its Chinese columns): the person by ID number and name, the
    programme by its code. No import writes the ledger: a payment by hand is prepared by one
    clerk and approved by another (bureau.rules.payments.proposals), and a file of rows would be one
    account's payment. A file offered anyway is refused whole, with where to go instead.
    """

    programme = fields.Field("programme", "资金项目代码", widget=NameForeignKeyWidget(PaymentProgramme, "code"))
    period = fields.Field("period", "期间", widget=TextWidget())
    amount = fields.Field("amount", "金额（元）", widget=MoneyWidget())
    paid_on = fields.Field("paid_on", "发放日期", widget=DateWidget())
    note = fields.Field("note", "备注", widget=TextWidget())
    create_only = "该人员在此期间已领取过该项目资金，导入不能修改已发放的记录；如需更正，请在台账中办理。"

    class Meta:
        model = Payment
        fields = ["person", "person_name", "programme", "period", "amount", "paid_on", "note"]
        import_id_fields = ["person", "programme", "period"]

    def before_import(self, dataset, **kwargs):
        self.file_problem = True
        raise ValueError(PAYMENT_IMPORT_REFUSED)


class EnterpriseResource(PortalResource):
    """Enterprises matched on their credit code; the founder given by ID number."""

    name = fields.Field("name", "企业名称", widget=TextWidget())
    credit_code = fields.Field("credit_code", "统一社会信用代码", widget=CreditCodeWidget())
    sector = fields.Field("sector", "行业领域", widget=TextWidget())
    township = fields.Field("township", "所在乡镇（街道）", widget=NameForeignKeyWidget(Township, "name"))
    veteran_founded = fields.Field("veteran_founded", "退役军人创办", widget=YesNoWidget())
    founder = fields.Field("founder", "创办人身份证号", widget=PersonByIdNumberWidget())
    contact_name = fields.Field("contact_name", "联系人", widget=TextWidget())
    contact_phone = fields.Field("contact_phone", "联系电话", widget=TextWidget())

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "sector",
            "township",
            "veteran_founded",
            "founder",
            "contact_name",
            "contact_phone",
        ]
        import_id_fields = ["credit_code"]


class BankAccountResource(PersonRowResource):
    """
    A bank's list of accounts: the person by ID number and name; an account is matched on its number.
    The kit writes in bulk, without `save()`: the money held for the persons given an account in use
    is paid here, in the import's transaction, as `BankAccount.save()` pays it on the other paths.
    """

    bank = fields.Field("bank", "开户银行", widget=TextWidget())
    account_number = fields.Field(
        "account_number", "银行账号", widget=TextWidget(refuse_numbers_message="银行账号必须以文本格式填写。")
    )
    account_name = fields.Field("account_name", "户名", widget=TextWidget())
    active = fields.Field("active", "在用", widget=YesNoWidget())

    class Meta:
        model = BankAccount
        fields = ["person", "person_name", "bank", "account_number", "account_name", "active"]
        import_id_fields = ["person", "account_number"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        self.release_held(instances, dry_run, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        self.release_held(instances, dry_run, result)

    def release_held(self, instances, dry_run, result) -> None:
        in_use = [instance.person_id for instance in instances if instance.active]
        if in_use and self.writes_allowed(dry_run, result):
            held_payments_release(person_ids=in_use, by=self.user)
