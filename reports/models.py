from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.base.scoping import ScopedQuerySet
from bureau.models import Payment
from bureau.models.background import BackgroundJob, Step
from bureau.reporting.dates import last_working_day

# The ledger shows a year as recorded when payments were made in this many of its 12 months.
RECORDED_MONTHS = 10


class Narrative(models.Model):
    """
    Staff-edited wording of one part of one year's report; the figures are never typed here. The year's
    words are the opening, the closing and each section's lead ("<app_label>.lead"); an item's sentence
    may be reworded too (its key, e.g. employment.job_fairs). Every change is kept (`history`): who
    changed which words, when.
    """

    OPENING = "opening"
    CLOSING = "closing"
    LEAD = ".lead"  # "<app_label>.lead": a section's lead paragraph

    year = models.PositiveSmallIntegerField("年度")
    key = models.CharField(
        "段落",
        max_length=100,
        help_text="opening（开头段）、closing（下一步段）、导语（如 employment.lead）或条目代码（如 employment.job_fairs）。",
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "key"]
        verbose_name = "报告文字"
        verbose_name_plural = "报告文字"
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="narrative_once_per_year_and_key")]

    def __str__(self):
        return f"{self.year}年 {self.key}"


class ReportYear(models.Model):
    """
    One year of the annual report as staff set it: the signing date and whether the year's records are
    complete enough to be compared with (the 上年 column of the next year's report). A year without a
    row takes the defaults (`for_year`). Every change is kept (`history`).
    """

    class Records(models.TextChoices):
        AUTO = "auto", f"按台账自动判断（有{RECORDED_MONTHS}个月以上的资金发放记录即为完整）"
        COMPLETE = "complete", "完整：下一年度报告与本年度对比"
        INCOMPLETE = "incomplete", "不完整：下一年度报告的“上年”栏显示“—”"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    signed_on = models.DateField(
        "落款日期", null=True, blank=True, help_text="报告落款的日期。留空时为该年最后一个工作日（周一至周五）。"
    )
    records = models.CharField(
        "本年度数据是否完整",
        max_length=20,
        choices=Records.choices,
        default=Records.AUTO,
        help_text="决定下一年度报告能否与本年度对比。系统启用前的年度只补录了少量记录，应选“不完整”或按台账自动判断。",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "报告年度"
        verbose_name_plural = "报告年度（落款日期、文字）"

    def __str__(self):
        return f"{self.year}年"

    @classmethod
    def for_year(cls, year: int) -> "ReportYear":
        """The year's row, or an unsaved one with the defaults."""
        return cls.objects.filter(year=year).first() or cls(year=year)

    @property
    def signing_date(self):
        """落款日期: the date staff set, else the last working day of the year (never the day it is generated)."""
        return self.signed_on or last_working_day(self.year)

    def ledger_months(self) -> int:
        """In how many months of the year the district's ledger has payments (by the day they were paid)."""
        return len(Payment.objects.filter(paid_on__year=self.year).dates("paid_on", "month"))

    @property
    def is_recorded(self) -> bool:
        """
        Whether the portal holds the year's records, so that the next year's report may compare with it.
        Staff decide (`records`: complete or incomplete); left to 自动, a year is recorded when the
        district's ledger has payments in at least RECORDED_MONTHS of its 12 months: a year kept in the
        portal pays pensions every month, a year before it holds a few records typed in afterwards. The
        rule is the district's for every scope: a township report compares with the same years.
        """
        if self.records != self.Records.AUTO:
            return self.records == self.Records.COMPLETE
        return self.ledger_months() >= RECORDED_MONTHS


class AnnualReportRun(BackgroundJob):
    """
    One request to generate the annual report for a year and a scope (the district or one township).

    Every request is a new row with its own files: re-running never overwrites an earlier
    run's Word or Excel file, so a report once handed out can always be downloaded again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Formats(models.TextChoices):
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"
        BOTH = "docx,xlsx", "Word 和 Excel"

    FILE_FORMATS = ("docx", "xlsx")
    FORMAT_LABELS = {"docx": "Word", "xlsx": "Excel"}

    year = models.PositiveSmallIntegerField("年度")
    township = models.ForeignKey(
        "bureau.Township",
        verbose_name="范围（乡镇）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空表示全区。",
    )
    formats = models.CharField("格式", max_length=20, choices=Formats.choices, default=Formats.BOTH)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True, default="排队等待中")
    error = models.TextField("错误信息", blank=True)
    docx_file = models.FileField("Word 文件", upload_to="reports/%Y/", blank=True)
    docx_sha256 = models.CharField("Word 文件 SHA-256", max_length=64, blank=True)
    xlsx_file = models.FileField("Excel 文件", upload_to="reports/%Y/", blank=True)
    xlsx_sha256 = models.CharField("Excel 文件 SHA-256", max_length=64, blank=True)
    duration = models.DurationField("耗时", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # A district run of a year with a final report: the figures changed since its latest version
    # (reports.finals.figures_changed), {"version": n, "changes": [...]}; None when there was none.
    final_changes = models.JSONField("与定稿版本相比的变化", null=True, blank=True, encoder=DjangoJSONEncoder)

    # A run whose worker died is generated again from the start (its files are written at the end).
    job_steps = {
        Status.QUEUED: Step("reports.tasks.generate_annual_report", requeue_to=Status.QUEUED, waiting=True),
        Status.RUNNING: Step("reports.tasks.generate_annual_report", requeue_to=Status.QUEUED),
    }

    # A district-wide run (township NULL) matches no township filter, so only users who
    # see all townships see it.
    township_lookup = "township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "年度报告生成任务"
        verbose_name_plural = "年度报告生成任务"
        permissions = [("request_annualreportrun", "可生成和下载年度报告")]

    def __str__(self):
        return f"{self.year}年 {self.scope_name} 年度报告（{self.get_status_display()}）"

    @property
    def scope_name(self) -> str:
        return self.township.name if self.township_id else "全区"

    @property
    def format_list(self) -> list[str]:
        return self.formats.split(",")

    @property
    def is_active(self) -> bool:
        """Queued or running: the dashboard keeps polling it."""
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def job_give_up(self, message: str) -> None:
        """Failed, with 重试 offered (report_run_retry accepts a failed run)."""
        self.status, self.step, self.finished_at = self.Status.FAILED, "生成失败", timezone.now()
        self.error = f"报告生成失败：{message}请点击“重试”重新生成；如仍失败，请联系系统管理员。"
        self.save(update_fields=["status", "step", "error", "finished_at"])

    @property
    def final_change_list(self) -> list:
        """The figures changed since the final version (reports.finals.Change), for the run's row."""
        from reports.finals import changes_from_record  # the service module imports this one

        return changes_from_record(self.final_changes)

    def file_for(self, file_format: str):
        return getattr(self, f"{file_format}_file")

    def sha256_for(self, file_format: str) -> str:
        return getattr(self, f"{file_format}_sha256")

    def has_file(self, file_format: str) -> bool:
        return self.status == self.Status.DONE and file_format in self.format_list and bool(self.file_for(file_format))

    def storage_name(self, file_format: str) -> str:
        """The name on disk: ASCII and unique per run (upload_to adds the year folder)."""
        scope = self.township.code if self.township_id else "district"
        return f"annual-report-{self.year}-{scope}-run{self.pk}.{file_format}"

    def download_name(self, file_format: str, bureau_name: str) -> str:
        """The Chinese file name the browser saves."""
        return f"{bureau_name}{self.year}年工作情况汇报（{self.scope_name}）.{file_format}"


class FinalReport(models.Model):
    """
    One closing of a year (定稿): the district report as it stood then, its Word and Excel files and
    every figure it stated, kept for good. A year closed again after an unlock gets the next version.
    The files lie in the runs' storage under their own names (`storage_name`), so a run's cleanup of
    its own files (reports.services._delete_earlier_files) never touches them.
    """

    FILE_FORMATS = ("docx", "xlsx")

    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本")
    closed_at = models.DateTimeField("定稿时间", default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="定稿人", on_delete=models.PROTECT, related_name="+"
    )
    docx_file = models.FileField("Word 文件", upload_to="reports/final/", blank=True)
    docx_sha256 = models.CharField("Word 文件 SHA-256", max_length=64, blank=True)
    xlsx_file = models.FileField("Excel 文件", upload_to="reports/final/", blank=True)
    xlsx_sha256 = models.CharField("Excel 文件 SHA-256", max_length=64, blank=True)
    # {item key: {figure key: {"label", "value", "unit", "item_title"}}}, in the report's order.
    figures = models.JSONField("定稿数字", default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = "年度报告定稿版本"
        verbose_name_plural = "年度报告定稿版本"
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="final_report_version_once")]

    def __str__(self):
        return f"{self.year}年年度报告定稿（第{self.version}版）"

    @property
    def figure_count(self) -> int:
        return sum(len(figures) for figures in self.figures.values())

    def file_for(self, file_format: str):
        return getattr(self, f"{file_format}_file")

    def storage_name(self, file_format: str) -> str:
        return f"final-report-{self.year}-v{self.version}.{file_format}"

    def download_name(self, file_format: str, bureau_name: str) -> str:
        return f"{bureau_name}{self.year}年工作情况汇报（全区，定稿第{self.version}版）.{file_format}"


class ReportDownload(models.Model):
    """Who downloaded which run's or final report's file, and when: the one log of annual report downloads."""

    run = models.ForeignKey(
        AnnualReportRun,
        verbose_name="生成任务",
        on_delete=models.PROTECT,
        related_name="downloads",
        null=True,
        blank=True,
    )
    final = models.ForeignKey(
        FinalReport,
        verbose_name="定稿版本",
        on_delete=models.PROTECT,
        related_name="downloads",
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下载人", on_delete=models.PROTECT, related_name="+"
    )
    file_format = models.CharField("格式", max_length=10)
    downloaded_at = models.DateTimeField("下载时间", auto_now_add=True)

    township_lookup = "run__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        verbose_name = "年度报告下载记录"
        verbose_name_plural = "年度报告下载记录"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(run__isnull=False, final__isnull=True)
                | models.Q(run__isnull=True, final__isnull=False),
                name="report_download_of_run_or_final",
                violation_error_message="下载记录须对应一次报告生成或一个定稿版本，且只能对应其一。",
            )
        ]

    def __str__(self):
        return f"{self.user} 下载 {self.run or self.final}（{self.file_format}）"
