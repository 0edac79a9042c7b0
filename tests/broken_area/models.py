from django.db import models

from bureau.models import TownshipRecord


class Allowance(TownshipRecord):
    """A record paying through the ledger: its admin must be a LedgerRecordAdmin."""

    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    payment = models.OneToOneField(
        "bureau.Payment", verbose_name="台账记录", on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )

    ledger_payment = "tests.broken_area.models.allowance_payment"
    record_year = "payment__period"  # the year of what it paid (tests/bureau/test_closing_check.py misspells it)

    class Meta:
        verbose_name = "测试津贴"
        verbose_name_plural = "测试津贴"

    def __str__(self):
        return f"{self.person}（{self.amount} 元）"


def allowance_payment(allowance):
    """What the allowance pays (never run: the test only checks the declaration)."""
    return None
