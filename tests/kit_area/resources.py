from import_export import fields

from bureau.importexport import DateWidget, PersonByIdNumberWidget, PersonRowResource, TextWidget
from tests.kit_area.models import Grant


class GrantResource(PersonRowResource):
    person = fields.Field("person", "身份证号", widget=PersonByIdNumberWidget())
    amount = fields.Field("amount", "金额（元）")
    granted_on = fields.Field("granted_on", "发放日期", widget=DateWidget())
    bank_account = fields.Field("bank_account", "银行账号", widget=TextWidget())

    class Meta:
        model = Grant
        fields = ["person", "person_name", "amount", "granted_on", "bank_account"]
        import_id_fields = ["person", "granted_on"]
