from django.core.management.base import BaseCommand

from bureau.rules.datacheck import data_check_run


class Command(BaseCommand):
    help = "数据质量核查：列出各业务之间相互矛盾的记录（死亡后仍发放、无账户发放、未来日期等），按类别计数。只读，不修改数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="同时列出每一条问题（只显示姓名，不显示身份证号等个人信息）。"
        )

    def handle(self, *args, **options):
        results = data_check_run()
        for result in results:
            self.stdout.write(f"{result.check.key}\t{result.check.title}：{result.count}")
            if options["list"]:
                for finding in result.findings:
                    self.stdout.write(f"    {finding.subject} — {finding.detail}")
        total = sum(result.count for result in results)
        self.stdout.write(f"合计：{total} 条问题。" if total else "合计：0 条问题，未发现矛盾。")
