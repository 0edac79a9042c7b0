"""Records of preferential care and pensions (优待抚恤)."""

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bureau.models import PreferentialCategory


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, "一级"
    GRADE_2 = 2, "二级"
    GRADE_3 = 3, "三级"
    GRADE_4 = 4, "四级"
    GRADE_5 = 5, "五级"
    GRADE_6 = 6, "六级"
    GRADE_7 = 7, "七级"
    GRADE_8 = 8, "八级"
    GRADE_9 = 9, "九级"
    GRADE_10 = 10, "十级"


class BenefitStandardQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date) -> dict[tuple[str, int | None], Decimal]:
        """{(category, disability grade or None): monthly amount} of the standards in force on `on`."""
        amounts = {}
        for category, grade, amount in (
            self.filter(valid_from__lte=on)
            .order_by("valid_from")
            .values_list("category", "disability_grade", "monthly_amount")
        ):
            amounts[(category, grade)] = amount  # a later standard replaces an earlier one
        return amounts


class BenefitStandard(models.Model):
    """
    The monthly amount of a preferential-care category (and disability grade, where it applies)
    from a date. A new standard is a new row from its date; the earlier one stays, so that any
    month can be paid again by the standard then in force. A standard once in force is never
    changed (the admin offers no change; its history keeps who entered it).
    """

    category = models.CharField("优抚类别", max_length=40, choices=PreferentialCategory.choices)
    disability_grade = models.PositiveSmallIntegerField(
        "伤残等级",
        choices=DisabilityGrade.choices,
        null=True,
        blank=True,
        help_text="仅残疾军人按等级区分；其他类别留空。",
    )
    monthly_amount = models.DecimalField(
        "月标准（元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    valid_from = models.DateField("执行日期", help_text="自该日所在月份起按此标准发放。")
    document = models.CharField("文件依据", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = BenefitStandardQuerySet.as_manager()

    class Meta:
        ordering = ["category", "disability_grade", "-valid_from"]
        verbose_name = "抚恤补助标准"
        verbose_name_plural = "抚恤补助标准"
        constraints = [
            models.UniqueConstraint(
                fields=["category", "valid_from"],
                condition=Q(disability_grade__isnull=True),
                name="benefit_standard_once_per_category_and_date",
                violation_error_message="该类别在该执行日期已有标准。",
            ),
            models.UniqueConstraint(
                fields=["category", "disability_grade", "valid_from"],
                condition=Q(disability_grade__isnull=False),
                name="benefit_standard_once_per_grade_and_date",
                violation_error_message="该类别、该伤残等级在该执行日期已有标准。",
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gt=0),
                name="benefit_standard_amount_positive",
                violation_error_message="月标准必须大于 0。",
            ),
        ]

    def __str__(self):
        grade = f"{self.get_disability_grade_display()}" if self.disability_grade else ""
        return f"{self.get_category_display()}{grade} {self.monthly_amount}元/月（{self.valid_from:%Y-%m-%d} 起）"

    @property
    def in_force(self) -> bool:
        return self.valid_from <= timezone.localdate()
