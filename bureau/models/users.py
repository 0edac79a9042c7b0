from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A portal account; station staff carry the one township they work for."""

    township = models.ForeignKey(
        "bureau.Township",
        verbose_name="所属乡镇（街道）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="服务站工作人员必须填写；局机关、局领导、审计员留空。",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name}（{self.username}）" if full_name else self.username
