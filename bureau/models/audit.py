from django.conf import settings
from django.db import models
from django.utils import timezone


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


class AuditRefused(Exception):
    """An attempt to change or delete an audit event (the trail is append-only)."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRefused("审计记录只能追加，不能修改。")

    def delete(self):
        raise AuditRefused("审计记录只能追加，不能删除；过期记录由 purge_audit 命令清理。")

    def purge(self, before) -> int:
        """Delete the events older than `before` (the retention command's one way to delete)."""
        return self.filter(created_at__lt=before)._raw_delete(self.db)


class AuditEvent(models.Model):
    """
    One line of the audit trail (MLPS level 3, 安全审计; PIPL Art. 51): who did what, to what,
    when and from where. Append-only for every role: the model, its queryset and, on PostgreSQL
    and SQLite, a database trigger refuse updates and deletes of rows younger than the retention
    period (migration 0008). Never holds an ID number, phone or bank account: a sensitive view
    names the fields shown, not their values.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        # A login with a password an administrator set (bureau.rules.password_resets): flagged for the auditor.
        LOGIN_AFTER_RESET = "login_after_reset", "管理员重置密码后登录"
        LOGOUT = "logout", "退出登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        UNLOCK = "unlock", "解除锁定"
        DENIED = "denied", "拒绝访问"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回"
        SENSITIVE_VIEW = "sensitive_view", "查看个人敏感信息"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载"
        ACCOUNT = "account", "账号与角色变更"
        LIFE_EVENT = "life_event", "登记死亡或迁移"
        YEAR_CLOSE = "year_close", "年度定稿"
        YEAR_REOPEN = "year_reopen", "年度解锁"

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=20, choices=Kind.choices, db_index=True)
    # No database constraint: accounts are deactivated, not deleted, and a deletion must not touch the trail.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    path = models.CharField("访问路径", max_length=300, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name="对象类型",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    fields = models.CharField("涉及字段", max_length=300, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        permissions = [("export_auditevent", "可以导出审计事件")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username or '匿名'} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditRefused("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRefused("审计记录只能追加，不能删除。")
