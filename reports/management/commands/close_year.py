"""`manage.py close_year YEAR --by USERNAME`: 定稿 for operators, as the report year's 定稿 button does it."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.finals import report_close
from reports.services import report_years

CLOSE_PERMISSION = "bureau.close_year"


def acting_user(username: str, permission: str, doing: str):
    """The active user named by --by, holding `permission`; a Chinese CommandError otherwise."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户名为“{username}”的用户。")
    if not user.is_active:
        raise CommandError(f"用户“{username}”已停用，不能{doing}。")
    if not user.has_perm(permission):
        raise CommandError(f"用户“{username}”没有{doing}的权限。")
    return user


def check_year(year: int) -> None:
    years = report_years()
    if year not in years:
        raise CommandError(f"年度 {year} 超出范围，应在 {min(years)} 至 {max(years)} 之间。")


class Command(BaseCommand):
    help = "年度报告定稿：生成并保存全区年度报告（Word、Excel 及全部数字），锁定该年度的记录。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="定稿的年度，如 2021。")
        parser.add_argument("--by", required=True, help="定稿人的用户名（须有“年度定稿”权限）。")

    def handle(self, *args, year, by, **options):
        check_year(year)
        user = acting_user(by, CLOSE_PERMISSION, "年度定稿")
        try:
            final = report_close(year=year, by=user)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}年报告已定稿（第{final.version}版，定稿人 {user.username}），{year}年的记录已锁定。\n"
                f"已保存文件：{final.docx_file.name}、{final.xlsx_file.name}；已保存数字 {final.figure_count} 个。"
            )
        )
