"""
A year whose report is final (定稿): its records refuse changes in every path until it is reopened.

The lock is the core's (`bureau.rules.closing`): every record with a year (`record_year`, see
`bureau.rules.closing.record_year_path`) asks it before it is written or deleted. The final report's
files and figures are the report app's (`reports.models.FinalReport`).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ClosedYear(models.Model):
    """One year's closing: in force while `closed`; reopening keeps the row, with who, when and why."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    closed = models.BooleanField("已定稿", default=True)
    closed_at = models.DateTimeField("定稿时间")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="定稿人", on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField("解锁时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解锁人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField("解锁原因", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度定稿"
        verbose_name_plural = "年度定稿"
        permissions = [
            ("close_year", "年度定稿（锁定该年度记录）"),
            ("reopen_year", "解锁已定稿的年度"),
        ]

    def __str__(self):
        return f"{self.year}年（{'已定稿' if self.closed else '已解锁'}）"
