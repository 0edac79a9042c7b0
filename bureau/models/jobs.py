"""
Imports and large exports run in the Celery worker (bureau.importexport.jobs): one row per
job, its file in the private storage, its progress, counts and errors.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from .background import BackgroundJob, Step


class PrivateStorage(FileSystemStorage):
    """
    Files no URL serves: uploaded imports and finished exports live under PRIVATE_ROOT, outside
    MEDIA_ROOT (which `/files/` serves), and only the job views hand them out, to their owner.
    """

    def __init__(self):
        super().__init__(location=None, base_url=None)

    # Read on every use, not once: a test's settings override then applies.
    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("私有文件没有网址，只能通过有权限检查的视图下载。")


private_storage = PrivateStorage()


class JobQuerySet(models.QuerySet):
    def of_user(self, user):
        """The jobs a user sees: their own, never another user's."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(user=user)


class Job(models.Model):
    """What an import job and an export job have in common: owner, model, progress, times."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+")
    model = models.CharField("数据类型", max_length=100, help_text="app_label.model_name")
    kind = models.CharField("内容", max_length=100)
    resource_index = models.PositiveSmallIntegerField("导入导出格式序号", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def progress(self) -> int:
        """Percent of rows done (0–100)."""
        if not self.rows_total:
            return 100 if self.finished_at else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ImportJob(BackgroundJob, Job):
    """An uploaded file: validated (dry run) in the worker, previewed, confirmed once, applied in one transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队等待校验"
        VALIDATING = "validating", "正在校验"
        VALIDATED = "validated", "校验通过，待确认"
        INVALID = "invalid", "文件有错误，未导入"
        CONFIRMED = "confirmed", "已确认，排队等待导入"
        APPLYING = "applying", "正在导入"
        DONE = "done", "导入完成"
        FAILED = "failed", "导入失败，未写入任何记录"

    ACTIVE = (Status.QUEUED, Status.VALIDATING, Status.CONFIRMED, Status.APPLYING)
    # Validation is a dry run and the import one transaction: either is simply run again.
    job_steps = {
        Status.QUEUED: Step("bureau.tasks.validate_import_job", requeue_to=Status.QUEUED, waiting=True),
        Status.VALIDATING: Step("bureau.tasks.validate_import_job", requeue_to=Status.QUEUED),
        Status.CONFIRMED: Step("bureau.tasks.apply_import_job", requeue_to=Status.CONFIRMED, waiting=True),
        Status.APPLYING: Step("bureau.tasks.apply_import_job", requeue_to=Status.CONFIRMED),
    }

    file = models.FileField("导入文件", storage=private_storage, upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    summary = models.JSONField("校验结果", default=dict, blank=True)
    errors = models.JSONField("错误（前 100 条）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误条数", default=0)
    result = models.JSONField("导入结果", default=dict, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self):
        return f"{self.kind}导入（{self.original_name}，{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def job_give_up(self, message: str) -> None:
        """Failed, nothing written; the uploaded file (whole ID numbers) is deleted with it: upload again to retry."""
        if self.file:
            self.file.delete(save=False)
        self.status, self.error, self.finished_at = self.Status.FAILED, f"{message}请重新上传文件导入。", timezone.now()
        self.save(update_fields=["status", "error", "finished_at", "file"])


class ExportJob(BackgroundJob, Job):
    """A large export written by the worker; its file is offered in 我的导出 until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在导出"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    job_steps = {
        Status.QUEUED: Step("bureau.tasks.run_export_job", requeue_to=Status.QUEUED, waiting=True),
        Status.RUNNING: Step("bureau.tasks.run_export_job", requeue_to=Status.QUEUED),
    }

    query = models.CharField("筛选条件", max_length=2000, blank=True)
    export_fields = models.JSONField("导出列", default=list, blank=True)
    unmasked = models.BooleanField("导出完整个人信息", default=False)
    purpose = models.CharField("导出用途", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField("文件", storage=private_storage, upload_to="exports/%Y/%m/", blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self):
        return f"{self.kind}导出（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def job_give_up(self, message: str) -> None:
        self.status, self.error, self.finished_at = self.Status.FAILED, f"{message}请重新导出。", timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and self.expires_at > timezone.now()

    def download_name(self) -> str:
        return f"{self.kind}-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.xlsx"


class ImportColumnMapping(models.Model):
    """
    A header of a clerk's spreadsheet the import did not know, mapped once (on the import job's
    preview) to one of the import's columns, and applied to every later file of that model with
    that header (bureau.importexport.headers). The header is kept as it is compared: without
    spaces, full-width brackets and digits made half-width (`headers.normalize`).
    """

    model = models.CharField("数据类型", max_length=100, help_text="app_label.model_name")
    source_header = models.CharField("表格中的列名", max_length=100)
    target_column = models.CharField("对应的导入列", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "导入列对应关系"
        verbose_name_plural = "导入列对应关系"
        ordering = ["model", "source_header"]
        constraints = [
            models.UniqueConstraint(fields=["model", "source_header"], name="import_column_mapping_unique_header")
        ]

    def __str__(self):
        return f"{self.source_header} → {self.target_column}"
