"""
The preferential-care categories (优抚对象类别) a person holds, each with its dates, and the grades
of a disabled soldier: the list every benefit, payroll standard and report counts by, apart from
the registry row itself (`bureau.models.people`), which never needs it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class PreferentialCategory(models.TextChoices):
    """
    Preferential-care categories (优抚对象类别) a person may hold, several at once, each with dates.

    The list covers every category the annual report counts: the key
    beneficiaries of the monthly pensions (残疾军人 … 参战参试退役军人), the
    families behind conscript benefits and martyr care, military retirees,
    the hardship groups visited at Spring Festival, and the Korean War veterans
    of the oral-history project. Codes are stable; labels are what users see.
    """

    DISABLED_SOLDIER = "disabled_soldier", "残疾军人"
    MARTYR_FAMILY = "martyr_family", "烈士遗属"
    DUTY_DEATH_FAMILY = "duty_death_family", "因公牺牲军人遗属"
    ILLNESS_DEATH_FAMILY = "illness_death_family", "病故军人遗属"
    DEMOBILISED_RURAL = "demobilised_rural", "在乡复员军人"
    RETURNED_WITH_ILLNESS = "returned_with_illness", "带病回乡退伍军人"
    WAR_OR_TEST_VETERAN = "war_or_test_veteran", "参战参试退役军人"
    CONSCRIPT_FAMILY = "conscript_family", "义务兵家属"
    MILITARY_RETIREE = "military_retiree", "军休人员"
    HARDSHIP_VETERAN = "hardship_veteran", "困难退役军人"
    ENTERPRISE_TRANSFERRED_CADRE = "enterprise_transferred_cadre", "企业军转干部"
    KOREAN_WAR_VETERAN = "korean_war_veteran", "抗美援朝老兵"
    STATE_ENTERPRISE_RETIRED_SOLDIER = "state_enterprise_retired_soldier", "1953年底参军后在国有企业退休的士兵"
    HONOURED_HOSPITAL_RESIDENT = "honoured_hospital_resident", "省荣军医院休养退休士兵"
    MARTYR_CHILD = "martyr_child", "烈士子女"
    ACTIVE_SERVICE_FAMILY = "active_service_family", "现役军人家属"


class DisabilityGrade(models.IntegerChoices):
    """The ten grades of a disabled soldier (残疾等级); the pension of 残疾军人 is by grade."""

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


# Key beneficiaries (重点优抚对象) of the medical subsidy and the free check-ups.
KEY_BENEFICIARY_CATEGORIES = (
    PreferentialCategory.DISABLED_SOLDIER,
    PreferentialCategory.MARTYR_FAMILY,
    PreferentialCategory.DUTY_DEATH_FAMILY,
    PreferentialCategory.ILLNESS_DEATH_FAMILY,
    PreferentialCategory.DEMOBILISED_RURAL,
    PreferentialCategory.RETURNED_WITH_ILLNESS,
    PreferentialCategory.WAR_OR_TEST_VETERAN,
)


def held_on(on, *, category: str | None = None, prefix: str = "") -> Q:
    """
    A category row held on a date (started by it, not ended before it), of one category if named;
    `prefix` reaches the rows from another model ("categories__" from a person). One filter() call,
    so every condition applies to the same row.
    """
    conditions = Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    conditions &= Q(**{f"{prefix}started_on__lte": on})
    if category is not None:
        conditions &= Q(**{f"{prefix}category": category})
    return conditions


class PersonCategoryQuerySet(models.QuerySet):
    def holding(self, category: str, *, on):
        """The rows of the category held on the date (`Person.objects.holding`'s rows)."""
        return self.filter(held_on(on, category=category))


class PersonCategory(models.Model):
    person = models.ForeignKey(
        "bureau.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField("优抚类别", max_length=40, choices=PreferentialCategory.choices)
    disability_grade = models.PositiveSmallIntegerField(
        "伤残等级", choices=DisabilityGrade.choices, null=True, blank=True, help_text="仅残疾军人填写。"
    )
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = PersonCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["person", "started_on"]
        verbose_name = "优抚类别"
        verbose_name_plural = "优抚类别"
        constraints = [
            models.UniqueConstraint(fields=["person", "category", "started_on"], name="person_category_once"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="person_category_dates_ordered",
                violation_error_message="终止日期不能早于起始日期。",
            ),
        ]

    def __str__(self):
        return self.get_category_display()

    def clean(self):
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "终止日期不能早于起始日期。"
        if self.disability_grade and self.category != PreferentialCategory.DISABLED_SOLDIER:
            errors["disability_grade"] = "只有残疾军人填写伤残等级。"
        if errors:
            raise ValidationError(errors)
