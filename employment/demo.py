"""
Demo records of section (一) for `manage.py seed_demo`: a startup park with tenants, two job fairs,
an adaptive training class, postings, role models and publicity events of the demo year.

Persons come from the demo registry the core has just written, picked deterministically
(ordered by ID number, shuffled by a generator seeded with the year). Every row is written
on its natural key (credit code, park name, fair title and date, …) so a second run updates
what the first wrote and adds nothing.
"""

import datetime
import random

from django.utils import timezone
from stdnum.cn import uscc

from bureau.models import Enterprise, Person, ReviewStatus, Township, User
from employment.models import (
    EmploymentIntention,
    EmploymentOutcome,
    FairAttendance,
    FairParticipation,
    JobFair,
    JobPosting,
    ParkTenancy,
    PublicityEvent,
    RoleModel,
    StartupPark,
    Trainee,
    TrainingClass,
    TrainingTopic,
)

# Province 32, county 99xx: like the demo ID numbers, no real registration authority is named.
CREDIT_CODE_PREFIX = "91329900MA"
DISTRICT = "示范区"
PARK_NAME = f"{DISTRICT}退役军人创业园"
FOUNDER_COMPANY = (f"{DISTRICT}华宇科技有限公司", "高新技术")
# (name, sector, move-in date as (years before the demo year, month, day)): the four sectors of the reference.
PARK_TENANTS = [
    (f"{DISTRICT}华宇淀粉科技有限公司", "变性淀粉", (1, 11, 6)),
    (f"{DISTRICT}绿源农业科技有限公司", "环保农业科技", (0, 3, 18)),
    (f"{DISTRICT}恒信电子元件有限公司", "电子元件", (0, 5, 20)),
    (f"{DISTRICT}驰远汽车配件有限公司", "汽车配件", (0, 8, 8)),
]
BRANDS = [
    "宏达",
    "鑫源",
    "华兴",
    "金泰",
    "永盛",
    "天成",
    "东方",
    "瑞丰",
    "新辉",
    "长城",
    "博远",
    "嘉禾",
    "正阳",
    "安泰",
    "利民",
]
TRADES = [("机械制造", "机械"), ("现代物流", "物流"), ("新型建材", "建材")]
CHANNELS = [f"{DISTRICT}融媒体中心公众号", f"{DISTRICT}发布抖音号"]
MIN_TRAINEES = 20
ROLE_MODEL_STORIES = [
    "退役后返乡创业，发起创建退役军人创业园，带动一批退役军人创业就业。",
    "退役后自主创业，吸纳多名退役军人就业，积极参与拥军优属活动。",
]


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the employment records of the demo year (idempotent)."""
    rng = random.Random(f"employment-{year}")
    townships = list(Township.objects.order_by("order"))
    clerk = User.objects.filter(username="clerk").first()
    approved = {"review_status": ReviewStatus.APPROVED, "reviewed_by": clerk, "reviewed_at": timezone.now()}
    veterans = list(
        Person.objects.approved()
        .veterans()
        .filter(discharged_on__lte=datetime.date(year, 12, 31))
        .select_related("township")
        .order_by("id_number")
    )
    working_age = [p for p in veterans if p.birth_date and year - p.birth_date.year <= 55]
    if not townships or not working_age:
        stdout.write("就业创业演示数据：演示人员中没有可用的退役军人，已跳过。")
        return

    founder = _founder(working_age, year)
    park, tenants = _park(year=year, founder=founder, townships=townships, approved=approved)
    fairs, fair_enterprises = _fairs(year=year, townships=townships, rng=rng, approved=approved)
    attendances, intentions = _attendance(year=year, fairs=fairs, people=working_age, rng=rng, approved=approved)
    trainees = _training(year=year, veterans=veterans, approved=approved)
    postings = _postings(year=year, enterprises=fair_enterprises, rng=rng, approved=approved)
    role_models = _publicity(year=year, founder=founder, people=working_age, approved=approved)

    stdout.write(
        f"就业创业演示数据已就绪：{park.name}入驻企业 {len(tenants)} 家，招聘会 {len(fairs)} 场"
        f"（参会企业 {len(fair_enterprises)} 家、参加人员 {attendances} 人次、就业意向 {intentions} 条），"
        f"适应性培训学员 {trainees} 名，招聘信息 {postings} 条，创业典型 {role_models} 名。"
    )


def credit_code(n: int) -> str:
    body = f"{CREDIT_CODE_PREFIX}{n:07d}"
    return body + uscc.calc_check_digit(body)


def _enterprise(n: int, name: str, sector: str, township: Township, **extra) -> Enterprise:
    enterprise, _ = Enterprise.objects.update_or_create(
        credit_code=credit_code(n), defaults={"name": name, "sector": sector, "township": township, **extra}
    )
    return enterprise


def _founder(people: list[Person], year: int) -> Person:
    """A self-employed veteran in his forties or fifties, if the registry has one."""
    seasoned = [p for p in people if p.discharge_route == Person.DischargeRoute.SELF_EMPLOYED]
    seasoned = [p for p in seasoned if year - p.birth_date.year >= 35] or seasoned or people
    return seasoned[0]


def _park(*, year: int, founder: Person, townships: list[Township], approved: dict):
    company_name, company_sector = FOUNDER_COMPANY
    company = _enterprise(1, company_name, company_sector, founder.township, founder=founder, veteran_founded=True)
    park, _ = StartupPark.objects.update_or_create(
        name=PARK_NAME,
        defaults={
            "founder": founder,
            "founder_title": f"省模范退役军人、{company.name}董事长",
            "location": f"{DISTRICT}经济开发区东升工业园",
            "area_mu": "156.00",
            "planned_enterprises": 8,
            "jobs_planned": 500,
            "opened_on": datetime.date(year - 1, 10, 1),
            "township": founder.township,
            **approved,
        },
    )
    tenants = []
    for n, (name, sector, (years_before, month, day)) in enumerate(PARK_TENANTS, start=2):
        enterprise = _enterprise(n, name, sector, founder.township)
        moved_in = datetime.date(year - years_before, month, day)
        ParkTenancy.objects.update_or_create(park=park, enterprise=enterprise, moved_in_on=moved_in)
        tenants.append(enterprise)
    return park, tenants


def _fairs(*, year: int, townships: list[Township], rng: random.Random, approved: dict):
    """Two veterans-only fairs; 45 enterprises between them, 11 of them at both."""
    enterprises = [
        _enterprise(10 + n, f"{DISTRICT}{brand}{trade}有限公司", sector, townships[n % len(townships)])
        for n, (brand, (sector, trade)) in enumerate((b, t) for t in TRADES for b in BRANDS)
    ]
    spring, _ = JobFair.objects.update_or_create(
        title=f"{year}年春季退役军人专场招聘会",
        start_date=datetime.date(year, 2, 28),
        defaults={
            "venue": f"{DISTRICT}人力资源市场",
            "dedicated_to_veterans": True,
            "streamed_online": False,
            "unnamed_attendees": 36,
            **approved,
        },
    )
    autumn, _ = JobFair.objects.update_or_create(
        title=f"{year}年秋季退役军人专场招聘会",
        start_date=datetime.date(year, 9, 16),
        defaults={
            "venue": f"{DISTRICT}退役军人服务中心",
            "dedicated_to_veterans": True,
            "streamed_online": True,
            "online_views": 36800,
            "unnamed_attendees": 24,
            **approved,
        },
    )
    for fair, taking_part in [(spring, enterprises[:28]), (autumn, enterprises[17:])]:
        for enterprise in taking_part:
            FairParticipation.objects.update_or_create(
                fair=fair, enterprise=enterprise, defaults={"positions": rng.randrange(3, 16)}
            )
    return [spring, autumn], enterprises


def _attendance(*, year: int, fairs: list[JobFair], people: list[Person], rng: random.Random, approved: dict):
    """About half the working-age veterans at each fair; a third of those reach an intention."""
    attendances = intentions = 0
    for fair in fairs:
        employers = [p.enterprise for p in fair.participations.select_related("enterprise").order_by("pk")]
        attending = rng.sample(people, k=max(1, len(people) // 2))
        for person in sorted(attending, key=lambda p: p.id_number):
            FairAttendance.objects.update_or_create(
                fair=fair, person=person, defaults={"township": person.township, **approved}
            )
            attendances += 1
            if rng.random() < 1 / 3:
                employer = rng.choice(employers)
                EmploymentIntention.objects.update_or_create(
                    person=person, enterprise=employer, agreed_on=fair.start_date, defaults={"fair": fair}
                )
                EmploymentOutcome.objects.update_or_create(
                    person=person,
                    started_on=fair.start_date + datetime.timedelta(days=30),
                    channel=EmploymentOutcome.Channel.JOB_FAIR,
                    defaults={"enterprise": employer, "township": person.township, **approved},
                )
                intentions += 1
    return attendances, intentions


def _training(*, year: int, veterans: list[Person], approved: dict) -> int:
    """A 3-day class for the veterans discharged in the year, topped up with those discharged most recently."""
    training, _ = TrainingClass.objects.update_or_create(
        title=f"{year}年退役军人适应性培训班",
        start_date=datetime.date(year, 11, 8),
        defaults={
            "end_date": datetime.date(year, 11, 10),
            "venue": f"{DISTRICT}委党校",
            "topics": list(TrainingTopic.values),
            **approved,
        },
    )
    recent = sorted(veterans, key=lambda p: (p.discharged_on, p.id_number), reverse=True)
    this_year = [p for p in recent if p.discharged_on.year == year]
    chosen = this_year if len(this_year) >= MIN_TRAINEES else recent[:MIN_TRAINEES]
    for person in chosen:
        Trainee.objects.update_or_create(training_class=training, person=person, defaults={"days_attended": 3})
    return len(chosen)


def _postings(*, year: int, enterprises: list[Enterprise], rng: random.Random, approved: dict) -> int:
    jobs = ["操作工、质检员", "物流专员、驾驶员", "安保主管、保安员", "销售代表、仓库管理员"]
    for n, enterprise in enumerate(enterprises[:6]):
        JobPosting.objects.update_or_create(
            enterprise=enterprise,
            published_on=datetime.date(year, 3 + n, 10),
            defaults={
                "positions": jobs[n % len(jobs)],
                "position_count": rng.randrange(5, 21),
                "channel": CHANNELS[n % len(CHANNELS)],
                "township": enterprise.township,
                **approved,
            },
        )
    return 6


def _publicity(*, year: int, founder: Person, people: list[Person], approved: dict) -> int:
    others = [p for p in people if p != founder and p.discharge_route == Person.DischargeRoute.SELF_EMPLOYED]
    chosen = [founder, *(others or [p for p in people if p != founder])[:1]]
    role_models = [
        RoleModel.objects.update_or_create(
            person=person, year=year, defaults={"story": story, "township": person.township, **approved}
        )[0]
        for person, story in zip(chosen, ROLE_MODEL_STORIES, strict=False)
    ]
    for kind, title, day, headcount in [
        (PublicityEvent.Kind.PUBLICITY_MONTH, f"{year}年退役军人创业典型宣传月", datetime.date(year, 7, 1), None),
        (PublicityEvent.Kind.STORY_TALK, "退役军人创业典型事迹宣讲会", datetime.date(year, 7, 10), 260),
        (PublicityEvent.Kind.EXPERIENCE_FORUM, "退役军人创业经验交流座谈会", datetime.date(year, 7, 22), 45),
    ]:
        event, _ = PublicityEvent.objects.update_or_create(
            title=title,
            start_date=day,
            defaults={"kind": kind, "headcount": headcount, "venue": f"{DISTRICT}退役军人服务中心", **approved},
        )
        event.role_models.set(role_models)
    return len(role_models)
