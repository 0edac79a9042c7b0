from django.core.management.base import BaseCommand

from bureau.rules import audit


class Command(BaseCommand):
    help = "删除超过保存期限（AUDIT_RETENTION_DAYS 天，至少 183 天）的审计事件；未到期的事件不会被删除。"

    def handle(self, *args, **options):
        count = audit.purge()
        self.stdout.write(f"已删除 {count} 条超过 {audit.retention_days()} 天的审计事件。")
