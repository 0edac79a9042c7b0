"""
`manage.py seed_demo`: load a fictional demo district (示范区) for a first look and for demos.

Everything is generated from a random generator seeded with the demo year, so
two runs with the same arguments give the same records: rows are written keyed
on their natural keys (township code, username, ID number, programme code,
person + programme + period) and updated, never duplicated. The persons of
`--scale small` are the first persons of `--scale district`.

Each area app may add its own demo records on top of the registry from a `demo`
module with `seed(*, year, scale, stdout)`; it runs in the same transaction.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from bureau import roles
from bureau.areas import area_configs
from bureau.models import (
    FamilyLink,
    Merit,
    Payment,
    PaymentBatch,
    PaymentProgramme,
    Person,
    PersonCategory,
    PreferentialCategory,
    ReviewStatus,
    SiteProfile,
    Township,
    User,
)
from bureau.models.people import KEY_BENEFICIARY_CATEGORIES
from bureau.validators import parse_resident_id

DEFAULT_YEAR = 2021
DEFAULT_PASSWORD = "demo-password-2021"
# How many times the small district's mix of people is repeated.
SCALES = {"small": 1, "district": 38}

DISTRICT_NAME = "示范区"
BUREAU_NAME = "退役军人事务局"
# (code, name): fictional townships of the fictional district.
TOWNSHIPS = [
    ("dongcheng", "东城街道"),
    ("xicheng", "西城街道"),
    ("baisha", "白沙街道"),
    ("nanhu", "南湖镇"),
    ("beishan", "北山镇"),
    ("qingshi", "青石镇"),
    ("yuntai", "云台镇"),
    ("liuhe", "柳河乡"),
]
# Province 32 exists (the validator checks it); county codes 99xx do not, so no real place is named.
REGION_PREFIX = "3299"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN_MALE = "伟强军勇刚建国志明海峰斌磊超波辉鹏杰涛平东华兵亮飞林文武宏广庆春卫"
GIVEN_FEMALE = "芳娟敏静丽艳秀英华玲霞燕红梅兰琴云萍洁莉娜婷慧"
STREETS = ["人民路", "建设路", "和平街", "解放路", "新华街", "光明路", "幸福路", "长江路", "胜利街", "团结路"]
UNITS = ["某集团军某旅", "某舰艇支队", "某航空兵旅", "某导弹旅", "武警某支队", "某工程兵团"]

# (code, name, area, frequency)
PROGRAMMES = [
    ("self-employment-grant", "自主就业金", "resettlement", PaymentProgramme.Frequency.ONE_OFF),
    ("periodic-pension", "优抚对象定期抚恤补助", "pensions", PaymentProgramme.Frequency.MONTHLY),
    ("spring-festival", "春节慰问金", "pensions", PaymentProgramme.Frequency.ANNUAL),
    (
        "conscript-family-allowance",
        "义务兵家庭优待金",
        "pensions",
        PaymentProgramme.Frequency.ANNUAL,
    ),
]
# Monthly amount of the periodic pension by category; a person holding several gets the highest.
MONTHLY_PENSION = {
    PreferentialCategory.DISABLED_SOLDIER: Decimal("2150.00"),
    PreferentialCategory.MARTYR_FAMILY: Decimal("2380.00"),
    PreferentialCategory.DUTY_DEATH_FAMILY: Decimal("1960.00"),
    PreferentialCategory.ILLNESS_DEATH_FAMILY: Decimal("1880.00"),
    PreferentialCategory.DEMOBILISED_RURAL: Decimal("1320.00"),
    PreferentialCategory.RETURNED_WITH_ILLNESS: Decimal("960.00"),
    PreferentialCategory.WAR_OR_TEST_VETERAN: Decimal("870.00"),
}
CONSCRIPT_FAMILY_ALLOWANCE = Decimal("26800.00")

P = Person
C = PreferentialCategory


@dataclass
class DemoPerson:
    id_number: str
    name: str
    township: Township
    status: str
    birth_date: datetime.date
    phone: str = ""
    address: str = ""
    branch: str = ""
    enlisted_on: datetime.date | None = None
    discharged_on: datetime.date | None = None
    rank: str = ""
    discharge_route: str = ""
    notes: str = ""
    categories: list[tuple[str, datetime.date]] = field(default_factory=list)
    merits: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class DemoLink:
    person: DemoPerson
    relative: DemoPerson
    relation: str


class DemoDistrict:
    """The people of the demo district, generated deterministically for one year."""

    def __init__(self, *, year: int, townships: list[Township]):
        self.year = year
        self.townships = townships
        self.rng = random.Random(year)
        self.people: list[DemoPerson] = []
        self.links: list[DemoLink] = []
        self.id_numbers: set[str] = set()

    # -- building blocks ---------------------------------------------------------------

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def birth_date(self, first_year: int, last_year: int) -> datetime.date:
        return self.date_between(datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31))

    def id_number(self, township: Township, birth_date: datetime.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(1000)
            if sequence % 2 != (1 if male else 0):  # the 17th digit is odd for men, even for women
                sequence = (sequence + 1) % 1000
            body = f"{REGION_PREFIX}{township.order:02d}{birth_date:%Y%m%d}{sequence:03d}"
            # stdnum computes the check digit from the first 17 characters of an 18-character number.
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def person(
        self, *, township: Township, born: tuple[int, int], status: str, male: bool = True, surname: str = "", **fields
    ) -> DemoPerson:
        birth_date = self.birth_date(*born)
        given = GIVEN_MALE if male else GIVEN_FEMALE
        name = (surname or self.rng.choice(SURNAMES)) + "".join(
            self.rng.choice(given) for _ in range(self.rng.choice((1, 2)))
        )
        alive = status != P.Status.DECEASED
        person = DemoPerson(
            id_number=self.id_number(township, birth_date, male),
            name=name,
            township=township,
            status=status,
            birth_date=birth_date,
            phone=f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}" if alive else "",
            address=f"{township.name}{self.rng.choice(STREETS)}{self.rng.randrange(1, 300)}号",
            **fields,
        )
        self.people.append(person)
        return person

    def service(self, birth_date: datetime.date, *, years: tuple[int, int], enlisted_after: int = 0):
        enlisted_year = max(birth_date.year + self.rng.randrange(17, 21), enlisted_after)
        enlisted_on = datetime.date(enlisted_year, self.rng.choice((3, 9, 12)), self.rng.randrange(1, 29))
        served = self.rng.randrange(years[0], years[1] + 1)
        discharged_on = datetime.date(enlisted_year + served, self.rng.choice((3, 9)), self.rng.randrange(1, 29))
        return enlisted_on, discharged_on

    def veteran(
        self,
        *,
        born: tuple[int, int],
        years: tuple[int, int],
        route: str,
        categories=(),
        rank: str = "",
        enlisted_after: int = 0,
        discharged_in: int | None = None,
        merit_chance: float = 0.15,
    ) -> DemoPerson:
        township = self.rng.choice(self.townships)
        person = self.person(township=township, born=born, status=P.Status.VETERAN, male=self.rng.random() < 0.93)
        enlisted_on, discharged_on = self.service(person.birth_date, years=years, enlisted_after=enlisted_after)
        if discharged_in is None:
            # Only the veterans of the demo year's own intake leave in the demo year.
            discharged_on = min(discharged_on, datetime.date(self.year - 1, 12, 31))
        else:  # the autumn intake and discharge
            enlisted_on = datetime.date(discharged_in - years[0], 9, self.rng.randrange(1, 29))
            discharged_on = datetime.date(discharged_in, 9, self.rng.randrange(1, 29))
        person.branch = self.rng.choice(
            [P.Branch.ARMY] * 5 + [P.Branch.NAVY, P.Branch.AIR_FORCE, P.Branch.ROCKET_FORCE, P.Branch.ARMED_POLICE]
        )
        person.enlisted_on, person.discharged_on = enlisted_on, discharged_on
        person.discharge_route = route
        person.rank = rank or self.rng.choice(
            ["战士", "班长"] if enlisted_on.year < 1988 else ["上等兵", "下士", "中士", "上士"]
        )
        for category in categories:
            person.categories.append((category, self.category_start(category, person)))
        if self.rng.random() < merit_chance:
            self.merit(person, enlisted_on.year, discharged_on.year)
        return person

    def category_start(self, category: str, person: DemoPerson) -> datetime.date:
        if category == C.WAR_OR_TEST_VETERAN:
            return max(person.discharged_on, datetime.date(2007, 8, 1))
        if category == C.HARDSHIP_VETERAN:
            since = datetime.date(self.year - self.rng.randrange(0, 3), self.rng.randrange(1, 13), 1)
            return max(since, person.discharged_on)
        return person.discharged_on

    def merit(self, person: DemoPerson, first_year: int, last_year: int) -> None:
        level = self.rng.choice(
            [Merit.Level.THIRD_CLASS] * 6 + [Merit.Level.SECOND_CLASS] * 2 + [Merit.Level.FIRST_CLASS]
        )
        year = self.rng.randrange(first_year, max(first_year, last_year - 1) + 1)
        person.merits.append((level, year, self.rng.choice(UNITS)))

    def relative(self, soldier: DemoPerson, *, role: str, category: str, since: datetime.date) -> DemoPerson:
        """A family member holding `category` since `since`; `role` is what they are to the soldier."""
        Relation = FamilyLink.Relation
        born_year = soldier.birth_date.year
        soldier_is_male = int(soldier.id_number[16]) % 2 == 1
        if role == Relation.SPOUSE:
            male, born, soldier_is = not soldier_is_male, (born_year - 2, born_year + 4), Relation.SPOUSE
        elif role in (Relation.FATHER, Relation.MOTHER):
            male, born, soldier_is = role == Relation.FATHER, (born_year - 30, born_year - 22), Relation.CHILD
        else:  # a child, born while the soldier lived
            male = self.rng.random() < 0.5
            born = (max(born_year + 19, since.year - 4), since.year)
            soldier_is = Relation.FATHER if soldier_is_male else Relation.MOTHER
        surname = soldier.name[0] if role in (Relation.FATHER, Relation.CHILD) and soldier_is_male else ""
        family = self.person(township=soldier.township, born=born, status=P.Status.FAMILY, male=male, surname=surname)
        family.categories.append((category, max(since, family.birth_date)))
        # FamilyLink reads "the relative is the person's <relation>".
        self.links.append(DemoLink(person=family, relative=soldier, relation=soldier_is))
        return family

    def fallen(self, *, born: tuple[int, int], note: str) -> tuple[DemoPerson, datetime.date]:
        township = self.rng.choice(self.townships)
        soldier = self.person(township=township, born=born, status=P.Status.DECEASED)
        soldier.enlisted_on, died_on = self.service(soldier.birth_date, years=(2, 12))
        died_on = min(died_on, datetime.date(self.year - 1, 12, 31))
        soldier.branch = self.rng.choice([P.Branch.ARMY, P.Branch.ARMED_POLICE, P.Branch.NAVY])
        soldier.rank = self.rng.choice(["上等兵", "班长", "中士", "排长"])
        soldier.notes = f"{died_on:%Y年%m月}{note}"
        return soldier, died_on

    # -- the mix of one round: about 80 persons ------------------------------------------------

    def build_round(self) -> None:
        y = self.year
        route = P.DischargeRoute
        for _ in range(2):
            self.veteran(
                born=(1927, 1933),
                years=(3, 6),
                route=route.DEMOBILISED,
                enlisted_after=1950,
                categories=[C.KOREAN_WAR_VETERAN, C.DEMOBILISED_RURAL],
                rank="战士",
                merit_chance=0.5,
            )
        for _ in range(2):
            self.veteran(born=(1934, 1945), years=(3, 6), route=route.DEMOBILISED, categories=[C.DEMOBILISED_RURAL])
        for _ in range(2):
            self.veteran(
                born=(1936, 1946),
                years=(3, 8),
                route=route.DEMOBILISED,
                enlisted_after=1954,
                categories=[C.STATE_ENTERPRISE_RETIRED_SOLDIER],
            )
        self.veteran(
            born=(1940, 1958), years=(4, 10), route=route.DEMOBILISED, categories=[C.HONOURED_HOSPITAL_RESIDENT]
        )
        for index in range(3):
            categories = [C.WAR_OR_TEST_VETERAN] + ([C.DISABLED_SOLDIER] if index == 0 else [])
            self.veteran(
                born=(1956, 1962),
                years=(3, 6),
                route=route.DEMOBILISED,
                enlisted_after=1975,
                categories=categories,
                merit_chance=0.4,
            )
        for _ in range(3):
            self.veteran(born=(1955, y - 25), years=(2, 8), route=route.SELF_EMPLOYED, categories=[C.DISABLED_SOLDIER])
        for _ in range(2):
            self.veteran(
                born=(1950, y - 36), years=(2, 5), route=route.DEMOBILISED, categories=[C.RETURNED_WITH_ILLNESS]
            )
        for _ in range(2):
            self.veteran(
                born=(1952, 1966),
                years=(28, 32),
                route=route.RETIRED,
                rank=self.rng.choice(["上校", "大校"]),
                categories=[C.MILITARY_RETIREE],
                merit_chance=0.5,
            )
        for _ in range(2):
            self.veteran(
                born=(1955, 1968),
                years=(12, 20),
                route=route.TRANSFERRED,
                rank="正连职",
                categories=[C.ENTERPRISE_TRANSFERRED_CADRE],
            )
        for _ in range(2):
            self.veteran(born=(1962, y - 25), years=(2, 5), route=route.SELF_EMPLOYED, categories=[C.HARDSHIP_VETERAN])
        # Discharged in the demo year: the self-employment grant and the arranged jobs of the annual report.
        for _ in range(10):
            self.veteran(
                born=(y - 24, y - 20),
                years=(2, 2),
                route=route.SELF_EMPLOYED,
                discharged_in=y,
                rank="上等兵",
                merit_chance=0.1,
            )
        for _ in range(2):
            self.veteran(
                born=(y - 34, y - 31),
                years=(12, 12),
                route=route.ARRANGED_JOB,
                discharged_in=y,
                rank="四级军士长",
                merit_chance=0.4,
            )
        for _ in range(21):
            self.veteran(
                born=(1960, y - 24), years=(2, 8), route=self.rng.choice([route.SELF_EMPLOYED, route.DEMOBILISED])
            )
        for _ in range(2):  # martyr, spouse and child
            martyr, died_on = self.fallen(born=(y - 59, y - 36), note="在抢险救灾中牺牲，被评定为烈士。")
            self.merit(martyr, died_on.year, died_on.year)
            self.relative(martyr, role=FamilyLink.Relation.SPOUSE, category=C.MARTYR_FAMILY, since=died_on)
            self.relative(martyr, role=FamilyLink.Relation.CHILD, category=C.MARTYR_CHILD, since=died_on)
        soldier, died_on = self.fallen(born=(y - 51, y - 26), note="执行任务中因公牺牲。")
        self.relative(soldier, role=FamilyLink.Relation.MOTHER, category=C.DUTY_DEATH_FAMILY, since=died_on)
        soldier, died_on = self.fallen(born=(y - 61, y - 36), note="服役期间病故。")
        self.relative(soldier, role=FamilyLink.Relation.SPOUSE, category=C.ILLNESS_DEATH_FAMILY, since=died_on)
        for _ in range(5):  # conscripts on active duty and the parent who receives the family allowance
            township = self.rng.choice(self.townships)
            conscript = self.person(
                township=township, born=(y - 21, y - 19), status=P.Status.ACTIVE_DUTY, male=self.rng.random() < 0.9
            )
            conscript.branch = self.rng.choice(
                [P.Branch.ARMY, P.Branch.NAVY, P.Branch.AIR_FORCE, P.Branch.ROCKET_FORCE]
            )
            conscript.enlisted_on = datetime.date(y - self.rng.randrange(0, 2), 9, self.rng.randrange(1, 29))
            conscript.rank = "列兵" if conscript.enlisted_on.year == y else "上等兵"
            parent = self.rng.choice([FamilyLink.Relation.FATHER, FamilyLink.Relation.MOTHER])
            self.relative(conscript, role=parent, category=C.CONSCRIPT_FAMILY, since=conscript.enlisted_on)
        for _ in range(2):  # officers on active duty and their spouses
            township = self.rng.choice(self.townships)
            officer = self.person(township=township, born=(y - 43, y - 31), status=P.Status.ACTIVE_DUTY)
            officer.branch = self.rng.choice([P.Branch.ARMY, P.Branch.AIR_FORCE, P.Branch.ROCKET_FORCE])
            officer.enlisted_on = datetime.date(officer.birth_date.year + 18, 9, 1)
            officer.rank = self.rng.choice(["少校", "中校"])
            since = datetime.date(y - self.rng.randrange(1, 8), self.rng.randrange(1, 13), 1)
            self.relative(officer, role=FamilyLink.Relation.SPOUSE, category=C.ACTIVE_SERVICE_FAMILY, since=since)

    # -- payments of the demo year ------------------------------------------------------------------

    def payments(self):
        """(person, programme code, period, amount, paid_on) of the demo year."""
        y = self.year
        for person in self.people:
            if person.status == P.Status.DECEASED:
                continue
            if person.discharge_route == P.DischargeRoute.SELF_EMPLOYED and person.discharged_on.year == y:
                served = max(1, round((person.discharged_on - person.enlisted_on).days / 365))
                paid_on = min(person.discharged_on + datetime.timedelta(days=45), datetime.date(y, 12, 28))
                yield person, "self-employment-grant", str(y), Decimal(8000 + 4500 * served), paid_on
            for month in range(1, 13):
                month_end = datetime.date(y + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
                amounts = [
                    MONTHLY_PENSION[category]
                    for category, since in person.categories
                    if category in KEY_BENEFICIARY_CATEGORIES and since <= month_end
                ]
                if amounts:
                    yield person, "periodic-pension", f"{y}-{month:02d}", max(amounts), datetime.date(y, month, 10)
            held = [category for category, since in person.categories if since <= datetime.date(y, 1, 15)]
            if held:
                amount = Decimal("1000.00") if set(held) & set(KEY_BENEFICIARY_CATEGORIES) else Decimal("600.00")
                yield person, "spring-festival", str(y), amount, datetime.date(y, 1, 25)
            if any(c == C.CONSCRIPT_FAMILY and since <= datetime.date(y, 9, 30) for c, since in person.categories):
                yield person, "conscript-family-allowance", str(y), CONSCRIPT_FAMILY_ALLOWANCE, datetime.date(y, 12, 10)


class Command(BaseCommand):
    help = (
        "载入虚构的示范区演示数据（乡镇、人员、优抚类别、资金发放和演示账号），可重复运行。 "
        "Load a fictional demo district: townships, people of every preferential-care category, "
        "payments of the demo year and one login per role. Running it again updates, never duplicates."
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
        this_year = timezone.localdate().year
        if not 2000 <= year < this_year:
            raise CommandError(f"--year 应为 2000 至 {this_year - 1} 之间已结束的年度，收到 {year}。")
        if scale not in SCALES:
            raise CommandError(f"--scale 只能是 {' 或 '.join(SCALES)}，收到 {scale!r}。")
        if not (password or "").strip():
            raise CommandError("--password 不能为空。")
        missing = set(roles.ROLES) - set(Group.objects.filter(name__in=roles.ROLES).values_list("name", flat=True))
        if missing:
            raise CommandError(f"缺少角色组 {'、'.join(sorted(missing))}，请先运行 manage.py migrate。")

        with transaction.atomic():
            self.write_site_profile()
            townships = self.write_townships()
            logins = self.write_users(townships, password)
            district = DemoDistrict(year=year, townships=townships)
            for _ in range(SCALES[scale]):
                district.build_round()
            clerk = User.objects.get(username="clerk")
            people = self.write_people(district, reviewer=clerk)
            payment_count = self.write_payments(district, people, year=year, by=clerk)
            self.stdout.write(
                self.style.SUCCESS(
                    f"示范区演示数据已就绪：{len(townships)} 个乡镇（街道），{len(people)} 名人员，"
                    f"{year} 年资金发放 {payment_count} 笔。"
                )
            )
            self.seed_area_apps(year=year, scale=scale)

        self.print_logins(logins, password)

    def seed_area_apps(self, *, year: int, scale: str) -> None:
        """Let each area app add its records on top of the registry, as its declaration says (AreaConfig.demo)."""
        for area in area_configs():
            if seed := area.demo_seed():
                seed(year=year, scale=scale, stdout=self.stdout)

    # -- writers -------------------------------------------------------------------------------------

    def write_site_profile(self) -> None:
        profile = SiteProfile.get()
        profile.district_name = DISTRICT_NAME
        profile.bureau_name = BUREAU_NAME
        profile.report_signatory = f"{DISTRICT_NAME}{BUREAU_NAME}"
        profile.save()

    def write_townships(self) -> list[Township]:
        return [
            Township.objects.update_or_create(code=code, defaults={"name": name, "order": order})[0]
            for order, (code, name) in enumerate(TOWNSHIPS, start=1)
        ]

    def write_users(self, townships: list[Township], password: str) -> list[tuple[str, str, str]]:
        accounts = [
            ("admin", "系统管理员", None, None, {"is_staff": True, "is_superuser": True}),
            ("clerk", "局机关", roles.BUREAU_STAFF, None, {"is_staff": True}),
            ("leader", "局领导", roles.LEADERSHIP, None, {"is_staff": True}),
            ("auditor", "审计员", roles.AUDITOR, None, {"is_staff": True}),
        ] + [
            (f"station_{township.code}", f"{township.name}服务站", roles.STATION_STAFF, township, {"is_staff": False})
            for township in townships
        ]
        logins = []
        for username, first_name, role, township, flags in accounts:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"first_name": first_name, "township": township, "is_active": True, "is_superuser": False}
                | flags,
            )
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name=role) if role else [])
            logins.append((username, role or "超级管理员", township.name if township else "全区"))
        return logins

    def write_people(self, district: DemoDistrict, *, reviewer: User) -> dict[str, Person]:
        copied = [
            "name", "phone", "township", "address", "status", "branch",
            "enlisted_on", "discharged_on", "rank", "discharge_route", "notes",
        ]  # fmt: skip
        now = timezone.now()
        rows = []
        for demo in district.people:
            # bulk_create skips Person.save(), which derives these two from the ID number.
            resident = parse_resident_id(demo.id_number)
            rows.append(
                Person(
                    id_number=resident.number,
                    birth_date=resident.birth_date,
                    gender=resident.gender,
                    review_status=ReviewStatus.APPROVED,
                    reviewed_by=reviewer,
                    reviewed_at=now,
                    **{name: getattr(demo, name) for name in copied},
                )
            )
        fields = [*copied, "birth_date", "gender", "review_status"]
        Person.objects.bulk_create(rows, update_conflicts=True, unique_fields=["id_number"], update_fields=fields)
        people = Person.objects.in_bulk([demo.id_number for demo in district.people], field_name="id_number")

        PersonCategory.objects.bulk_create(
            [
                PersonCategory(person=people[demo.id_number], category=category, started_on=since)
                for demo in district.people
                for category, since in demo.categories
            ],
            update_conflicts=True,
            unique_fields=["person", "category", "started_on"],
            update_fields=["ended_on"],
        )
        FamilyLink.objects.bulk_create(
            [
                FamilyLink(person=people[link.person.id_number], relative=people[link.relative.id_number],
                           relation=link.relation)
                for link in district.links
            ],
            update_conflicts=True,
            unique_fields=["person", "relative"],
            update_fields=["relation"],
        )  # fmt: skip
        # Merits have no natural key of their own: (person, level, year) stands in for one.
        existing = set(Merit.objects.filter(person__in=people.values()).values_list("person_id", "level", "year"))
        Merit.objects.bulk_create(
            [
                Merit(person=people[demo.id_number], level=level, year=year, unit=unit)
                for demo in district.people
                for level, year, unit in demo.merits
                if (people[demo.id_number].pk, level, year) not in existing
            ]
        )
        return people

    def write_payments(self, district: DemoDistrict, people: dict[str, Person], *, year: int, by: User) -> int:
        programmes = {}
        for code, name, area, frequency in PROGRAMMES:
            # An area app may already have created the programme under its name; keep its code then.
            programme = (
                PaymentProgramme.objects.filter(code=code).first() or PaymentProgramme.objects.filter(name=name).first()
            )
            programme = programme or PaymentProgramme(code=code)
            programme.name, programme.area, programme.frequency, programme.active = name, area, frequency, True
            programme.save()
            programmes[code] = programme

        batches = {}
        rows = []
        for demo, code, period, amount, paid_on in district.payments():
            programme = programmes[code]
            if (code, period) not in batches:
                month = f"{int(period[5:])}月" if len(period) == 7 else ""
                batches[code, period] = PaymentBatch.objects.update_or_create(
                    programme=programme,
                    title=f"{year}年{month}{programme.name}",
                    defaults={"paid_on": paid_on, "created_by": by},
                )[0]
            rows.append(
                Payment(
                    person=people[demo.id_number],
                    programme=programme,
                    period=period,
                    amount=amount,
                    paid_on=paid_on,
                    batch=batches[code, period],
                )
            )
        Payment.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["person", "programme", "period"],
            update_fields=["amount", "paid_on", "batch"],
        )
        return len(rows)

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
