"""
Demo records of section (五) for `manage.py seed_demo`.

The demo year is the reference year: the district's memorial facilities under the protection centre,
the 400万元 upgrade of the 革命纪念塔 and 纪念广场 (applying for 省级), the registry's fallen
recognised as martyrs (published on the online memorial, with a relic or story each), check-ups and
Qingming visits for their children (慰问金 through the ledger), the “致敬·<year>清明祭英烈” campaign with
its flowers and messages, the second 最美退役军人 / 最美军嫂 selection with 10 and 5 winners, and the
8th Martyrs' Day ceremony (2021) at the 区革命纪念公园.

`seed_this_year` adds this year's campaign with flowers and messages, some waiting for moderation,
this year's selection with each station's nomination awaiting review, an inspection each station
has submitted, and this year's Martyrs' Day ceremony once 30 September has passed.

Every record is written on its natural key (approved by the demo clerk), so a second run updates it.
"""

import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from bureau.demo.helpers import (
    DemoProgramme,
    approved_by_clerk,
    days_before,
    demo_random,
    programme_upsert,
    registry_people,
    registry_veterans,
    upsert,
    upsert_submitted,
)
from bureau.demo.writers import demo_townships
from bureau.models import CheckUp, CheckUpBatch, Occasion, PaymentProgramme, Person, PreferentialCategory, Visit
from commemoration.models import (
    Ceremony,
    FacilityInspection,
    HonourSelection,
    Martyr,
    MartyrRelic,
    MemorialCampaign,
    MemorialDailyVisits,
    MemorialFacility,
    Nominee,
    ProtectionLevel,
    Tribute,
    UpgradeProject,
)

AREA = "commemoration"
VISIT_PROGRAMME = DemoProgramme(
    "martyr-children-visit", "烈士子女走访慰问金", AREA, PaymentProgramme.Frequency.PER_OCCASION
)
STANDARD = Decimal("1000.00")  # 每户慰问标准
K = MemorialFacility.Kind
FACILITIES = [
    ("革命纪念塔", K.TOWER, ProtectionLevel.DISTRICT, "区革命纪念公园北侧", "28.682100", "115.857300"),
    ("纪念广场", K.SQUARE, ProtectionLevel.DISTRICT, "区革命纪念公园南侧", "28.681400", "115.856900"),
    ("区革命纪念公园", K.CEMETERY, ProtectionLevel.MUNICIPAL, "人民路88号", "28.681800", "115.857100"),
    ("抗洪烈士纪念碑", K.MONUMENT, ProtectionLevel.DISTRICT, "江堤公园内", "28.690200", "115.861500"),
    ("烈士零散墓（东山）", K.GRAVE, ProtectionLevel.UNRATED, "东山村后山", "28.702300", "115.880400"),
]
VETERANS, SPOUSES = 10, 5
MESSAGES = [
    "英雄不朽，浩气长存！",
    "缅怀先烈，不忘初心。",
    "致敬英雄，吾辈自强。",
    "山河无恙，英雄安息。",
    "铭记历史，砥砺前行。",
]
DEEDS = "在抢险救灾中奋不顾身，舍己救人，英勇牺牲，被评定为烈士。"


def seed(*, year: int, scale: str, stdout) -> None:
    """Write the commemoration records of the demo year (idempotent)."""
    people = registry_people(year=year, scale=scale)
    approved = approved_by_clerk()
    facilities = facilities_seed(approved=approved)
    upgrade_seed(year=year, facilities=facilities, approved=approved)
    martyrs = martyrs_seed(people=people, facility=facilities["区革命纪念公园"])
    children = children_seed(year=year, people=people, approved=approved)
    tributes = campaign_seed(year=year, martyrs=martyrs)
    winners = selection_seed(year=year, edition=2, people=people, approved=approved)
    ceremony_seed(day=datetime.date(year, 9, 30), facility=facilities["区革命纪念公园"], approved=approved)
    stdout.write(
        f"褒扬纪念演示数据已就绪：纪念设施 {len(facilities)} 处，烈士 {len(martyrs)} 名，"
        f"关爱烈士子女 {children} 名，清明网上祭扫献花寄语 {tributes} 条，“最美”评选当选 {winners} 人。"
    )


# -- 纪念设施与提升改造 ------------------------------------------------------------------------------


def facilities_seed(*, approved: dict) -> dict[str, MemorialFacility]:
    townships = demo_townships()
    facilities = {}
    for n, (name, kind, level, address, lat, lng) in enumerate(FACILITIES):
        facilities[name] = upsert(
            MemorialFacility,
            name=name,
            defaults={
                "kind": kind,
                "protection_level": level,
                "address": address,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
                "managing_unit": "区烈士纪念设施保护中心",
                "township": townships[n % len(townships)],
                **approved,
            },
        )
    return facilities


def upgrade_seed(*, year: int, facilities: dict, approved: dict) -> UpgradeProject:
    project = upsert(
        UpgradeProject,
        title="革命纪念塔及纪念广场提升改造工程",
        defaults={
            "planned_investment": Decimal("4000000.00"),
            "funding_source": "区财政专项资金及上级补助",
            "target_level": ProtectionLevel.PROVINCIAL,
            "planned_on": datetime.date(year, 4, 20),
            "status": UpgradeProject.Status.IN_PROGRESS,
            "milestones": f"{year}-04 立项\n{year}-07 完成设计方案\n{year}-10 开工建设",
            "township": None,
            **approved,
        },
    )
    project.facilities.set([facilities["革命纪念塔"], facilities["纪念广场"]])
    return project


# -- 烈士与烈士子女 --------------------------------------------------------------------------------


def registry_martyrs(people: list[Person]) -> list[Person]:
    return [p for p in people if p.status == Person.Status.DECEASED and "烈士" in p.notes]


def martyrs_seed(*, people: list[Person], facility: MemorialFacility) -> list[Martyr]:
    martyrs = []
    for n, person in enumerate(registry_martyrs(people)):
        died_on = person.died_on or datetime.date(2000, 7, 1)
        martyr = upsert(
            Martyr,
            person=person,
            defaults={
                "sacrificed_on": died_on,
                "sacrifice_place": ["长江大堤", "山区泥石流现场", "城区火灾现场"][n % 3],
                "unit": person.rank and f"某部{person.rank}" or "某部",
                "deeds": DEEDS,
                "recognised_on": died_on + datetime.timedelta(days=60),
                "recognition_document": f"民烈字〔{died_on.year}〕{n + 1}号",
                "resting_facility": facility,
                # Every family but the last consented to publication on the online memorial.
                "publication_consent": n % 4 != 3,
                "consent_note": "烈士家属书面同意公开。" if n % 4 != 3 else "家属未同意公开。",
            },
        )
        upsert(
            MartyrRelic,
            martyr=martyr,
            title="战友回忆录",
            defaults={
                "kind": MartyrRelic.Kind.STORY,
                "description": "战友讲述烈士生前事迹。",
                "collected_on": died_on + datetime.timedelta(days=365),
            },
        )
        martyrs.append(martyr)
    return martyrs


def martyr_children(people: list[Person], year: int) -> list[Person]:
    day = datetime.date(year, 4, 1)
    return [
        p
        for p in people
        if p.status != Person.Status.DECEASED
        and any(
            c.category == PreferentialCategory.MARTYR_CHILD
            and c.started_on <= day
            and (c.ended_on is None or c.ended_on >= day)
            for c in p.categories.all()
        )
    ]


def children_seed(*, year: int, people: list[Person], approved: dict) -> int:
    """The martyrs' children: a free check-up in May, a Qingming visit with the standard 慰问金 each."""
    children = sorted(martyr_children(people, year), key=lambda p: p.id_number)
    batch = upsert(
        CheckUpBatch,
        title=f"{year}年烈士子女免费健康体检",
        start_date=datetime.date(year, 5, 18),
        defaults={
            "institution": "区人民医院体检中心",
            "population": CheckUpBatch.Population.MARTYR_CHILDREN,
            "venue": "区人民医院体检中心",
            "headcount": len(children),
            **approved,
        },
    )
    programme = programme_upsert(VISIT_PROGRAMME)
    for n, child in enumerate(children):
        upsert(
            CheckUp,
            batch=batch,
            person=child,
            defaults={
                "checked_on": datetime.date(year, 5, 18),
                "result_summary": "各项指标正常。",
                "township": child.township,
                **approved,
            },
        )
        upsert(
            Visit,
            person=child,
            occasion=Occasion.QINGMING,
            visited_on=datetime.date(year, 4, 1) + datetime.timedelta(days=n % 3),
            defaults={
                "area": AREA,
                "visitor": "区退役军人事务局褒扬纪念科",
                "amount": STANDARD,
                "programme": programme,
                "township": child.township,
                "note": "清明前走访慰问烈士子女，送上慰问金。",
                **approved,
            },
        )
    return len(children)


# -- 网上祭扫 --------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def campaign_seed(*, year: int, martyrs: list[Martyr]) -> int:
    """The Qingming campaign: flowers and messages on the published martyrs' pages, the visits of its days."""
    starts, ends = datetime.date(year, 3, 25), datetime.date(year, 4, 10)
    upsert(
        MemorialCampaign,
        title=f"致敬·{year}清明祭英烈",
        defaults={
            "starts_on": starts,
            "ends_on": ends,
            "intro": "网上文明绿色祭扫倡议：以献花、寄语等方式缅怀革命先烈，传承和弘扬英烈精神。",
            "featured": True,
        },
    )
    rng = demo_random(AREA, year)
    published = [m for m in martyrs if m.publication_consent]
    count = 0
    for day_n in range((ends - starts).days + 1):
        day = starts + datetime.timedelta(days=day_n)
        upsert(MemorialDailyVisits, day=day, defaults={"visits": 80 + rng.randrange(0, 400)})
    for n in range(60 * len(published)):
        martyr = published[n % len(published)]
        day = starts + datetime.timedelta(days=n % ((ends - starts).days + 1))
        message = n % 6 == 0
        upsert(
            Tribute,
            client_key=f"demo-{year}-{n}",
            defaults={
                "martyr": martyr,
                "kind": Tribute.Kind.MESSAGE if message else Tribute.Kind.FLOWER,
                "message": MESSAGES[n % len(MESSAGES)] if message else "",
                "moderation": Tribute.Moderation.APPROVED,
                "created_at": at(day, 8 + n % 12),
            },
        )
        count += 1
    return count


# -- 选树典型 --------------------------------------------------------------------------------------


def selection_seed(*, year: int, edition: int, people: list[Person], approved: dict) -> int:
    alive = sorted((p for p in people if p.status != Person.Status.DECEASED), key=lambda p: p.id_number)
    veterans = [p for p in alive if p.is_veteran][:VETERANS]
    spouses = [p for p in alive if p.gender == Person.Gender.FEMALE and not p.is_veteran][:SPOUSES]
    winners = 0
    for title, persons, deeds in (
        ("最美退役军人", veterans, "退役不褪色，扎根基层带领群众致富。"),
        ("最美军嫂", spouses, "支持丈夫安心服役，孝老爱亲，操持家庭。"),
    ):
        selection = upsert(
            HonourSelection,
            title=title,
            edition=edition,
            defaults={"year": year, "announced_on": datetime.date(year, 7, 28)},
        )
        for rank, person in enumerate(persons, start=1):
            upsert(
                Nominee,
                selection=selection,
                person=person,
                defaults={
                    "deeds": deeds,
                    "result": Nominee.Result.WINNER,
                    "rank": rank,
                    "township": person.township,
                    **approved,
                },
            )
            winners += 1
    return winners


# -- 公祭 ------------------------------------------------------------------------------------------


def ceremony_seed(*, day: datetime.date, facility: MemorialFacility, approved: dict) -> Ceremony:
    ordinal = day.year - 2013
    return upsert(
        Ceremony,
        occasion=Ceremony.Occasion.MARTYRS_DAY,
        start_date=day,
        defaults={
            "title": f"第{ordinal}个烈士纪念日公祭活动",
            "facility": facility,
            "venue": facility.name,
            "headcount": 300 + (day.year % 5) * 20,
            "units": "区四套班子领导、区委各部门、区直各单位及其他代表",
            "township": None,
            **approved,
        },
    )


# -- 今年 ------------------------------------------------------------------------------------------


def seed_this_year(*, today: datetime.date, scale: str, stdout) -> None:
    """This year's campaign and tributes (messages awaiting moderation), nominations and inspections."""
    year = today.year
    approved = approved_by_clerk()
    published = list(Martyr.objects.published().order_by("pk"))
    campaign = upsert(
        MemorialCampaign,
        title=f"致敬·{year}清明祭英烈",
        defaults={
            "starts_on": min(datetime.date(year, 3, 25), today),
            "ends_on": min(datetime.date(year, 4, 10), today),
            "intro": "网上文明绿色祭扫倡议：以献花、寄语等方式缅怀革命先烈，传承和弘扬英烈精神。",
            "featured": True,
        },
    )
    MemorialCampaign.objects.filter(featured=True).exclude(pk=campaign.pk).update(featured=False)
    now = timezone.now()
    earliest = at(datetime.date(year, 1, 1), 0)
    waiting = 0
    for n in range(20 * len(published)):
        message = n % 5 == 0
        created = max(now - datetime.timedelta(hours=3 * n + 1), earliest)
        values = {
            "martyr": published[n % len(published)],
            "kind": Tribute.Kind.MESSAGE if message else Tribute.Kind.FLOWER,
            "message": MESSAGES[n % len(MESSAGES)] if message else "",
            "created_at": created,
        }
        tribute = Tribute.objects.filter(client_key=f"demo-this-year-{n}").first()
        if tribute is None:
            # New messages wait for moderation (every other one of them approved already).
            pending = message and n % 10 == 0
            moderation = Tribute.Moderation.PENDING if pending else Tribute.Moderation.APPROVED
            Tribute.objects.create(client_key=f"demo-this-year-{n}", moderation=moderation, **values)
        waiting += message and n % 10 == 0
    for n in range(7):
        day = days_before(today, n)
        upsert(MemorialDailyVisits, day=day, defaults={"visits": 20 + n * 7})
    people = registry_veterans(year=year)
    earlier = HonourSelection.objects.filter(title="最美退役军人").exclude(year=year).aggregate(n=Max("edition"))["n"]
    selection = upsert(HonourSelection, title="最美退役军人", edition=(earlier or 0) + 1, defaults={"year": year})
    facilities = list(MemorialFacility.objects.order_by("name"))
    for township in demo_townships():
        person = next((p for p in people if p.township_id == township.pk), None)
        if person is not None:
            upsert_submitted(
                Nominee,
                township=township,
                selection=selection,
                person=person,
                defaults={"deeds": "退役后积极参与乡村振兴和志愿服务。"},
            )
        facility = next((f for f in facilities if f.township_id == township.pk), None)
        if facility is not None:
            upsert_submitted(
                FacilityInspection,
                township=township,
                facility=facility,
                inspector=f"{township.name}退役军人服务站",
                defaults={"inspected_on": days_before(today, 3), "findings": "碑体周边杂草较多。"},
            )
    if today >= datetime.date(year, 9, 30) and facilities:
        park = MemorialFacility.objects.filter(name="区革命纪念公园").first() or facilities[0]
        ceremony_seed(day=datetime.date(year, 9, 30), facility=park, approved=approved)
    stdout.write(f"{year} 年网上纪念馆：寄语待审核 {waiting} 条；各服务站典型推荐和纪念设施巡查待审核。")
