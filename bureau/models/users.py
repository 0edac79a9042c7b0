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

    # Set when an administrator creates the account or sets its password: the user must choose
    # a new one at the next login (bureau.accounts.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    # Base32 secret of the optional TOTP second factor (bureau.otp); blank until enrolled.
    totp_secret = models.CharField("动态口令密钥", max_length=64, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [
            ("assign_roles", "可以分配角色（安全管理员）"),
            ("unlock_accounts", "可以解除账号锁定（安全管理员）"),
        ]

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name}（{self.username}）" if full_name else self.username
