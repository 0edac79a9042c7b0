"""
Excel import/export of the shared core (django-import-export).

Chinese column headers; ID numbers read as text only; every row validated and
nothing written unless all rows are valid; formula-like strings escaped on export.
"""

from import_export import fields, resources, widgets

from bureau.masking import id_number_for, phone_for
from bureau.models import Payment, Person, Township

# A string cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class PortalResource(resources.ModelResource):
    """Base resource: knows the requesting user and escapes formula-like strings on export."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class PersonResource(PortalResource):
    name = fields.Field("name", "姓名")
    id_number = fields.Field("id_number", "身份证号")
    gender = fields.Field("gender", "性别")
    phone = fields.Field("phone", "联系电话")
    township = fields.Field("township", "乡镇（街道）", widget=widgets.ForeignKeyWidget(Township, "name"))
    address = fields.Field("address", "住址")
    status = fields.Field("status", "人员状态")

    class Meta:
        model = Person
        fields = ["name", "id_number", "gender", "phone", "township", "address", "status"]
        import_id_fields = ["id_number"]

    def dehydrate_id_number(self, person):
        return id_number_for(self.user, person.id_number)

    def dehydrate_phone(self, person):
        return phone_for(self.user, person.phone)


class PaymentResource(PortalResource):
    person = fields.Field("person__name", "姓名", readonly=True)
    programme = fields.Field("programme__name", "资金项目", readonly=True)
    period = fields.Field("period", "期间")
    amount = fields.Field("amount", "金额（元）")
    paid_on = fields.Field("paid_on", "发放日期")

    class Meta:
        model = Payment
        fields = ["person", "programme", "period", "amount", "paid_on"]
