"""
The security administrator's lockout pages (django-axes), in Chinese.

The fields' and models' names are axes' own, translated in locale/zh_Hans. What a catalogue cannot
reach is set here: the app's name (axes declares none, so Django shows 「Axes」), the columns that
are methods without a description (状态, 锁定到期时间), the clean-up action's message (an f-string
inside gettext) and the rows' names, which axes builds with English f-strings ("Attempted Access: …")
and which the change page, its history and the audit trail show.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils import timezone

apps.get_app_config("axes").verbose_name = "登录锁定"


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


def _attempt_str(attempt: AccessAttempt) -> str:
    return f"{attempt.username or '未知用户'} 登录失败（{_when(attempt.attempt_time)}）"


def _failure_str(failure: AccessFailureLog) -> str:
    return f"{failure.username or '未知用户'} 登录失败（{_when(failure.attempt_time)}，{failure.ip_address or '-'}）"


def _log_str(log: AccessLog) -> str:
    return f"{log.username or '未知用户'} 登录（{_when(log.attempt_time)}）"


# axes' __str__ are English f-strings; the portal names these rows in Chinese wherever they appear.
AccessAttempt.__str__ = _attempt_str
AccessFailureLog.__str__ = _failure_str
AccessLog.__str__ = _log_str


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.action(description="清理已过期的失败记录")
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"已清理 {count} 条过期的失败记录。")

    @admin.display(description="锁定到期时间")
    def expiration(self, obj: AccessAttempt):
        return obj.expiration.expires_at if hasattr(obj, "expiration") else "未设置"

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt):
        remaining = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        return f"再失败 {remaining} 次将锁定" if remaining > 0 else "已锁定"


for model, model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
