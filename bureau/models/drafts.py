"""Drafts of long station forms, saved on the server as the user types (per user and form)."""

from django.conf import settings
from django.db import models


class FormDraft(models.Model):
    """
    What one user typed into one form (`key`: the form page's path) and not yet submitted:
    restored when the page opens again (after a session timeout, a closed tab), deleted on submit.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("表单", max_length=300)
    data = models.JSONField("内容", default=dict)
    saved_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "表单草稿"
        verbose_name_plural = "表单草稿"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="form_draft_once_per_user_and_form")]

    def __str__(self):
        return f"{self.user} {self.key}"
