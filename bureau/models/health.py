from django.db import models


class ServiceHeartbeat(models.Model):
    """
    The last sign of life of a background service (bureau.rules.service_health): one row per Celery
    worker ("worker:celery@host") and one for beat ("beat"). /healthz and `manage.py
    service_alive` read them; a row older than SERVICE_STALE_SECONDS means the service is down.
    """

    name = models.CharField("服务", max_length=200, unique=True)
    at = models.DateTimeField("最近心跳")
    hostname = models.CharField("主机", max_length=200, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)

    class Meta:
        verbose_name = "后台服务心跳"
        verbose_name_plural = "后台服务心跳"

    def __str__(self):
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
