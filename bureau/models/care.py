"""
Care that several areas give: visits (走访慰问) and health check-ups (体检).

Pensions visits and checks key beneficiaries, 双拥 military families, commemoration martyrs'
families; areas never import each other, so the records live here with the field each area
filters by: a visit's `area` and a check-up batch's `population`.
"""

import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from bureau.areas import area_choices
from bureau.base.scoping import sees_all_townships, township_of

from .people import check_person_present
from .records import ActivityRecord, Attachment, TownshipRecord, TownshipRecordQuerySet


def mask_health(value: str) -> str:
    """Health results are never shown in part: masked whole."""
    return "（已隐藏）" if value else ""


class HardshipCategory(models.TextChoices):
    """The groups of the Spring Festival visits (送温暖) in the reference report, in its order."""

    HARDSHIP_VETERAN = "hardship_veteran", "困难军队退役人员"
    ENTERPRISE_CADRE = "enterprise_transferred_cadre", "困难企业军转干部"
    STATE_ENTERPRISE_SOLDIER = "state_enterprise_retired_soldier", "1953年底参军后在国有企业退休的士兵"
    MERIT = "merit_third_class", "荣立三等功以上退役军人"
    MILITARY_RETIREE = "military_retiree", "军休人员"
    HONOURED_HOSPITAL = "honoured_hospital_resident", "省荣军医院休养退休士兵"


class Occasion(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", "春节"
    ARMY_DAY = "army_day", "八一建军节"
    MID_AUTUMN = "mid_autumn", "中秋"
    NATIONAL_DAY = "national_day", "国庆"
    QINGMING = "qingming", "清明"
    CONSCRIPT = "conscript", "走访义务兵家庭"
    MERIT_NOTICE = "merit_notice", "送喜报"
    HARDSHIP = "hardship", "困难帮扶"
    ROUTINE = "routine", "日常走访"


class Visit(TownshipRecord):
    """
    A visit to a person: when, by whom, on what occasion, the hardship group, and the money
    given (written to the ledger as a payment of the visit's programme). Problems collected
    during the visit are recorded against it by the area that follows them up.
    """

    area = models.CharField("业务领域", max_length=20, choices=area_choices)
    occasion = models.CharField("走访事由", max_length=30, choices=Occasion.choices)
    person = models.ForeignKey(
        "bureau.Person", verbose_name="走访对象", on_delete=models.PROTECT, related_name="visits"
    )
    hardship_category = models.CharField(
        "帮扶类别", max_length=40, choices=HardshipCategory.choices, blank=True, help_text="困难帮扶对象的类别。"
    )
    visited_on = models.DateField("走访日期")
    visitor = models.CharField("走访人", max_length=100)
    amount = models.DecimalField(
        "慰问金（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="未发放慰问金留空；发放的慰问金记入资金发放台账。",
    )
    programme = models.ForeignKey(
        "bureau.PaymentProgramme",
        verbose_name="资金项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="慰问金记入的资金项目。",
    )
    payment = models.OneToOneField(
        "bureau.Payment",
        verbose_name="台账记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="visit",
    )
    note = models.TextField("情况记录", blank=True)

    # The 慰问金 of an approved visit is a ledger row, kept in step by bureau.rules.payments.ledger.
    ledger_payment = "bureau.rules.payments.visits.visit_payment"

    township_from = "person"
    event_dates = ("visited_on",)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = "走访慰问"
        verbose_name_plural = "走访慰问"
        indexes = [models.Index(fields=["area", "occasion", "visited_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "occasion", "visited_on"],
                name="visit_once_per_person_occasion_day",
                violation_error_message="该人员在同一天已有同一事由的走访记录。",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="visit_amount_not_negative",
                violation_error_message="慰问金不能为负数。",
            ),
        ]

    def __str__(self):
        return f"{self.get_occasion_display()}走访 {self.person}（{self.visited_on:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        check_person_present(self, "visited_on")
        if self.amount and not self.programme_id:
            raise ValidationError({"programme": "发放慰问金时须选择资金项目。"})
        from bureau.rules.payments.ledger import linked_payment_check  # the ledger's module imports the models

        linked_payment_check(self)


class CheckUpBatchQuerySet(TownshipRecordQuerySet):
    def visible_to(self, user):
        """
        Most rounds are organised by the bureau for the whole district (no township): a station
        sees those, to record its residents' check-ups in them, as well as its own township's.
        """
        township = township_of(user)
        if sees_all_townships(user) or township is None:
            return super().visible_to(user)
        return self.filter(Q(township=township) | Q(township__isnull=True))

    def for_population(self, population: str):
        return self.filter(population=population)


class CheckUpBatch(ActivityRecord):
    """A round of free health check-ups: date (`start_date`), institution, who it is for, cost."""

    class Population(models.TextChoices):
        KEY_BENEFICIARIES = "key_beneficiaries", "重点优抚对象"
        MARTYR_CHILDREN = "martyr_children", "烈士子女"
        MILITARY_FAMILIES = "military_families", "现役军人家属"

    institution = models.CharField("体检机构", max_length=200)
    population = models.CharField("体检对象", max_length=30, choices=Population.choices)

    objects = CheckUpBatchQuerySet.as_manager()

    class Meta(ActivityRecord.Meta):
        verbose_name = "体检批次"
        verbose_name_plural = "体检批次"

    def period_bounds(self) -> tuple[datetime.date, datetime.date] | None:
        """A round's check-ups fall within its year (`CheckUp.dates_within`)."""
        if not self.start_date:
            return None
        last = self.end_date or self.start_date
        return datetime.date(self.start_date.year, 1, 1), datetime.date(last.year, 12, 31)


class CheckUp(TownshipRecord):
    """One person's check-up in a batch; the person's check-ups are their health file (健康档案)."""

    class Mode(models.TextChoices):
        ON_SITE = "on_site", "现场体检"
        HOME_VISIT = "home_visit", "上门体检"
        TRANSPORTED = "transported", "接送体检"

    batch = models.ForeignKey(CheckUpBatch, verbose_name="体检批次", on_delete=models.PROTECT, related_name="checkups")
    person = models.ForeignKey(
        "bureau.Person", verbose_name="体检人员", on_delete=models.PROTECT, related_name="checkups"
    )
    mode = models.CharField("体检方式", max_length=20, choices=Mode.choices, default=Mode.ON_SITE)
    checked_on = models.DateField("体检日期")
    result_summary = models.TextField(
        "体检结果摘要", blank=True, help_text="健康信息属个人敏感信息，仅有权限的人员可见。"
    )
    attachments = GenericRelation(Attachment)

    # Health is personal data: masked whole for roles without the right.
    sensitive_fields = {"result_summary": mask_health}

    township_from = "person"
    event_dates = ("checked_on",)
    dates_within = {"checked_on": "batch"}

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = "体检记录"
        verbose_name_plural = "体检记录"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "person"],
                name="checkup_once_per_batch",
                violation_error_message="该人员在本批次已有体检记录。",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.get_mode_display()}（{self.checked_on:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        check_person_present(self, "checked_on")

    @property
    def has_result(self) -> bool:
        """A result summary is on file for this check (a report may also be attached)."""
        return bool(self.result_summary)
