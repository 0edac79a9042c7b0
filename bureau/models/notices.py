"""Notices inside the portal: a station learns a record was returned or approved; the bureau, that a period is complete."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """
    One notice to one user (`recipient`), or to every user of an audience (`audience`, with
    `township` for a station's): read state is per notice, so an audience notice is read once
    by whoever of the audience opens it first. `key` makes a notice written twice one row.
    """

    class Audience(models.TextChoices):
        USER = "user", "指定用户"
        STATION = "station", "服务站"
        BUREAU = "bureau", "区局"

    audience = models.CharField("接收对象", max_length=20, choices=Audience.choices, default=Audience.USER)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    township = models.ForeignKey(
        "bureau.Township", verbose_name="乡镇（街道）", on_delete=models.CASCADE, null=True, blank=True
    )
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "消息提醒"
        verbose_name_plural = "消息提醒"
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["audience", "township"])]

    def __str__(self):
        return self.text
