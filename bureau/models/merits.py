"""
A person's merits and honours (立功受奖) by year: part of the registry the areas read (a placement's
points count them), apart from the person's own row; scoped by the person's township.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from bureau.base.scoping import ScopedQuerySet


class Merit(models.Model):
    class Level(models.IntegerChoices):
        HONOUR_TITLE = 0, "荣誉称号"
        FIRST_CLASS = 1, "一等功"
        SECOND_CLASS = 2, "二等功"
        THIRD_CLASS = 3, "三等功"

    person = models.ForeignKey("bureau.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="merits")
    level = models.PositiveSmallIntegerField("等级", choices=Level.choices)
    year = models.PositiveSmallIntegerField("年度")
    unit = models.CharField("授予单位", max_length=200, blank=True)

    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["person", "year"]
        verbose_name = "立功受奖"
        verbose_name_plural = "立功受奖"

    def __str__(self):
        return f"{self.year}年{self.get_level_display()}"

    def clean(self):
        if self.year and not 1900 <= self.year <= timezone.localdate().year:
            raise ValidationError({"year": "年度不合理。"})
