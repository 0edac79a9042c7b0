"""
Idempotency keys: a write sent twice (a double tap, a retry after a lost answer) is saved once.

A station form carries a random key in a hidden field (`bureau.station.kit.record_form`);
an API client sends one in the `Idempotency-Key` header (`bureau.api.viewsets`). The key
is stored in the same transaction as the write it stands for, and the unique index on
(user, key) decides between two requests sent at the same moment: the second waits for
the first, finds the key taken and is answered with the first one's result instead of
writing again. A failed write rolls its key back with it, so the request can be sent
again with the same key once corrected.

Keys are remembered for `KEY_LIFETIME`; older ones are ignored, and a user's expired keys
are deleted whenever that user claims a new one.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

KEY_LIFETIME = datetime.timedelta(days=7)
KEY_MAX_LENGTH = 100


class KeyInUse(Exception):
    """Another request of the user's has saved with this key (see `IdempotencyKeyManager.claim`)."""

    def __init__(self, earlier: "IdempotencyKey"):
        super().__init__(earlier.key)
        self.earlier = earlier


class IdempotencyKeyQuerySet(models.QuerySet):
    def fresh(self):
        return self.filter(created_at__gte=timezone.now() - KEY_LIFETIME)

    def expired(self):
        return self.filter(created_at__lt=timezone.now() - KEY_LIFETIME)


class IdempotencyKeyManager(models.Manager.from_queryset(IdempotencyKeyQuerySet)):
    def earlier(self, *, user, key: str) -> "IdempotencyKey | None":
        """The user's write already saved with this key, if any (and not expired)."""
        return self.fresh().filter(user=user, key=key).first()

    def claim(self, *, user, key: str, fingerprint: str) -> "IdempotencyKey":
        """
        Take the key for the write about to be made; call inside that write's transaction.

        Raises KeyInUse when the key is taken: by a request that committed before, or by
        one still running, whose commit this insert waits for on the unique index.
        """
        self.expired().filter(user=user).delete()
        try:
            # A savepoint: on PostgreSQL a failed insert would otherwise abort the whole request's transaction.
            with transaction.atomic():
                return self.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            earlier = self.earlier(user=user, key=key)
            if earlier is None:
                raise
            raise KeyInUse(earlier) from None


class IdempotencyKey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("键", max_length=KEY_MAX_LENGTH)
    fingerprint = models.CharField("请求摘要", max_length=64)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # What the first request answered: its status and the record it saved (if it saved one record).
    status_code = models.PositiveSmallIntegerField("响应状态", null=True, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")

    objects = IdempotencyKeyManager()

    class Meta:
        verbose_name = "防重复提交键"
        verbose_name_plural = "防重复提交键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self):
        return f"{self.user} {self.key}"

    def matches(self, fingerprint: str) -> bool:
        return self.fingerprint == fingerprint

    def finish(self, *, result, status_code: int) -> None:
        """Remember what the write answered: its status and, when it saved one record, that record."""
        self.status_code = status_code
        if isinstance(result, models.Model) and result.pk is not None:
            self.record = result
        self.save(update_fields=["status_code", "content_type", "object_id"])
