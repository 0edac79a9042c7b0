"""
The people of the demo district, generated from a random generator seeded with the demo year.

Nothing here touches the database: `build_district` returns the same persons,
family links and merits for the same year, scale and townships every time, and
`bureau.demo.writers` stores them. The persons of `--scale small` are the first
persons of `--scale district`.

`build_this_year` adds the veterans discharged in the current year up to today,
from a generator of its own, so that the demo also has something to do today.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from stdnum.cn import ric

from bureau.models import FamilyLink, Merit, Person, PreferentialCategory, Township

# How many times the small district's mix of people is repeated.
SCALES = {"small": 1, "district": 38}
# Veterans discharged in the current year so far, per township and round of the scale (the last an NCO
# of twelve years and more, to a government-arranged job).
DISCHARGED_THIS_YEAR = 3
# NCOs discharged in the demo year to a government-arranged job (安排工作): two a round, and in the first
# round as many more as make this number (the small district's placement batch).
ARRANGED_NCOS = 10
NCO_RANKS_BY_YEARS = {12: "四级军士长", 13: "四级军士长", 14: "三级军士长", 15: "三级军士长", 16: "二级军士长"}
# Province 32 exists (the validator checks it); county codes 99xx do not, so no real place is named.
REGION_PREFIX = "3299"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN_MALE = "伟强军勇刚建国志明海峰斌磊超波辉鹏杰涛平东华兵亮飞林文武宏广庆春卫"
GIVEN_FEMALE = "芳娟敏静丽艳秀英华玲霞燕红梅兰琴云萍洁莉娜婷慧"
STREETS = ["人民路", "建设路", "和平街", "解放路", "新华街", "光明路", "幸福路", "长江路", "胜利街", "团结路"]
UNITS = ["某集团军某旅", "某舰艇支队", "某航空兵旅", "某导弹旅", "武警某支队", "某工程兵团"]

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
    died_on: datetime.date | None = None
    categories: list[tuple[str, datetime.date]] = field(default_factory=list)
    merits: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class DemoLink:
    person: DemoPerson
    relative: DemoPerson
    relation: str


class DemoDistrict:
    """The people of the demo district, generated deterministically for one year."""

    def __init__(self, *, year: int, townships: list[Township], seed: str = "", taken: Iterable[str] = ()):
        self.year = year
        self.townships = townships
        self.rng = random.Random(seed or year)
        self.people: list[DemoPerson] = []
        # Persons a township's station has registered and submitted: not approved, not in `people`.
        self.registered: list[DemoPerson] = []
        self.links: list[DemoLink] = []
        # `taken`: ID numbers of another district, so that no person of this one overwrites one of those.
        self.id_numbers: set[str] = set(taken)

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

    def discharged_this_year(self, *, township: Township, today: datetime.date, nco: bool = False) -> DemoPerson:
        """
        A conscript of the autumn intake two years ago, discharged to self-employment between 1 January and `today`;
        or (`nco`) an NCO of the autumn intake thirteen years ago, 12 whole years served or more, discharged to a
        government-arranged job, with the merits of a generator of their own.

        The generator is drawn from the same way whatever `today` is, so the same
        persons come back on any day of the year; only their discharge dates move.
        """
        start = datetime.date(today.year, 1, 1)
        born = (today.year - 34, today.year - 31) if nco else (today.year - 24, today.year - 20)
        person = self.person(township=township, born=born, status=P.Status.VETERAN, male=self.rng.random() < 0.9)
        person.discharged_on = start + datetime.timedelta(days=int(self.rng.random() * ((today - start).days + 1)))
        person.enlisted_on = datetime.date(today.year - (13 if nco else 2), 9, self.rng.randrange(1, 29))
        person.branch = self.rng.choice([P.Branch.ARMY] * 3 + [P.Branch.NAVY, P.Branch.AIR_FORCE])
        person.discharge_route = P.DischargeRoute.ARRANGED_JOB if nco else P.DischargeRoute.SELF_EMPLOYED
        person.rank = "四级军士长" if nco else "上等兵"
        if nco:
            own = random.Random(person.id_number)
            if own.random() < 0.4:
                level = own.choice([Merit.Level.THIRD_CLASS] * 3 + [Merit.Level.SECOND_CLASS])
                person.merits.append((level, own.randrange(person.enlisted_on.year + 1, today.year), own.choice(UNITS)))
        return person

    def arranged_ncos(self, count: int) -> None:
        """
        `count` NCOs discharged in September of the demo year to a government-arranged job, enlisted in
        March 12 to 16 years before (so many whole years served). Drawn from a generator of their own:
        the district's other persons stay as they were.
        """
        main, self.rng = self.rng, random.Random(f"arranged-ncos-{self.year}")
        try:
            for _ in range(count):
                served = self.rng.choice([12, 12, 13, 14, 15, 16])
                person = self.veteran(
                    born=(self.year - served - 22, self.year - served - 18),
                    years=(served, served),
                    route=P.DischargeRoute.ARRANGED_JOB,
                    discharged_in=self.year,
                    rank=NCO_RANKS_BY_YEARS[served],
                    merit_chance=0.4,
                )
                person.enlisted_on = person.enlisted_on.replace(month=3)
        finally:
            self.rng = main

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
        # Recorded in the registry: a deceased person without a date is a finding of the data check.
        soldier.died_on = died_on
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
            nco = self.veteran(
                born=(y - 34, y - 31),
                years=(12, 12),
                route=route.ARRANGED_JOB,
                discharged_in=y,
                rank="四级军士长",
                merit_chance=0.4,
            )
            # Enlisted in March, discharged in September: 12 whole years (服现役满12年), whatever the days.
            nco.enlisted_on = nco.enlisted_on.replace(month=3)
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
        for index in range(5):  # conscripts on active duty and the parent who receives the family allowance
            township = self.rng.choice(self.townships)
            conscript = self.person(
                township=township, born=(y - 21, y - 19), status=P.Status.ACTIVE_DUTY, male=self.rng.random() < 0.9
            )
            conscript.branch = self.rng.choice(
                [P.Branch.ARMY, P.Branch.NAVY, P.Branch.AIR_FORCE, P.Branch.ROCKET_FORCE]
            )
            years_back = self.rng.randrange(0, 2)
            # The first of each round is in his second year, so that the demo has a family paid for two years.
            years_back = 1 if index == 0 else years_back
            conscript.enlisted_on = datetime.date(y - years_back, 9, self.rng.randrange(1, 29))
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


def build_district(*, year: int, scale: str, townships: list[Township]) -> DemoDistrict:
    """The demo district of `year` at `scale` ("small" or "district"), spread over `townships` in their order."""
    district = DemoDistrict(year=year, townships=townships)
    for round_number in range(SCALES[scale]):
        district.build_round()
        if round_number == 0:
            district.arranged_ncos(ARRANGED_NCOS - 2)
    return district


def build_this_year(*, today: datetime.date, scale: str, townships: list[Township], taken: set[str]) -> DemoDistrict:
    """
    The veterans discharged in `today`'s year up to `today`: `DISCHARGED_THIS_YEAR` per township and round
    of the scale, approved, and in `registered` one per township that its station has just registered.

    `taken` are the ID numbers of the reference district, which no person here may reuse.
    """
    district = DemoDistrict(year=today.year, townships=townships, seed=f"this-year-{today.year}", taken=taken)
    for township in townships:
        district.discharged_this_year(township=township, today=today)
    # The first persons, the same at every scale, are those the stations have just registered.
    district.registered, district.people = district.people, []
    for _ in range(SCALES[scale]):
        for township in townships:
            for n in range(DISCHARGED_THIS_YEAR):
                district.discharged_this_year(township=township, today=today, nco=n == DISCHARGED_THIS_YEAR - 1)
    return district
