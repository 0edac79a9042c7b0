"""
`manage.py registry_summary --check | --rebuild`: the registry summary (`bureau.models.registry_summary`:
veterans, those discharged, beneficiaries and category holders per township and year) against the
registry itself, as `manage.py ledger_summary` does for the ledger's.

The triggers of migration 0035 keep the summary on every write, but not through what bypasses them: a
TRUNCATE by hand, a restore or a bulk load with triggers disabled. `--check` compares the report's
figures of the years asked (`--year`, by default this year and the two before) per township with the
counts taken over the persons directly, every person's events with the events computed again, every
counter with the sum of the events, and lists the differences (exit code 1; 0 when none); `--rebuild`
empties the summary and fills it again in one transaction (the migration's own fill), with persons and
categories locked against writers on PostgreSQL.
"""

from django.core.management.base import BaseCommand, CommandError

from bureau.models import registry_summary_check

USAGE = "请指定 --check（核对登记汇总与人员登记）或 --rebuild（按人员登记重建登记汇总）。"
CONSISTENT = "登记汇总与人员登记一致"


class Command(BaseCommand):
    help = (
        "登记汇总（报表读取的退役军人、优抚对象人数表）与人员登记核对或重建：--check 列出不一致之处"
        "（有则退出码 1），--rebuild 清空汇总并按人员登记重新统计（一个事务内，期间暂停人员和优抚类别写入）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="核对：比较汇总与人员登记直接统计的结果。")
        parser.add_argument("--rebuild", action="store_true", help="重建：清空汇总表并按人员登记重新统计。")
        parser.add_argument(
            "--year", type=int, action="append", help="核对报表数字的年度（可多次指定；默认今年和前两年）。"
        )

    def handle(self, *args, **options):
        if options["check"] == options["rebuild"]:
            raise CommandError(USAGE, returncode=2)
        if options["rebuild"]:
            written = registry_summary_check.rebuild()
            self.stdout.write("已按人员登记重建登记汇总：")
            for label, count in written.items():
                self.stdout.write(f"    {label}：{count} 行")
            return
        lines = registry_summary_check.differences(options["year"])
        if not lines:
            self.stdout.write(CONSISTENT)
            return
        for line in lines:
            self.stdout.write(line)
        raise CommandError(
            f"登记汇总有 {len(lines)} 处与人员登记不一致，请运行 manage.py registry_summary --rebuild 重建。",
            returncode=1,
        )
