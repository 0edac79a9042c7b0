from django.db import models


class Township(models.Model):
    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "乡镇（街道）"
        verbose_name_plural = "乡镇（街道）"
        permissions = [
            ("view_all_townships", "可查看全区所有乡镇的记录"),
            ("review_records", "可审核记录（所保存的记录即为已通过）"),
            ("use_station_portal", "可使用服务站门户"),
        ]

    def __str__(self):
        return self.name
