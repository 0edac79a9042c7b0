"""
Demo records of section (三) beyond the regular payments: the Spring Festival visits (送温暖) by hardship
group and the problems collected on them, the Army Day visits to conscripts' families, the free check-ups
of the key beneficiaries, the oral history of the Korean War veterans, “三难” aid and the conscript family
benefits (one conscript serving in Tibet, one family's Xinjiang allowance of the year before paid back).

Every record is approved by the demo clerk and written on its natural key, so a second run updates it.
Money goes to the ledger as the portal pays it: where a model declares its ledger row
(`ledger_payment`, kept in step by `bureau.rules.payments.ledger` when the record is saved) the record's save writes
it; otherwise the demo writes the same row (same person, programme and period) with `payments_write`.

`seed_this_year` adds, up to today, routine visits without money and what each station has
submitted for review: one problem and one “三难” application (neither pays anything yet).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from bureau.demo.helpers import (
    DemoPayment,
    DemoProgramme,
    approved_by_clerk,
    days_before,
    demo_random,
    payments_write,
    registry_veterans,
    upsert,
    upsert_submitted,
)
from bureau.models import (
    CheckUp,
    CheckUpBatch,
    HardshipCategory,
    Merit,
    Occasion,
    PaymentProgramme,
    Person,
    PreferentialCategory,
    Township,
    Visit,
)
from bureau.models.people import KEY_BENEFICIARY_CATEGORIES
from pensions import programmes
from pensions.models import ConscriptBenefit, HardshipAid, OralHistoryExhibition, OralHistoryInterview, Problem, War
from pensions.standards import CONSCRIPT_FAMILY_ALLOWANCE

C = PreferentialCategory
Frequency = PaymentProgramme.Frequency
DISTRICT = "示范区"
AREA = "pensions"

WARMTH_AID = DemoProgramme(programmes.WARMTH_AID, "“送温暖”帮扶资金", AREA, Frequency.PER_OCCASION)
CONSCRIPT_VISIT = DemoProgramme(programmes.CONSCRIPT_VISIT, "义务兵走访慰问金", AREA, Frequency.PER_OCCASION)
HARDSHIP_AID = DemoProgramme(programmes.HARDSHIP_AID, "“三难”救助", AREA, Frequency.PER_OCCASION)
CONSCRIPT_FAMILY = DemoProgramme(programmes.CONSCRIPT_FAMILY, "义务兵家庭优待金", AREA, Frequency.ANNUAL)

# The Spring Festival groups: the category that puts a person in it (None: a veteran with a merit), the aid.
SPRING_GROUPS = [
    (HardshipCategory.HARDSHIP_VETERAN, C.HARDSHIP_VETERAN, Decimal("1000.00")),
    (HardshipCategory.ENTERPRISE_CADRE, C.ENTERPRISE_TRANSFERRED_CADRE, Decimal("800.00")),
    (HardshipCategory.STATE_ENTERPRISE_SOLDIER, C.STATE_ENTERPRISE_RETIRED_SOLDIER, Decimal("800.00")),
    (HardshipCategory.MERIT, None, Decimal("500.00")),
    (HardshipCategory.MILITARY_RETIREE, C.MILITARY_RETIREE, Decimal("500.00")),
    (HardshipCategory.HONOURED_HOSPITAL, C.HONOURED_HOSPITAL_RESIDENT, Decimal("1000.00")),
]
SPRING_VISITORS = ["局长带队走访组", "分管副局长走访组", "优抚科走访组"]
# (kind, description, resolution): what the Spring Festival visits heard, every third visit one.
PROBLEMS = [
    (Problem.Kind.HOUSING, "房屋老旧，雨季漏雨。", "协调住建部门纳入农村危房改造，已完成维修。"),
    (Problem.Kind.MEDICAL, "慢性病门诊用药报销比例低。", "协调医保部门办理门诊慢特病待遇。"),
    (Problem.Kind.LIVING, "冬季取暖费用负担重。", "发放临时救助并协调供暖补贴。"),
    (Problem.Kind.POLICY, "咨询优待证办理流程。", "服务站上门代办，优待证已发放。"),
]
PROBLEM_EVERY = 3
CONSCRIPT_VISIT_DAY = (8, 1)
CONSCRIPT_VISIT_AMOUNT = Decimal("1000.00")
SUPPLEMENT = {ConscriptBenefit.Region.TIBET: Decimal("5000.00"), ConscriptBenefit.Region.XINJIANG: Decimal("4000.00")}
ALLOWANCE_PAID_ON = (12, 10)

CHECKUP_BATCH = ("{year}年重点优抚对象免费体检", (5, 18), f"{DISTRICT}人民医院体检中心")
# Most come to the centre; every sixth is examined at home, and the next is driven there and back.
RESULTS = [
    "各项指标基本正常。",
    "血压偏高，建议低盐饮食、定期监测。",
    "血糖偏高，建议内分泌科复查。",
    "轻度骨质疏松，建议补钙。",
]
INTERVIEWERS = [f"{DISTRICT}融媒体中心", f"{DISTRICT}退役军人服务中心"]
EXHIBITIONS = [
    ("红色记忆进校园——抗美援朝老兵口述历史展陈宣讲", (6, 20), OralHistoryExhibition.Venue.SCHOOL, "区实验中学", 420),
    ("红色记忆进社区——抗美援朝老兵口述历史展陈宣讲", (9, 28), OralHistoryExhibition.Venue.COMMUNITY, "东城街道社区服务中心", 180),
]  # fmt: skip
AID_GRANTS = [  # (kind, applied on, granted)
    (HardshipAid.Kind.HOUSING, (3, 2), Decimal("8000.00")),
    (HardshipAid.Kind.MEDICAL, (5, 11), Decimal("5000.00")),
    (HardshipAid.Kind.LIVING, (9, 6), Decimal("3000.00")),
]
DAYS_TO_DECIDE = 14


def ledger_follows(model) -> bool:
    """Whether saving a record of `model` writes its ledger row (`bureau.rules.payments.ledger`)."""
    return bool(getattr(model, "ledger_payment", ""))


def pay(programme: DemoProgramme, model, payments: Iterable[DemoPayment]) -> None:
    """The ledger rows of records of `model`, unless their save has written them already."""
    payments = list(payments)
    if not ledger_follows(model):
        payments_write(programme, payments)


def seed(*, year: int, people: list[Person], stdout) -> None:
    approved = approved_by_clerk()
    merited = set(Merit.objects.filter(person__in=people).values_list("person", flat=True))
    visits, problems = spring_visits(year=year, people=people, merited=merited, approved=approved)
    families = conscript_families(people)
    conscript_visits(year=year, families=families, approved=approved)
    benefits = conscript_benefits(year=year, families=families, approved=approved)
    checked = checkups(year=year, people=people, approved=approved)
    filmed = oral_history(year=year, people=people, approved=approved)
    aid = hardship_aid(year=year, people=people, approved=approved)
    stdout.write(
        f"优待抚恤演示记录已就绪：春节走访慰问 {visits} 人（收集困难问题 {problems} 件，均已解决），"
        f"走访义务兵家庭 {len(families)} 户，义务兵家庭优待金 {benefits} 笔，体检 {checked} 人，"
        f"口述历史拍摄 {filmed} 人、展陈宣讲 {len(EXHIBITIONS)} 场，“三难”救助 {aid} 人。"
    )


def held_on(person: Person, day: datetime.date) -> set[str]:
    return {
        held.category
        for held in person.categories.all()
        if held.started_on <= day and (held.ended_on is None or held.ended_on >= day)
    }


# -- 送温暖 -----------------------------------------------------------------------------------------


def spring_visits(*, year: int, people: list[Person], merited: set[int], approved: dict) -> tuple[int, int]:
    """Each person in one group (the first that fits, in the reference's order), visited once before the festival."""
    on = datetime.date(year, 1, 15)
    groups: dict[int, tuple] = {}
    for person in people:
        held = held_on(person, on)
        for group, category, amount in SPRING_GROUPS:
            fits = category in held if category else (person.pk in merited and person.is_veteran)
            if fits:
                groups[person.pk] = (person, group, amount)
                break
    programme = programmes.programme(programmes.WARMTH_AID)
    visits, payments, problems = [], [], 0
    for n, (person, group, amount) in enumerate(groups.values()):
        visited_on = datetime.date(year, 1, 20) + datetime.timedelta(days=n % 20)
        visit = upsert(
            Visit,
            person=person,
            occasion=Occasion.SPRING_FESTIVAL,
            visited_on=visited_on,
            defaults={
                "area": AREA,
                "hardship_category": group,
                "visitor": SPRING_VISITORS[n % len(SPRING_VISITORS)],
                "amount": amount,
                "programme": programme,
                "township": person.township,
                "note": "春节走访慰问，送上慰问金和慰问品。",
                **approved,
            },
        )
        visits.append(visit)
        payments.append(DemoPayment(person, f"{visited_on:%Y-%m}", amount, visited_on))
        if n % PROBLEM_EVERY == 0:
            kind, description, resolution = PROBLEMS[(n // PROBLEM_EVERY) % len(PROBLEMS)]
            upsert(
                Problem,
                person=person,
                visit=visit,
                reported_on=visited_on,
                defaults={
                    "kind": kind,
                    "description": description,
                    "source": Problem.Source.VISIT,
                    "assignee": "区退役军人事务局优抚科",
                    "state": Problem.State.RESOLVED,
                    "resolution": resolution,
                    "resolved_on": visited_on + datetime.timedelta(days=20 + n % 30),
                    "township": person.township,
                    **approved,
                },
            )
            problems += 1
    pay(WARMTH_AID, Visit, payments)
    return len(visits), problems


# -- 义务兵 -----------------------------------------------------------------------------------------


def conscript_families(people: list[Person]) -> list[tuple[Person, int]]:
    """(the family member paid, the conscript's enlistment year) of each conscript family, by ID number."""
    families = []
    for person in sorted(people, key=lambda p: p.id_number):
        since = [held.started_on for held in person.categories.all() if held.category == C.CONSCRIPT_FAMILY]
        if since:
            families.append((person, min(since).year))
    return families


def conscript_visits(*, year: int, families: list[tuple[Person, int]], approved: dict) -> None:
    """The Army Day visit to each conscript's family, with the 义务兵走访慰问金."""
    visited_on = datetime.date(year, *CONSCRIPT_VISIT_DAY)
    programme = programmes.programme(programmes.CONSCRIPT_VISIT)
    for person, _ in families:
        upsert(
            Visit,
            person=person,
            occasion=Occasion.CONSCRIPT,
            visited_on=visited_on,
            defaults={
                "area": AREA,
                "visitor": "区人武部、区退役军人事务局联合走访组",
                "amount": CONSCRIPT_VISIT_AMOUNT,
                "programme": programme,
                "township": person.township,
                **approved,
            },
        )
    pay(
        CONSCRIPT_VISIT,
        Visit,
        [DemoPayment(person, f"{visited_on:%Y-%m}", CONSCRIPT_VISIT_AMOUNT, visited_on) for person, _ in families],
    )


def conscript_benefits(*, year: int, families: list[tuple[Person, int]], approved: dict) -> int:
    """
    Each family's allowance of the year; the first family's conscript serves in Tibet, and the first whose
    conscript enlisted the year before serves in Xinjiang and is paid that year's allowance back.
    """
    paid_on = datetime.date(year, *ALLOWANCE_PAID_ON)
    back_paid = next((person for person, enlisted in families if enlisted < year), None)
    rows = []
    for n, (person, enlisted) in enumerate(families):
        region = ConscriptBenefit.Region.INLAND
        if person == back_paid:
            region = ConscriptBenefit.Region.XINJIANG
        elif n == 0:
            region = ConscriptBenefit.Region.TIBET
        years = [(year, False)] + ([(year - 1, True)] if person == back_paid else [])
        for benefit_year, back_pay in years:
            benefit = upsert(
                ConscriptBenefit,
                family=person,
                benefit_year=benefit_year,
                defaults={
                    "conscript_name": f"{person.name[0]}义务兵",
                    "enlistment_year": enlisted,
                    "region": region,
                    "amount": CONSCRIPT_FAMILY_ALLOWANCE,
                    "supplement": SUPPLEMENT.get(region, Decimal("0")),
                    "back_pay": back_pay,
                    "paid_on": paid_on,
                    "township": person.township,
                    **approved,
                },
            )
            rows.append(DemoPayment(person, str(benefit_year), benefit.total, paid_on))
    pay(CONSCRIPT_FAMILY, ConscriptBenefit, rows)
    return len(rows)


# -- 体检 -------------------------------------------------------------------------------------------


def checkups(*, year: int, people: list[Person], approved: dict) -> int:
    title, day, institution = CHECKUP_BATCH
    checked_on = datetime.date(year, *day)
    batch = upsert(
        CheckUpBatch,
        title=title.format(year=year),
        start_date=checked_on,
        defaults={
            "institution": institution,
            "population": CheckUpBatch.Population.KEY_BENEFICIARIES,
            "venue": institution,
            **approved,
        },
    )
    key = set(KEY_BENEFICIARY_CATEGORIES)
    beneficiaries = sorted((p for p in people if held_on(p, checked_on) & key), key=lambda p: p.id_number)
    for n, person in enumerate(beneficiaries):
        mode = {0: CheckUp.Mode.HOME_VISIT, 1: CheckUp.Mode.TRANSPORTED}.get(n % 6, CheckUp.Mode.ON_SITE)
        upsert(
            CheckUp,
            batch=batch,
            person=person,
            defaults={
                "mode": mode,
                "checked_on": checked_on + datetime.timedelta(days=n % 5),
                "result_summary": RESULTS[n % len(RESULTS)],
                "township": person.township,
                **approved,
            },
        )
    batch.headcount = len(beneficiaries)
    batch.save()
    return len(beneficiaries)


# -- 口述历史 ---------------------------------------------------------------------------------------


def oral_history(*, year: int, people: list[Person], approved: dict) -> int:
    end = datetime.date(year, 12, 31)
    veterans = sorted(
        (p for p in people if C.KOREAN_WAR_VETERAN in held_on(p, end) and p.in_district_on(end)),
        key=lambda p: p.id_number,
    )
    for n, person in enumerate(veterans):
        upsert(
            OralHistoryInterview,
            person=person,
            war=War.KOREAN,
            interviewed_on=datetime.date(year, 4, 1) + datetime.timedelta(days=n % 60),
            defaults={
                "interviewer": INTERVIEWERS[n % len(INTERVIEWERS)],
                "duration_minutes": 40 + n % 30,
                "consent_recorded": True,
                "township": person.township,
                **approved,
            },
        )
    for title, day, venue_kind, venue, headcount in EXHIBITIONS:
        upsert(
            OralHistoryExhibition,
            title=title,
            start_date=datetime.date(year, *day),
            defaults={"venue_kind": venue_kind, "venue": venue, "headcount": headcount, **approved},
        )
    return len(veterans)


# -- “三难” -----------------------------------------------------------------------------------------


def hardship_aid(*, year: int, people: list[Person], approved: dict) -> int:
    """Aid granted to the hardship veterans (then to other beneficiaries), one application each."""
    on = datetime.date(year, 1, 1)
    hardship = [p for p in people if C.HARDSHIP_VETERAN in held_on(p, on)]
    others = [p for p in people if p.is_veteran and held_on(p, on) and p not in hardship]
    chosen = sorted(hardship, key=lambda p: p.id_number) + sorted(others, key=lambda p: p.id_number)
    rows = []
    for person, (kind, applied, granted) in zip(chosen, AID_GRANTS, strict=False):
        applied_on = datetime.date(year, *applied)
        decided_on = applied_on + datetime.timedelta(days=DAYS_TO_DECIDE)
        upsert(
            HardshipAid,
            person=person,
            kind=kind,
            applied_on=applied_on,
            defaults={
                "reason": f"{HardshipAid.Kind(kind).label}，申请救助。",
                "amount_requested": granted + Decimal("2000.00"),
                "decision": HardshipAid.Decision.GRANTED,
                "amount_granted": granted,
                "decided_on": decided_on,
                "township": person.township,
                **approved,
            },
        )
        rows.append(DemoPayment(person, f"{decided_on:%Y-%m}", granted, decided_on))
    pay(HARDSHIP_AID, HardshipAid, rows)
    return len(rows)


# -- this year, up to today -------------------------------------------------------------------------


def seed_this_year(*, today: datetime.date, stdout) -> None:
    """
    Routine visits of this year (no money), keyed on the year; and from each township's station, one
    problem reported and one “三难” application awaiting review, keyed on the person and the year.
    """
    year = today.year
    rng = demo_random("pensions-this-year", year)
    approved = approved_by_clerk()
    veterans = registry_veterans(year=year)
    townships = list(Township.objects.order_by("order"))
    if not veterans or not townships:
        stdout.write(f"优待抚恤 {year} 年演示数据：演示人员中没有可用的退役军人，已跳过。")
        return
    visited = rng.sample(veterans, k=min(len(veterans), max(3, len(veterans) // 10)))
    for n, person in enumerate(sorted(visited, key=lambda p: p.id_number)):
        upsert(
            Visit,
            person=person,
            occasion=Occasion.ROUTINE,
            visited_on__year=year,
            defaults={
                "area": AREA,
                "visited_on": days_before(today, 3 + n * 7 % 60),
                "visitor": "优抚科走访组",
                "township": person.township,
                "note": "日常走访，了解生活和身体状况。",
                **approved,
            },
        )
    submitted = 0
    for township in townships:
        residents = [p for p in veterans if p.township_id == township.pk]
        if not residents:
            continue
        person = rng.choice(residents)
        upsert_submitted(
            Problem,
            township=township,
            person=person,
            source=Problem.Source.PHONE,
            reported_on__year=year,
            defaults={
                "kind": Problem.Kind.LIVING,
                "description": "来电反映家庭生活困难，希望给予帮扶。",
                "reported_on": days_before(today, 2),
                "township": township,
            },
        )
        upsert_submitted(
            HardshipAid,
            township=township,
            person=rng.choice(residents),
            applied_on__year=year,
            defaults={
                "kind": HardshipAid.Kind.MEDICAL,
                "applied_on": days_before(today, 4),
                "reason": "住院治疗自付费用较高，申请医疗救助。",
                "amount_requested": Decimal("6000.00"),
                "township": township,
            },
        )
        submitted += 2
    stdout.write(f"优待抚恤 {year} 年演示数据已就绪：日常走访 {len(visited)} 人；服务站报送、待审核 {submitted} 条。")
