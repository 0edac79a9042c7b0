"""
Demo records of section (四) for `manage.py seed_demo`.

The demo year is the reference year: merit notices to 12 soldiers on 4 February and 38 in the year
(as many as the registry's active-duty soldiers allow at `--scale small`), two reception points at
the stations with their duty roster and the year's returning veterans registered with every step
done, the troops' requests of the reference, joint activities and two rounds of check-ups for
military families, the matchmaking event, the 94th Army Day gala with its 15 programmes, and the
alliance's 5th batch joining in July (four batches before it).

`seed_this_year` registers this year's returning veterans up to today, some with steps still open,
and one registration per township that its station has submitted; and one merit notice due in
each township (the station's 待办).

Every record is written on its natural key (approved by the demo clerk), so a second run updates it.
"""

import datetime
from decimal import Decimal

from bureau.demo.helpers import (
    approved_by_clerk,
    days_before,
    demo_random,
    enterprise_upsert,
    registry_people,
    registry_veterans,
    upsert,
    upsert_submitted,
)
from bureau.demo.writers import CLERK_USERNAME, demo_townships
from bureau.models import CheckUpBatch, FamilyLink, Merit, Person, User
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    DutyShift,
    GalaProgramme,
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    MeritNoticeBatch,
    ReceptionPoint,
    TroopRequest,
)

AREA = "support_army"
FIRST_BATCH, NOTICES = 12, 38  # the reference: 12 on 4 February, 38 in the year
LATER_BATCHES = [(4, 16), (6, 18), (9, 10), (11, 20)]
UNITS = ["陆军某部", "火箭军某旅", "武警某支队", "海军某舰艇部队", "空军某飞行团"]
POINTS = [("东站退役军人报到点", "高铁东站出站口"), ("火车站退役军人报到点", "火车站广场服务台")]
DUTY_STAFF = ["王红、李明", "张伟、陈静", "刘洋、赵敏", "孙强、周丽", "吴刚、郑芳"]
TROOP_REQUESTS = [
    (
        (3, 8),
        "驻区某部",
        "营区及战备通道树木影响军事设施安全，请求修剪。",
        "城管、供电",
        3,
        "派出技术人员赴现场查看，提出解决办法，并派出3支专业作业队伍加班加点修剪树木。",
        "派出3支专业作业队伍对驻地部队战备通道和营区内的树木进行修剪，成功排除安全隐患",
    ),
    (
        (5, 12),
        "驻区某部",
        "官兵晾晒衣物困难。",
        "住建",
        0,
        "主动为部队建设阳光晾衣篷。",
        "了解到驻区部队官兵晾衣服难问题，主动为其建设阳光晾衣篷",
    ),
    (
        (8, 2),
        "驻区某部",
        "大比武期间需要交通、供电、医疗等后勤保障。",
        "城管、交通、供电、卫健",
        0,
        "多级联机，协调相关部门投入大比武后勤保障，逐条逐项提供解决方案。",
        "为保障驻区部队大比武顺利进行，协调城管、交通、供电、卫健等相关部门投入后勤保障",
    ),
]
ACTIVITIES = [
    ("军地联合植树", JointActivity.Kind.TREE_PLANTING, (3, 12), 120, Decimal("8000")),
    ("捐赠鱼苗", JointActivity.Kind.DONATION, (4, 20), 40, Decimal("12000")),
    ("送书法进军营", JointActivity.Kind.CULTURE, (5, 28), 60, Decimal("3000")),
    ("端午军地大联欢", JointActivity.Kind.FESTIVAL, (6, 14), 200, Decimal("15000")),
    ("国庆军地大联欢", JointActivity.Kind.FESTIVAL, (9, 29), 260, Decimal("18000")),
]
PROGRAMMES = [
    ("映山红", "独唱"),
    ("军民同唱英雄赞", "合唱"),
    ("八一南昌起义", "情景剧"),
    ("过雪山草地", "舞蹈"),
    ("强军战歌", "合唱"),
    ("我的祖国", "独唱"),
    ("当兵的人", "男声小合唱"),
    ("红梅赞", "独唱"),
    ("军港之夜", "舞蹈"),
    ("打靶归来", "表演唱"),
    ("说句心里话", "独唱"),
    ("小白杨", "舞蹈"),
    ("军民鱼水情", "诗朗诵"),
    ("团结就是力量", "合唱"),
    ("没有共产党就没有新中国", "大合唱"),
]
# Alliance members per batch before the 5th; the 5th joins in July of the demo year.
EARLIER_BATCHES = [8, 7, 6, 5]
FIFTH_BATCH = 6
ENTERPRISE_BASE = 4000  # demo enterprise numbers of the alliance (employment's are below)
OFFERS = [
    ("餐饮", "现役军人家属、退役军人就餐享受八八折优惠。"),
    ("商超", "凭优待证购物享受九折优惠，设立军人优先结账通道。"),
    ("医疗", "军人家属、退役军人挂号费全免，体检享受八折优惠。"),
    ("汽车服务", "军人家庭车辆保养工时费五折。"),
    ("教育培训", "现役军人子女、退役军人参加培训学费减免20%。"),
    ("酒店", "现役军人及家属入住享受七折优惠，优先安排房间。"),
    ("通信", "退役军人办理宽带业务免初装费。"),
]


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the support-army records of the demo year (idempotent)."""
    people = registry_people(year=year, scale=scale)
    notices = notices_seed(year=year, people=people)
    registrations = homecoming_seed(year=year, people=people)
    requests_seed(year=year)
    activities_seed(year=year)
    events_seed(year=year)
    members = alliance_seed(year=year)
    stdout.write(
        f"双拥共建演示数据已就绪：{year} 年送喜报 {notices} 份，返乡报到 {registrations} 人，"
        f"爱心拥军团 {members} 家会员企业。"
    )


def clerk() -> User:
    return User.objects.get(username=CLERK_USERNAME)


# -- 立功送喜报 ------------------------------------------------------------------------------------


def recipient_of(soldier: Person) -> Person | None:
    """The relative linked to the soldier (the registry links the family member to the soldier)."""
    link = FamilyLink.objects.filter(relative=soldier).select_related("person").order_by("pk").first()
    if link is not None:
        return link.person
    link = FamilyLink.objects.filter(person=soldier).select_related("relative").order_by("pk").first()
    return link.relative if link is not None else None


def notices_seed(*, year: int, people: list[Person]) -> int:
    """Merits of the year before for the registry's active-duty soldiers and their notices, in batches."""
    rng = demo_random(AREA, year)
    soldiers = [p for p in people if p.status == Person.Status.ACTIVE_DUTY][:NOTICES]
    first_size = FIRST_BATCH if len(soldiers) >= NOTICES else max(1, len(soldiers) * FIRST_BATCH // NOTICES)
    approved = approved_by_clerk()
    first = upsert(
        MeritNoticeBatch,
        delivered_on=datetime.date(year, 2, 4),
        township=None,
        defaults={
            "delivered_by": "区退役军人事务局、区人武部",
            "station_staff": "各乡镇（街道）退役军人服务站站长",
            "armed_forces_staff": "区人武部政工科",
            **approved,
        },
    )
    later = [
        upsert(
            MeritNoticeBatch,
            delivered_on=datetime.date(year, month, day),
            township=None,
            defaults={"delivered_by": "区退役军人事务局", "armed_forces_staff": "区人武部政工科", **approved},
        )
        for month, day in LATER_BATCHES
    ]
    for n, soldier in enumerate(soldiers):
        unit = rng.choice(UNITS)
        merit = Merit.objects.filter(person=soldier, level=Merit.Level.THIRD_CLASS, year=year - 1).first()
        if merit is None:
            merit = Merit.objects.create(person=soldier, level=Merit.Level.THIRD_CLASS, year=year - 1, unit=unit)
        batch = first if n < first_size else later[(n - first_size) % len(later)]
        upsert(
            MeritNotice,
            merit=merit,
            defaults={
                "soldier": soldier,
                "township": soldier.township,
                "recipient": recipient_of(soldier),
                "unit": merit.unit or unit,
                "batch": batch,
                "delivered_on": batch.delivered_on,
                **approved,
            },
        )
    return len(soldiers)


# -- 喜迎退役军人回家 ------------------------------------------------------------------------------


def points_seed(*, year: int) -> list[ReceptionPoint]:
    """The two reception points of the discharge season (September) and their daily duty roster."""
    points = []
    for name, address in POINTS:
        point = upsert(
            ReceptionPoint,
            name=name,
            opens_on=datetime.date(year, 9, 1),
            defaults={
                "address": address,
                "closes_on": datetime.date(year, 9, 30),
                "township": None,
                **approved_by_clerk(),
            },
        )
        for day in range(30):
            upsert(
                DutyShift,
                point=point,
                date=datetime.date(year, 9, 1) + datetime.timedelta(days=day),
                defaults={"staff": DUTY_STAFF[day % len(DUTY_STAFF)]},
            )
        points.append(point)
    return points


def steps_done(registration: HomecomingRegistration, steps: list[HomecomingStep], *, on: datetime.date) -> None:
    for step in steps:
        HomecomingStepCompletion.objects.get_or_create(
            registration=registration, step=step, defaults={"done_on": on, "done_by": clerk()}
        )


def homecoming_seed(*, year: int, people: list[Person]) -> int:
    """The veterans discharged in the demo year's season, received at the points, every step done."""
    points = points_seed(year=year)
    steps = list(HomecomingStep.objects.filter(active=True))
    returning = [
        p for p in people if p.status == Person.Status.VETERAN and p.discharged_on and p.discharged_on.year == year
    ]
    for n, person in enumerate(returning):
        received = max(person.discharged_on, datetime.date(year, 9, 1)) + datetime.timedelta(days=2)
        registration = upsert(
            HomecomingRegistration,
            person=person,
            defaults={
                "point": points[n % len(points)],
                "received_on": received,
                "welcomed": True,
                "township": person.township,
                **approved_by_clerk(),
            },
        )
        steps_done(registration, steps, on=min(received + datetime.timedelta(days=20), datetime.date(year, 12, 31)))
    return len(returning)


# -- 服务驻区部队、共建活动、体检 --------------------------------------------------------------------


def requests_seed(*, year: int) -> None:
    for (month, day), unit, request, departments, teams, actions, summary in TROOP_REQUESTS:
        received = datetime.date(year, month, day)
        upsert(
            TroopRequest,
            summary=summary,
            received_on=received,
            defaults={
                "unit": unit,
                "request": request,
                "departments": departments,
                "teams_sent": teams,
                "actions": actions,
                "status": TroopRequest.Status.RESOLVED,
                "resolved_on": received + datetime.timedelta(days=15),
                "township": None,
                **approved_by_clerk(),
            },
        )


def activities_seed(*, year: int) -> None:
    for title, kind, (month, day), headcount, cost in ACTIVITIES:
        upsert(
            JointActivity,
            title=title,
            start_date=datetime.date(year, month, day),
            defaults={
                "kind": kind,
                "units": "驻区部队、区退役军人事务局",
                "headcount": headcount,
                "cost": cost,
                "township": None,
                **approved_by_clerk(),
            },
        )
    for n, (month, headcount, cost) in enumerate([(5, 186, Decimal("55800")), (10, 164, Decimal("49200"))], start=1):
        upsert(
            CheckUpBatch,
            title=f"{year}年第{n}批现役军人家属免费健康体检",
            population=CheckUpBatch.Population.MILITARY_FAMILIES,
            defaults={
                "start_date": datetime.date(year, month, 15),
                "institution": "区人民医院体检中心",
                "headcount": headcount,
                "cost": cost,
                "township": None,
                **approved_by_clerk(),
            },
        )


def events_seed(*, year: int) -> None:
    upsert(
        MatchmakingEvent,
        title=f"{year}年军地线上相亲联谊会",
        defaults={
            "start_date": datetime.date(year, 5, 20),
            "theme": "百里挑一、情定军旅",
            "partner_unit": "中国人民解放军某部队",
            "women": 36,
            "soldiers": 42,
            "duration_hours": Decimal("3"),
            "online_views": 126000,
            "couples": 11,
            "township": None,
            **approved_by_clerk(),
        },
    )
    anniversary = year - 1927
    gala = upsert(
        ArmyDayGala,
        anniversary=anniversary,
        defaults={
            "title": f"庆祝建军{anniversary}周年文艺晚会",
            "start_date": datetime.date(year, 7, 30),
            "venue": "区文化艺术中心",
            "headcount": 1200,
            "online_views": 85000,
            "township": None,
            **approved_by_clerk(),
        },
    )
    for order, (title, kind) in enumerate(PROGRAMMES, start=1):
        upsert(GalaProgramme, gala=gala, order=order, defaults={"title": title, "kind": kind})


# -- 爱心拥军团 ------------------------------------------------------------------------------------


def alliance_seed(*, year: int) -> int:
    """Four earlier batches (one member has left), and the 5th joining in July of the demo year."""
    townships = demo_townships()
    sizes = [*EARLIER_BATCHES, FIFTH_BATCH]
    n = 0
    for batch, size in enumerate(sizes, start=1):
        joined = datetime.date(year - len(sizes) + batch, 7, 8 + batch)
        for _ in range(size):
            n += 1
            sector, offer = OFFERS[n % len(OFFERS)]
            enterprise = enterprise_upsert(
                ENTERPRISE_BASE + n,
                name=f"示范区爱心{sector}企业{n}号有限公司",
                sector=sector,
                township=townships[n % len(townships)],
            )
            left = batch == 1 and n == 1
            upsert(
                AllianceMember,
                enterprise=enterprise,
                defaults={
                    "batch_number": batch,
                    "joined_on": joined,
                    "offer": offer,
                    "address": f"{townships[n % len(townships)].name}人民路{n}号",
                    "service_phone": f"0512-8{n:07d}",
                    "status": AllianceMember.Status.LEFT if left else AllianceMember.Status.ACTIVE,
                    "left_on": datetime.date(year - 1, 12, 31) if left else None,
                },
            )
    return n


# -- this year ------------------------------------------------------------------------------------


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """This year's returning veterans up to today, some with steps still open; one a township submitted."""
    steps = list(HomecomingStep.objects.filter(active=True))
    returning = [p for p in registry_veterans(year=today.year) if p.discharged_on.year == today.year]
    by_township = {}
    open_count = 0
    for n, person in enumerate(returning):
        received = min(max(person.discharged_on + datetime.timedelta(days=2), datetime.date(today.year, 1, 1)), today)
        if person.township_id not in by_township:
            # The first of each township: its station has just registered him, awaiting review.
            by_township[person.township_id] = upsert_submitted(
                HomecomingRegistration,
                township=person.township,
                person=person,
                defaults={"received_on": received, "welcomed": True},
            )
            registration = by_township[person.township_id]
        else:
            registration = upsert(
                HomecomingRegistration,
                person=person,
                defaults={
                    "received_on": received,
                    "welcomed": True,
                    "township": person.township,
                    **approved_by_clerk(),
                },
            )
        # Steps done in order; every other veteran still has the last two open.
        done = steps if n % 2 else steps[:-2]
        steps_done(registration, done, on=max(received, days_before(today, 1)))
        open_count += len(steps) - len(done)
    notices = notices_this_year(today=today)
    stdout.write(f"{today.year} 年返乡报到：{len(returning)} 人，待办事项 {open_count} 项；待送达的喜报 {notices} 份。")


def notices_this_year(*, today: datetime.date) -> int:
    """
    One merit notice due in each township (its station's 待办): a soldier of the township with a
    family registered, a third-class merit of last year (late: due by 31 March) in every other
    township, of this year in the others; not delivered. Written on the merit, so a second run
    keeps it as it is (delivered in between, it stays delivered).
    """
    written = 0
    for n, township in enumerate(demo_townships()):
        soldiers = Person.objects.approved().filter(township=township, status=Person.Status.ACTIVE_DUTY)
        soldier = next((p for p in soldiers.order_by("id_number") if recipient_of(p) is not None), None)
        if soldier is None:
            continue
        year = today.year - 1 if n % 2 == 0 else today.year
        merit, _ = Merit.objects.get_or_create(
            person=soldier, level=Merit.Level.THIRD_CLASS, year=year, defaults={"unit": UNITS[n % len(UNITS)]}
        )
        if not MeritNotice.objects.filter(merit=merit).exists():
            MeritNotice.objects.create(
                merit=merit,
                soldier=soldier,
                township=township,
                recipient=recipient_of(soldier),
                unit=merit.unit,
                **approved_by_clerk(),
            )
        written += 1
    return written
