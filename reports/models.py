from django.conf import settings
from django.db import models


class Narrative(models.Model):
    """Staff-edited wording of one part of one year's report; the figures are never typed here."""

    OPENING = "opening"
    CLOSING = "closing"

    year = models.PositiveSmallIntegerField("年度")
    key = models.CharField(
        "段落", max_length=100, help_text="opening（开头段）、closing（下一步段）或条目代码，如 employment.job_fairs。"
    )
    text = models.TextField("文字（Django 模板）", help_text="可用 {{ 指标代码 }} 引用数字，数字本身不要手工填写。")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["year", "key"]
        verbose_name = "报告文字"
        verbose_name_plural = "报告文字"
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="narrative_once_per_year_and_key")]

    def __str__(self):
        return f"{self.year}年 {self.key}"
