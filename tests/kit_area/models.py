from django.db import models

from bureau.base.masking import mask_bank_account
from bureau.models import TownshipRecord


class Grant(TownshipRecord):
    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    granted_on = models.DateField("发放日期")
    bank_account = models.CharField("银行账号", max_length=30, blank=True)

    sensitive_fields = {"bank_account": mask_bank_account}
    record_year = "granted_on"

    class Meta:
        verbose_name = "测试补助"
        verbose_name_plural = "测试补助"
        constraints = [models.UniqueConstraint(fields=["person", "granted_on"], name="kit_grant_once")]

    def __str__(self):
        return f"{self.person}（{self.granted_on:%Y-%m-%d}）"

    def assign_township(self):
        # The township follows the person.
        if self.person_id:
            self.township = self.person.township
