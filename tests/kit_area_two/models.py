from django.db import models

from bureau.base.masking import mask_bank_account
from bureau.models import TownshipRecord


class Stipend(TownshipRecord):
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("发放日期")
    bank_account = models.CharField("银行账号", max_length=30, blank=True)

    sensitive_fields = {"bank_account": mask_bank_account}
    township_from = "person"
    record_year = "paid_on"

    class Meta:
        verbose_name = "测试津贴"
        verbose_name_plural = "测试津贴"
        constraints = [models.UniqueConstraint(fields=["person", "paid_on"], name="kit_two_stipend_once")]

    def __str__(self):
        return f"{self.person}（{self.paid_on:%Y-%m-%d}）"
