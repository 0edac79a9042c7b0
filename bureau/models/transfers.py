"""
A transfer request (迁入申请): a station registered an ID number the district already holds.

The station is answered as for any registration (「已提交，等待区局审核」) and learns nothing
about the person; the bureau sees the request, naming both townships, and decides. Approving
moves the person to the requesting township (a change in the person's history); rejecting
leaves the person where they are.
"""

from django.conf import settings
from django.db import models

from bureau.base.scoping import ScopedQuerySet


class TransferRequestQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(state=TransferRequest.State.PENDING)


class TransferRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意迁入"
        REJECTED = "rejected", "未同意"

    person = models.ForeignKey(
        "bureau.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="transfer_requests"
    )
    from_township = models.ForeignKey(
        "bureau.Township", verbose_name="现登记乡镇（街道）", on_delete=models.PROTECT, related_name="+"
    )
    to_township = models.ForeignKey(
        "bureau.Township", verbose_name="申请迁入乡镇（街道）", on_delete=models.PROTECT, related_name="+"
    )
    # What the station typed, for the bureau to compare with the registry (the rest of its form is not kept).
    submitted_name = models.CharField("服务站登记的姓名", max_length=50, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("未同意原因", max_length=200, blank=True)

    # The bureau's inbox counts requests by the township they would move to.
    township_lookup = "to_township"
    objects = TransferRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "迁入申请"
        verbose_name_plural = "迁入申请"

    def __str__(self):
        return f"{self.person}：{self.from_township} → {self.to_township}"

    @property
    def within_township(self) -> bool:
        """The station registered someone already in its own township (a second registration)."""
        return self.from_township_id == self.to_township_id
