"""
`manage.py seed_demo`: load a fictional demo district (示范区) for a first look and for demos.

Everything is generated from a random generator seeded with the demo year, so
two runs with the same arguments give the same records: rows are written keyed
on their natural keys and updated, never duplicated. The registry and its
writers are the demo kit in `bureau.demo`; this command checks the arguments
and runs them in one transaction.

Each area app then adds its own demo records on top of the registry (its
payments among them) from the `seed(*, year, scale, stdout)` its declaration
names (`AreaConfig.demo`); it runs in the same transaction.

The demo year is a finished year, for the annual report; so that the portal also
has something to do today, the command then adds the current year up to today:
veterans discharged since 1 January (one per township just registered by its
station and awaiting review), and each area's records of the year from the
`seed_this_year(*, today, scale, stdout)` it declares (`AreaConfig.demo_this_year`).
Nothing of the current year changes the demo year's records.
"""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bureau import roles
from bureau.areas import area_configs
from bureau.demo.registry import SCALES, DemoDistrict, build_district, build_this_year
from bureau.demo.writers import (
    CLERK_USERNAME,
    accounts_write,
    proposals_write,
    registrations_write,
    registry_write,
    site_profile_write,
    townships_write,
)
from bureau.models import Township, User

DEFAULT_YEAR = 2021
DEFAULT_PASSWORD = "demo-password-2021"


class Command(BaseCommand):
    help = (
        "载入虚构的示范区演示数据（乡镇、人员、优抚类别、资金发放和演示账号），可重复运行。 "
        "Load a fictional demo district: townships, people of every preferential-care category, "
        "each area's records and payments of the demo year, the current year's records up to today "
        "and one login per role. "
        "Running it again updates, never duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=DEFAULT_YEAR,
            help=f"演示年度（已结束的年度），默认 {DEFAULT_YEAR}。 The demo year, a finished year.",
        )
        parser.add_argument(
            "--scale",
            default="small",
            help="规模：small（约 80 人）或 district（约 3000 人）。 small (about 80 persons) or district (about 3,000).",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"全部演示账号的密码，默认 {DEFAULT_PASSWORD}。 Password of every demo account.",
        )

    def handle(self, *args, year, scale, password, **options):
        today = timezone.localdate()
        if not 2000 <= year < today.year:
            raise CommandError(f"--year 应为 2000 至 {today.year - 1} 之间已结束的年度，收到 {year}。")
        if scale not in SCALES:
            raise CommandError(f"--scale 只能是 {' 或 '.join(SCALES)}，收到 {scale!r}。")
        if not (password or "").strip():
            raise CommandError("--password 不能为空。")
        missing = set(roles.ROLES) - set(Group.objects.filter(name__in=roles.ROLES).values_list("name", flat=True))
        if missing:
            raise CommandError(f"缺少角色组 {'、'.join(sorted(missing))}，请先运行 manage.py migrate。")

        with transaction.atomic():
            site_profile_write()
            townships = townships_write()
            logins = accounts_write(townships=townships, password=password)
            clerk = User.objects.get(username=CLERK_USERNAME)
            district = build_district(year=year, scale=scale, townships=townships)
            people = registry_write(district, reviewer=clerk)
            self.stdout.write(
                self.style.SUCCESS(f"示范区演示数据已就绪：{len(townships)} 个乡镇（街道），{len(people)} 名人员。")
            )
            self.seed_area_apps(year=year, scale=scale)
            self.seed_this_year(today=today, scale=scale, townships=townships, reference=district, reviewer=clerk)

        self.print_logins(logins, password)

    def seed_area_apps(self, *, year: int, scale: str) -> None:
        """Let each area app add its records on top of the registry, as its declaration says (AreaConfig.demo)."""
        for area in area_configs():
            if seed := area.demo_seed():
                seed(year=year, scale=scale, stdout=self.stdout)

    def seed_this_year(
        self, *, today: datetime.date, scale: str, townships: list[Township], reference: DemoDistrict, reviewer: User
    ) -> None:
        """The current year up to `today`: the veterans discharged so far, then each area's records (demo_this_year)."""
        district = build_this_year(today=today, scale=scale, townships=townships, taken=reference.id_numbers)
        discharged = registry_write(district, reviewer=reviewer)
        registered = registrations_write(district)
        proposals = proposals_write(list(discharged.values()))
        total = len(discharged) + len(registered)
        self.stdout.write(
            self.style.SUCCESS(
                f"{today.year} 年（截至 {today.month}月{today.day}日）演示数据：本年退役 {total} 人，"
                f"其中服务站新登记 {len(registered)} 人；服务站提交待审核的信息修改 {len(proposals)} 条。"
            )
        )
        for area in area_configs():
            if seed := area.demo_this_year_seed():
                seed(today=today, scale=scale, stdout=self.stdout)

    def print_logins(self, logins: list[tuple[str, str, str]], password: str) -> None:
        width = max(len(username) for username, _, _ in logins)
        self.stdout.write("")
        self.stdout.write("演示账号 Demo logins:")
        self.stdout.write(f"  {'username'.ljust(width)}  password  role / township")
        for username, role, township in logins:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {role} / {township}")
        self.stdout.write("")
        self.stdout.write("入口 Where to log in (make run: http://127.0.0.1:8000):")
        self.stdout.write("  /admin/     管理后台：局机关、局领导、审计员 (admin, clerk, leader, auditor)")
        self.stdout.write("  /station/   服务站门户：服务站账号 (station_*)")
        self.stdout.write("  /dashboard/ 领导看板与年度报告：局领导 (leader)")
        self.stdout.write("  /api/docs/  REST API 文档（登录后）")
