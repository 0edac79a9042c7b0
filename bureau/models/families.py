"""
Family links between registered persons (配偶, 父母, 子女 …): who is whose relative, scoped by the
person's township, so a station sees and adds its own people's families.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from bureau.base.scoping import ScopedQuerySet


class FamilyLink(models.Model):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", "配偶"
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"
        CHILD = "child", "子女"
        SIBLING = "sibling", "兄弟姐妹"
        OTHER = "other", "其他亲属"

    person = models.ForeignKey(
        "bureau.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="family_links"
    )
    relative = models.ForeignKey("bureau.Person", verbose_name="亲属", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField("关系（亲属是该人员的）", max_length=20, choices=Relation.choices)

    # A link belongs to the person's township: a station sees and adds its own people's (API, station).
    township_lookup = "person__township"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭关系"
        verbose_name_plural = "家庭关系"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "relative"],
                name="family_link_once",
                violation_error_message="该人员与该亲属的关系已登记。",
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")),
                name="family_link_not_self",
                violation_error_message="亲属不能是该人员本人。",
            ),
        ]

    def __str__(self):
        return f"{self.person} 的{self.get_relation_display()} {self.relative}"

    def clean(self):
        if self.person_id and self.person_id == self.relative_id:
            raise ValidationError({"relative": "不能把本人登记为自己的亲属。"})
