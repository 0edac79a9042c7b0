from import_export import fields

from bureau.importexport import DateWidget, PersonByIdNumberWidget, PersonRowResource, TextWidget
from tests.kit_area_two.models import Stipend


class StipendResource(PersonRowResource):
    person = fields.Field("person", "身份证号", widget=PersonByIdNumberWidget())
    amount = fields.Field("amount", "金额（元）")
    paid_on = fields.Field("paid_on", "发放日期", widget=DateWidget())
    bank_account = fields.Field("bank_account", "银行账号", widget=TextWidget())

    class Meta:
        model = Stipend
        fields = ["person", "person_name", "amount", "paid_on", "bank_account"]
        import_id_fields = ["person", "paid_on"]
