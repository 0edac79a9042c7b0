from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from bureau.base.masking import mask_phone
from bureau.base.scoping import ScopedQuerySet
from bureau.validators import normalize_credit_code, validate_credit_code, validate_phone

from .records import VersionedModel


class EnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """
        Enterprises are public business records, not personal data: a station may pick
        an employer from another township, so whoever may view enterprises sees them all.
        """
        if user and user.is_authenticated and user.is_active and user.has_perm("bureau.view_enterprise"):
            return self
        return self.none()


class Enterprise(VersionedModel):
    """
    An enterprise the bureau works with: employers at job fairs, startup-park tenants,
    members of the 爱心拥军团 alliance. Kept in the core so every area app can point at it.
    """

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": "该统一社会信用代码已登记。"},
    )
    sector = models.CharField("行业领域", max_length=100, blank=True, help_text="如：电子元件、汽车配件。")
    township = models.ForeignKey(
        "bureau.Township", verbose_name="所在乡镇（街道）", on_delete=models.PROTECT, null=True, blank=True
    )
    veteran_founded = models.BooleanField("退役军人创办", default=False)
    founder = models.ForeignKey(
        "bureau.Person",
        verbose_name="创办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="founded_enterprises",
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Who changed what and when: the audit trail, and the "who" of a refused stale write.
    history = HistoricalRecords()

    township_lookup = "township"
    # The contact is a person: their phone is masked like any other (bureau.base.masking).
    sensitive_fields = {"contact_phone": mask_phone}
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)
        if self.founder_id and not self.veteran_founded:
            self.veteran_founded = True
        if self.veteran_founded and self.founder_id and self.founder.status not in ("veteran", "deceased"):
            raise ValidationError({"founder": "“退役军人创办”的创办人应为退役军人。"})
