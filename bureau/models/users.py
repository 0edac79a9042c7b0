from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


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
    # a new one at the next login (bureau.rules.accounts.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    # Base32 secret of the optional TOTP second factor (bureau.rules.otp); blank until enrolled.
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


class PasswordReset(models.Model):
    """
    A password an administrator set for another account that holds personal-data rights: kept
    here, as a hash, until the security administrator approves it (bureau.rules.password_resets); until
    then the old password stays. Once approved the account's owner is told at the next login who
    reset it and when, and the auditor's trail flags the logins made with it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已生效"
        REFUSED = "refused", "已驳回"
        WITHDRAWN = "withdrawn", "已作废"

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="password_resets")
    # The new password's hash, never shown; the account's own password until approved.
    password = models.CharField("新密码（哈希）", max_length=128, editable=False)
    set_by = models.ForeignKey(User, verbose_name="设置人", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("设置时间", default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        User, verbose_name="审核人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    notified_at = models.DateTimeField("已告知本人", null=True, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = "密码重置审核"
        verbose_name_plural = "密码重置审核"
        permissions = [("approve_passwordreset", "可以审核管理员重置的密码（安全管理员）")]

    def __str__(self):
        return f"{self.user.username} 的密码重置（{self.get_status_display()}）"
