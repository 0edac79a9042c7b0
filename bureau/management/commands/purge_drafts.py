from django.core.management.base import BaseCommand

from bureau.station.drafts import DRAFT_LIFETIME, purge_drafts


class Command(BaseCommand):
    help = "删除 30 天内未再保存的服务站表单草稿（草稿在表单提交时已删除，这里清理放弃填写的）。"

    def handle(self, *args, **options):
        count = purge_drafts()
        self.stdout.write(f"已删除 {count} 份超过 {DRAFT_LIFETIME.days} 天的表单草稿。")
