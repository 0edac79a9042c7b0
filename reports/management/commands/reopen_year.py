"""`manage.py reopen_year YEAR --by USERNAME --reason TEXT`: 解锁 for operators, the reason required."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.finals import report_reopen, year_state
from reports.management.commands.close_year import acting_user, check_year

REOPEN_PERMISSION = "bureau.reopen_year"


class Command(BaseCommand):
    help = "解锁已定稿的年度（须填写原因，记入审计日志）；定稿文件保留。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="解锁的年度，如 2021。")
        parser.add_argument("--by", required=True, help="解锁人的用户名（须有“解锁已定稿的年度”权限）。")
        parser.add_argument("--reason", default="", help="解锁原因（必填）。")

    def handle(self, *args, year, by, reason, **options):
        check_year(year)
        if not (reason or "").strip():
            raise CommandError("解锁已定稿的年度必须填写原因（--reason）。")
        user = acting_user(by, REOPEN_PERMISSION, "解锁已定稿的年度")
        try:
            report_reopen(year=year, by=user, reason=reason)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        kept = year_state(year).finals
        files = "；".join(f"第{f.version}版 {f.docx_file.name}、{f.xlsx_file.name}" for f in kept) or "无"
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}年已解锁（解锁人 {user.username}，原因：{reason.strip()}），该年度的记录可以更正。\n"
                f"定稿文件仍保留：{files}。更正后请重新定稿。"
            )
        )
