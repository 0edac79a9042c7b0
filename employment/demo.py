"""
Demo records of section (一) for `manage.py seed_demo`: a startup park with tenants, two job fairs,
an adaptive training class, postings, role models and publicity events of the demo year.

Persons come from the demo registry the core has just written, picked deterministically
(ordered by ID number, shuffled by a generator seeded with the year). Every row is written
on its natural key (credit code, park name, fair title and date, …) so a second run updates
what the first wrote and adds nothing. Dates are (month, day) of the demo year unless said otherwise.

`seed_this_year` adds the current year up to today, so that a station has fairs to choose
from and the clerk has submissions to review: two fairs with their enterprises and
attendances, the jobs found through them, and from each township's station one attendance
and one employment outcome awaiting review. Its dates are days before today (never before
1 January), and its rows are keyed without them (a fair on its title, which names the year;
an outcome on person, channel and year), so a run on a later day updates them in place.
"""

import datetime
import random

from bureau.demo.helpers import (
    approved_by_clerk,
    days_before,
    demo_random,
    enterprise_upsert,
    registry_veterans,
    upsert,
    upsert_submitted,
)
from bureau.models import Enterprise, Person, Township
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

DISTRICT = "示范区"
MAX_AGE = 55  # working age: the veterans of the fairs, the park and the role models

PARK_NAME = f"{DISTRICT}退役军人创业园"
PARK = {
    "location": f"{DISTRICT}经济开发区东升工业园",
    "area_mu": "156.00",
    "planned_enterprises": 8,
    "jobs_planned": 500,
}
PARK_OPENED = (1, 10, 1)  # (years before the demo year, month, day)
# Enterprises are numbered for their credit codes: the founder's company is 1, the tenants 2 to 5, the fairs' from 10.
FOUNDER_COMPANY = (f"{DISTRICT}华宇科技有限公司", "高新技术")
# (name, sector, move-in date as (years before the demo year, month, day)): the four sectors of the reference.
PARK_TENANTS = [
    (f"{DISTRICT}华宇淀粉科技有限公司", "变性淀粉", (1, 11, 6)),
    (f"{DISTRICT}绿源农业科技有限公司", "环保农业科技", (0, 3, 18)),
    (f"{DISTRICT}恒信电子元件有限公司", "电子元件", (0, 5, 20)),
    (f"{DISTRICT}驰远汽车配件有限公司", "汽车配件", (0, 8, 8)),
]

# The fairs' 45 enterprises: every brand in every trade, (sector, name suffix).
BRANDS = [
    "宏达", "鑫源", "华兴", "金泰", "永盛", "天成", "东方", "瑞丰",
    "新辉", "长城", "博远", "嘉禾", "正阳", "安泰", "利民",
]  # fmt: skip
TRADES = [("机械制造", "机械"), ("现代物流", "物流"), ("新型建材", "建材")]
# (title, date, enterprises taking part, fields): 11 enterprises are at both.
JOB_FAIRS = [
    (
        "{year}年春季退役军人专场招聘会",
        (2, 28),
        slice(None, 28),
        {
            "venue": f"{DISTRICT}人力资源市场",
            "dedicated_to_veterans": True,
            "streamed_online": False,
            "unnamed_attendees": 36,
        },
    ),
    (
        "{year}年秋季退役军人专场招聘会",
        (9, 16),
        slice(17, None),
        {
            "venue": f"{DISTRICT}退役军人服务中心",
            "dedicated_to_veterans": True,
            "streamed_online": True,
            "online_views": 36800,
            "unnamed_attendees": 24,
        },
    ),
]
POSITIONS_AT_FAIR = (3, 16)  # range of the positions an enterprise offers at a fair
DAYS_TO_START = 30  # from the fair to the first day at work

# This year's fairs: (title, days before today, enterprises taking part, fields).
JOB_FAIRS_THIS_YEAR = [
    (
        "{year}年退役军人就业专场招聘会",
        75,
        slice(None, 24),
        {
            "venue": f"{DISTRICT}人力资源市场",
            "dedicated_to_veterans": True,
            "streamed_online": False,
            "unnamed_attendees": 18,
        },
    ),
    (
        "{year}年退役军人网络直播招聘会",
        12,
        slice(21, None),
        {
            "venue": f"{DISTRICT}退役军人服务中心",
            "dedicated_to_veterans": True,
            "streamed_online": True,
            "online_views": 12600,
            "unnamed_attendees": 9,
        },
    ),
]
ATTENDING_THIS_YEAR = 1 / 4  # of the working-age veterans, at each of this year's fairs
REFERRED_DAYS_AGO = 5  # the start of the referred jobs a station has just reported

TRAINING_CLASS = ("{year}年退役军人适应性培训班", (11, 8), (11, 10), f"{DISTRICT}委党校")
MIN_TRAINEES = 20

# Postings of the first fair enterprises, one a month from March.
POSTED_JOBS = ["操作工、质检员", "物流专员、驾驶员", "安保主管、保安员", "销售代表、仓库管理员"]
POSTING_CHANNELS = [f"{DISTRICT}融媒体中心公众号", f"{DISTRICT}发布抖音号"]
POSTINGS = 6
POSITIONS_POSTED = (5, 21)

ROLE_MODEL_STORIES = [
    "退役后返乡创业，发起创建退役军人创业园，带动一批退役军人创业就业。",
    "退役后自主创业，吸纳多名退役军人就业，积极参与拥军优属活动。",
]
# (kind, title, date, headcount)
PUBLICITY_EVENTS = [
    (PublicityEvent.Kind.PUBLICITY_MONTH, "{year}年退役军人创业典型宣传月", (7, 1), None),
    (PublicityEvent.Kind.STORY_TALK, "退役军人创业典型事迹宣讲会", (7, 10), 260),
    (PublicityEvent.Kind.EXPERIENCE_FORUM, "退役军人创业经验交流座谈会", (7, 22), 45),
]
PUBLICITY_VENUE = f"{DISTRICT}退役军人服务中心"


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the employment records of the demo year (idempotent)."""
    rng = demo_random("employment", year)
    townships = list(Township.objects.order_by("order"))
    approved = approved_by_clerk()
    veterans = registry_veterans(year=year)
    working_age = [p for p in veterans if p.birth_date and year - p.birth_date.year <= MAX_AGE]
    if not townships or not working_age:
        stdout.write("就业创业演示数据：演示人员中没有可用的退役军人，已跳过。")
        return

    founder = _founder(working_age, year)
    park, tenants = _park(year=year, founder=founder, approved=approved)
    fairs, fair_enterprises = _fairs(year=year, townships=townships, rng=rng, approved=approved)
    attendances, intentions = _attendance(fairs=fairs, people=working_age, rng=rng, approved=approved)
    trainees = _training(year=year, veterans=veterans, approved=approved)
    postings = _postings(year=year, enterprises=fair_enterprises, rng=rng, approved=approved)
    role_models = _publicity(year=year, founder=founder, people=working_age, approved=approved)

    stdout.write(
        f"就业创业演示数据已就绪：{park.name}入驻企业 {len(tenants)} 家，招聘会 {len(fairs)} 场"
        f"（参会企业 {len(fair_enterprises)} 家、参加人员 {attendances} 人次、就业意向 {intentions} 条），"
        f"适应性培训学员 {trainees} 名，招聘信息 {postings} 条，创业典型 {role_models} 名。"
    )


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """Write the employment records of today's year up to today (idempotent)."""
    year = today.year
    rng = demo_random("employment-this-year", year)
    townships = list(Township.objects.order_by("order"))
    approved = approved_by_clerk()
    working_age = [p for p in registry_veterans(year=year) if p.birth_date and year - p.birth_date.year <= MAX_AGE]
    if not townships or not working_age:
        stdout.write(f"就业创业 {year} 年演示数据：演示人员中没有可用的退役军人，已跳过。")
        return

    enterprises = _fair_enterprises(townships)
    fairs = _fairs_this_year(today=today, enterprises=enterprises, rng=rng, approved=approved)
    attendances, last_fair_attendees, hired = _attendance_this_year(
        today=today, fairs=fairs, people=working_age, rng=rng, approved=approved
    )
    submitted = _submitted_this_year(
        today=today,
        townships=townships,
        fair=fairs[-1],
        attendees=last_fair_attendees,
        people=working_age,
        hired=hired,
        enterprises=enterprises,
        rng=rng,
    )
    stdout.write(
        f"就业创业 {year} 年演示数据已就绪：招聘会 {len(fairs)} 场，参加人员 {attendances} 人次，"
        f"经招聘会就业 {len(hired)} 人；服务站报送、待审核 {submitted} 条。"
    )


def _founder(people: list[Person], year: int) -> Person:
    """A self-employed veteran in his forties or fifties, if the registry has one."""
    seasoned = [p for p in people if p.discharge_route == Person.DischargeRoute.SELF_EMPLOYED]
    seasoned = [p for p in seasoned if year - p.birth_date.year >= 35] or seasoned or people
    return seasoned[0]


def _park(*, year: int, founder: Person, approved: dict) -> tuple[StartupPark, list[Enterprise]]:
    name, sector = FOUNDER_COMPANY
    company = enterprise_upsert(
        1, name=name, sector=sector, township=founder.township, founder=founder, veteran_founded=True
    )
    years_before, month, day = PARK_OPENED
    park = upsert(
        StartupPark,
        name=PARK_NAME,
        defaults={
            **PARK,
            "founder": founder,
            "founder_title": f"省模范退役军人、{company.name}董事长",
            "opened_on": datetime.date(year - years_before, month, day),
            "township": founder.township,
            **approved,
        },
    )
    tenants = []
    for n, (name, sector, (years_before, month, day)) in enumerate(PARK_TENANTS, start=2):
        enterprise = enterprise_upsert(n, name=name, sector=sector, township=founder.township)
        moved_in = datetime.date(year - years_before, month, day)
        upsert(ParkTenancy, park=park, enterprise=enterprise, moved_in_on=moved_in)
        tenants.append(enterprise)
    return park, tenants


def _fair_enterprises(townships: list[Township]) -> list[Enterprise]:
    return [
        enterprise_upsert(
            10 + n, name=f"{DISTRICT}{brand}{suffix}有限公司", sector=sector, township=townships[n % len(townships)]
        )
        for n, (brand, (sector, suffix)) in enumerate((brand, trade) for trade in TRADES for brand in BRANDS)
    ]


def _fairs(*, year: int, townships: list[Township], rng: random.Random, approved: dict):
    enterprises = _fair_enterprises(townships)
    fairs = [
        upsert(JobFair, title=title.format(year=year), start_date=datetime.date(year, *day), defaults=fields | approved)
        for title, day, _, fields in JOB_FAIRS
    ]
    for fair, (_, _, taking_part, _) in zip(fairs, JOB_FAIRS, strict=True):
        for enterprise in enterprises[taking_part]:
            upsert(
                FairParticipation,
                fair=fair,
                enterprise=enterprise,
                defaults={"positions": rng.randrange(*POSITIONS_AT_FAIR)},
            )
    return fairs, enterprises


def _attendance(*, fairs: list[JobFair], people: list[Person], rng: random.Random, approved: dict):
    """About half the working-age veterans at each fair; a third of those reach an intention."""
    attendances = intentions = 0
    for fair in fairs:
        employers = [p.enterprise for p in fair.participations.select_related("enterprise").order_by("pk")]
        attending = rng.sample(people, k=max(1, len(people) // 2))
        for person in sorted(attending, key=lambda p: p.id_number):
            upsert(FairAttendance, fair=fair, person=person, defaults={"township": person.township, **approved})
            attendances += 1
            if rng.random() < 1 / 3:
                employer = rng.choice(employers)
                upsert(
                    EmploymentIntention,
                    person=person,
                    enterprise=employer,
                    agreed_on=fair.start_date,
                    defaults={"fair": fair},
                )
                upsert(
                    EmploymentOutcome,
                    person=person,
                    started_on=fair.start_date + datetime.timedelta(days=DAYS_TO_START),
                    channel=EmploymentOutcome.Channel.JOB_FAIR,
                    defaults={"enterprise": employer, "township": person.township, **approved},
                )
                intentions += 1
    return attendances, intentions


def _fairs_this_year(
    *, today: datetime.date, enterprises: list[Enterprise], rng: random.Random, approved: dict
) -> list[JobFair]:
    fairs = []
    for title, days, taking_part, fields in JOB_FAIRS_THIS_YEAR:
        # Keyed on the title, which names the year: the date is counted back from today and moves with it.
        fair = upsert(
            JobFair,
            title=title.format(year=today.year),
            defaults={"start_date": days_before(today, days), **fields, **approved},
        )
        for enterprise in enterprises[taking_part]:
            upsert(
                FairParticipation,
                fair=fair,
                enterprise=enterprise,
                defaults={"positions": rng.randrange(*POSITIONS_AT_FAIR)},
            )
        fairs.append(fair)
    return fairs


def _attendance_this_year(
    *, today: datetime.date, fairs: list[JobFair], people: list[Person], rng: random.Random, approved: dict
) -> tuple[int, set[Person], dict[Person, Enterprise]]:
    """
    A quarter of the working-age veterans at each fair, approved; a third of those agree with an employer
    and start a month later. Returns the attendances, the last fair's attendees and who was hired by whom.

    A job that would start after today is not written (yet), but the generator is drawn from
    the same way on any day, so that the same persons are picked whatever the date.
    """
    attendances = 0
    attendees: set[Person] = set()
    hired: dict[Person, Enterprise] = {}
    for fair in fairs:
        employers = [p.enterprise for p in fair.participations.select_related("enterprise").order_by("pk")]
        attendees = set(rng.sample(people, k=max(1, int(len(people) * ATTENDING_THIS_YEAR))))
        for person in sorted(attendees, key=lambda p: p.id_number):
            upsert(FairAttendance, fair=fair, person=person, defaults={"township": person.township, **approved})
            attendances += 1
            if rng.random() < 1 / 3 and person not in hired:
                employer = hired[person] = rng.choice(employers)
                upsert(
                    EmploymentIntention,
                    person=person,
                    enterprise=employer,
                    fair=fair,
                    defaults={"agreed_on": fair.start_date},
                )
                started_on = fair.start_date + datetime.timedelta(days=DAYS_TO_START)
                if started_on <= today:
                    # One job a year through a fair: keyed on the year, not on the date that moves with today.
                    upsert(
                        EmploymentOutcome,
                        person=person,
                        channel=EmploymentOutcome.Channel.JOB_FAIR,
                        started_on__year=today.year,
                        defaults={
                            "started_on": started_on,
                            "enterprise": employer,
                            "township": person.township,
                            **approved,
                        },
                    )
    return attendances, attendees, hired


def _submitted_this_year(
    *,
    today: datetime.date,
    townships: list[Township],
    fair: JobFair,
    attendees: set[Person],
    people: list[Person],
    hired: dict[Person, Enterprise],
    enterprises: list[Enterprise],
    rng: random.Random,
) -> int:
    """
    What each township's station has submitted and the clerk has yet to review: a veteran discharged
    this year who was at the latest fair but not on its list, and one the station found a job for.
    Returns how many (two per township when the township has veterans discharged this year).
    """
    submitted = 0
    for township in townships:
        discharged = [p for p in people if p.township_id == township.pk and p.discharged_on.year == today.year]
        if at_fair := [p for p in discharged if p not in attendees]:
            upsert_submitted(
                FairAttendance,
                township=township,
                fair=fair,
                person=rng.choice(at_fair),
                defaults={"township": township},
            )
            submitted += 1
        if job_found := [p for p in discharged if p not in hired]:
            upsert_submitted(
                EmploymentOutcome,
                township=township,
                person=rng.choice(job_found),
                channel=EmploymentOutcome.Channel.REFERRAL,
                started_on__year=today.year,
                defaults={
                    "started_on": days_before(today, REFERRED_DAYS_AGO),
                    "enterprise": rng.choice(enterprises),
                    "township": township,
                },
            )
            submitted += 1
    return submitted


def _training(*, year: int, veterans: list[Person], approved: dict) -> int:
    """A class for the veterans discharged in the year, topped up with those discharged most recently."""
    title, first_day, last_day, venue = TRAINING_CLASS
    start, end = datetime.date(year, *first_day), datetime.date(year, *last_day)
    training = upsert(
        TrainingClass,
        title=title.format(year=year),
        start_date=start,
        defaults={"end_date": end, "venue": venue, "topics": list(TrainingTopic.values), **approved},
    )
    recent = sorted(veterans, key=lambda p: (p.discharged_on, p.id_number), reverse=True)
    this_year = [p for p in recent if p.discharged_on.year == year]
    chosen = this_year if len(this_year) >= MIN_TRAINEES else recent[:MIN_TRAINEES]
    for person in chosen:
        upsert(Trainee, training_class=training, person=person, defaults={"days_attended": (end - start).days + 1})
    return len(chosen)


def _postings(*, year: int, enterprises: list[Enterprise], rng: random.Random, approved: dict) -> int:
    for n, enterprise in enumerate(enterprises[:POSTINGS]):
        upsert(
            JobPosting,
            enterprise=enterprise,
            published_on=datetime.date(year, 3 + n, 10),
            defaults={
                "positions": POSTED_JOBS[n % len(POSTED_JOBS)],
                "position_count": rng.randrange(*POSITIONS_POSTED),
                "channel": POSTING_CHANNELS[n % len(POSTING_CHANNELS)],
                "township": enterprise.township,
                **approved,
            },
        )
    return POSTINGS


def _publicity(*, year: int, founder: Person, people: list[Person], approved: dict) -> int:
    others = [p for p in people if p != founder and p.discharge_route == Person.DischargeRoute.SELF_EMPLOYED]
    chosen = [founder, *(others or [p for p in people if p != founder])[:1]]
    role_models = [
        upsert(RoleModel, person=person, year=year, defaults={"story": story, "township": person.township, **approved})
        for person, story in zip(chosen, ROLE_MODEL_STORIES, strict=False)
    ]
    for kind, title, day, headcount in PUBLICITY_EVENTS:
        event = upsert(
            PublicityEvent,
            title=title.format(year=year),
            start_date=datetime.date(year, *day),
            defaults={"kind": kind, "headcount": headcount, "venue": PUBLICITY_VENUE, **approved},
        )
        event.role_models.set(role_models)
    return len(role_models)
