from django.db import models


class SiteProfile(models.Model):
    """The district and bureau this installation serves; edited by staff, never written in code."""

    district_name = models.CharField("区名", max_length=50, default="本区")
    # The province whose document the report's opening names (《江西省人民政府关于…的实施意见》).
    province_name = models.CharField(
        "省名",
        max_length=50,
        blank=True,
        help_text="如 江西省。年度报告开头段引用省政府文件时使用；留空时写作“省人民政府”。",
    )
    bureau_name = models.CharField("局名", max_length=80, default="退役军人事务局")
    report_signatory = models.CharField("报告署名", max_length=80, blank=True)

    class Meta:
        verbose_name = "站点信息"
        verbose_name_plural = "站点信息"

    def __str__(self):
        return self.full_bureau_name

    @property
    def full_bureau_name(self) -> str:
        return f"{self.district_name}{self.bureau_name}"

    @classmethod
    def get(cls) -> "SiteProfile":
        profile = cls.objects.order_by("pk").first()
        return profile or cls.objects.create()
