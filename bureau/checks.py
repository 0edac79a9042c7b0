"""
System checks on settings: refuse an unsafe production start, warn about the embedded parts.

They are deployment checks (`manage.py check --deploy`), which the production
start in docker-compose.yml runs before gunicorn, so that day-to-day commands
on a laptop (makemigrations, shell) are not blocked by the development key.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    messages = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        messages.append(
            Error(
                "DEBUG 已关闭（生产环境），但 SECRET_KEY 仍是开发用密钥。",
                hint="在环境变量 SECRET_KEY 中设置一个随机的长密钥。",
                id="bureau.E001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        messages.append(
            Warning(
                "生产环境正在使用 SQLite 数据库。",
                hint="设置 DATABASE_URL 指向 PostgreSQL。",
                id="bureau.W001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        messages.append(
            Warning(
                "生产环境的后台任务在网页进程内同步执行（Celery eager）。",
                hint="设置 REDIS_URL 并启动 Celery worker。",
                id="bureau.W002",
            )
        )
    return messages
