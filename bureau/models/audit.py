from django.conf import settings
from django.db import models


class ExportLog(models.Model):
    """One line per export or download of personal data: who, when, what, masked or not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("导出内容", max_length=100)
    file_format = models.CharField("格式", max_length=20, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    unmasked = models.BooleanField("含未遮蔽的个人信息", default=False)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导出记录"
        verbose_name_plural = "导出记录"

    def __str__(self):
        return f"{self.user} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
