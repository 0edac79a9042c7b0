"""
Items 一 (立功送喜报常态化) and 二 (喜迎退役军人回家) of section (四): the township's facts. A
notice's township is its soldier's, a registration's its veteran's; the sentences name the place
(`{{ place }}`: 全区 or the township), never a hard-coded 全区 beside a township's figure.
"""

import re
from collections import Counter, defaultdict

from django.db.models import Count, Q

from bureau.base.masking import mask_id_number
from bureau.models import Person, ReviewStatus
from bureau.reporting import DETAIL_ROWS_CHUNK, DeferredRows, Figure, Item, month_day, period, recorded
from support_army.models import (
    HomecomingRegistration,
    HomecomingStep,
    HomecomingStepCompletion,
    MeritNotice,
    ReceptionPoint,
)

# Each phrase said once (no run of 6 characters twice in the item): the first batch is of 本区籍现役军人,
# the later deliveries go to 立功官兵家庭, the total names the place and the levels (二等功 before 三等功).
NOTICES_SENTENCE = (
    "与区人武部、乡镇退役军人服务站保持三级联动，高标准进行送喜报活动，"
    "{{ first_batch_date }}，为{{ first_batch_merits }}的{{ first_batch_size }}位本区籍现役军人集中送喜报，"
    "{% if in_township %}在{{ place }}{% else %}在全区上下{% endif %}营造了“一人立功，全家光荣”的浓厚氛围，"
    "此后定期和不定期地为立功官兵家庭送喜报，"
    "截至目前，共为{{ place }}{{ notices }}位立功现役军人送上喜报，{{ levels_breakdown }}。"
)
HOMECOMING_SENTENCE = (
    "在一年一度的退伍季，我局用心用情用力为退役军人回家保驾护航，做好值班表，"
    "{% if reception_points %}在{{ point_places|join:'、' }}设立{{ reception_points|count_word }}个退役军人报到点，{% endif %}"
    "{% if welcomed == received %}为{{ place }}接到的{{ received }}位退役军人举行简单而热烈的欢迎仪式。"
    "{% else %}{{ place }}共接到{{ received }}位退役军人{% if welcomed %}，为其中{{ welcomed }}位举行简单而热烈的欢迎仪式{% endif %}。"
    "{% endif %}"
    "同时制定返乡报到流程，囊括了{{ steps|join:'、' }}等各个环节，"
    "{% if not checklist_open %}{{ checklist_total }}项报到事项已全部办结"
    "{% elif checklist_done %}已办结{{ checklist_done }}项（共{{ checklist_total }}项）"
    "{% else %}{{ checklist_total }}项报到事项正在办理{% endif %}。"
)


# -- 一 立功送喜报常态化 --------------------------------------------------------------------------


def delivered_notices(*, year: int, township=None):
    return (
        MeritNotice.objects.approved()
        .in_township(township)
        .filter(delivered_on__year=year)
        .filter(Q(batch__isnull=True) | Q(batch__review_status=ReviewStatus.APPROVED))
    )


def notices_item(*, year: int, township=None) -> Item:
    delivered = delivered_notices(year=year, township=township)
    notices = list(
        delivered.select_related("soldier__township", "merit", "recipient", "batch").order_by("delivered_on", "pk")
    )
    # A delivery is a batch; notices the bureau recorded as delivered without one go by their date.
    by_batch = defaultdict(list)
    for notice in notices:
        by_batch[("batch", notice.batch_id) if notice.batch_id else ("day", notice.delivered_on)].append(notice)
    first = min(by_batch.values(), key=lambda group: (group[0].delivered_on, group[0].batch_id or 0), default=[])
    # Soldiers, not notices: a soldier with two merits delivered together is one 位.
    levels = Counter({level: len(soldiers) for level, soldiers in _soldiers_by_level(notices).items()})
    level_names = {n.merit.level: n.merit.get_level_display() for n in notices}
    # Merit levels from the highest (荣誉称号, 一等功 …) to the lowest: 二等功 before 三等功.
    in_order = sorted(levels)
    first_years = sorted({n.merit.year for n in first})
    first_merits = (
        "、".join(f"{y}年度" for y in first_years)
        + "荣立"
        + "、".join(level_names[lv] for lv in sorted({n.merit.level for n in first}))
    )
    # “三等功以上” unless every notice is of one level: the lowest level delivered reads “…以上”.
    lowest = in_order[-1] if in_order else None
    levels_text = ""
    if lowest is not None:
        levels_text = level_names[lowest] if len(levels) == 1 else f"{level_names[lowest]}以上"
    by_level = [f"{level_names[lv]}{levels[lv]}位" for lv in in_order]
    breakdown = f"均为{level_names[lowest]}" if len(levels) == 1 else "其中" + "、".join(by_level) if levels else ""
    soldiers = Person.objects.filter(pk__in=delivered.values("soldier")).order_by("pk")
    first_soldiers = Person.objects.filter(pk__in=[n.soldier_id for n in first]).order_by("pk")
    return Item(
        key="support_army.merit_notices",
        title="立功送喜报常态化",
        default_sentence=NOTICES_SENTENCE,
        figures=recorded(
            [
                Figure("first_batch_date", "首批送喜报日期", month_day(first[0].delivered_on) if first else ""),
                Figure(
                    "first_batch_size",
                    "首批送喜报",
                    len({n.soldier_id for n in first}) if first else None,
                    "位",
                    records=first_soldiers,
                ),
                Figure("first_batch_merits", "首批立功情况", first_merits if first else ""),
                Figure(
                    "notices", "送喜报总数", len({n.soldier_id for n in notices}), "位", records=soldiers, headline=True
                ),
                Figure("levels_text", "立功等级", levels_text),
                Figure("by_level", "按立功等级", by_level),
                Figure("levels_breakdown", "立功等级构成", breakdown),
            ],
            when=bool(notices),
        ),
        required=("first_batch_date", "first_batch_size", "notices"),
        detail_headers=[
            "送达日期",
            "现役军人",
            "身份证号",
            "乡镇（街道）",
            "立功年度",
            "立功等级",
            "所在部队",
            "接收家属",
        ],
        detail_rows=DeferredRows(
            lambda: [
                [
                    n.delivered_on,
                    n.soldier.name,
                    mask_id_number(n.soldier.id_number),
                    n.soldier.township.name if n.soldier.township_id else "",
                    n.merit.year,
                    n.merit.get_level_display(),
                    n.unit,
                    n.recipient.name if n.recipient_id else "",
                ]
                for n in notices
            ]
        ),
    )


def _soldiers_by_level(notices) -> dict[int, set[int]]:
    soldiers = defaultdict(set)
    for notice in notices:
        soldiers[notice.merit.level].add(notice.soldier_id)
    return soldiers


# -- 二 喜迎退役军人回家 --------------------------------------------------------------------------

# “东站退役军人报到点” is set up at 东站: the sentence says 在东站、火车站设立两个退役军人报到点.
POINT_SUFFIX = re.compile(r"(退役军人)?(返乡)?(报到|接待|服务|接站)(点|站|处)$")


def point_place(point: ReceptionPoint) -> str:
    """Where a reception point stands, as the sentence names it: its name without “…报到点”, else its address."""
    short = POINT_SUFFIX.sub("", point.name.strip()).strip()
    if not short or "报到" in short or "退役军人" in short:
        short = point.address.strip() or point.name.strip()
    return short


def homecoming_item(*, year: int, township=None) -> Item:
    start, end = period(year)
    points_qs = (
        ReceptionPoint.objects.approved()
        .in_township(township)
        .filter(opens_on__lte=end)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=start))
        .order_by("opens_on", "pk")
    )
    points = list(points_qs)
    registered = HomecomingRegistration.objects.approved().in_township(township).filter(received_on__year=year)
    counts = registered.aggregate(received=Count("pk"), welcomed=Count("pk", filter=Q(welcomed=True)))
    steps = list(HomecomingStep.objects.filter(active=True))
    # The active steps each registration has done, a step done twice counted once.
    completions = HomecomingStepCompletion.objects.filter(registration__in=registered, step__active=True)
    checklist_done = completions.values("registration", "step").order_by().distinct().count()
    checklist_total = len(steps) * counts["received"]
    # One registration per person (a constraint), so the registrations' people are as many as them.
    received = Person.objects.filter(pk__in=registered.values("person")).order_by("pk")
    welcomed = Person.objects.filter(pk__in=registered.filter(welcomed=True).values("person")).order_by("pk")
    return Item(
        key="support_army.homecoming",
        title="喜迎退役军人回家",
        default_sentence=HOMECOMING_SENTENCE,
        figures=recorded(
            [
                Figure("reception_points", "报到点", len(points), "个", records=points_qs),
                Figure("point_names", "报到点名称", [p.name for p in points]),
                Figure("point_places", "报到点设立地点", list(dict.fromkeys(point_place(p) for p in points))),
                Figure("received", "接站退役军人", counts["received"], "位", records=received, headline=True),
                Figure("welcomed", "举行欢迎仪式", counts["welcomed"], "位", records=welcomed),
                Figure("steps", "返乡报到事项", [s.name for s in steps]),
                Figure("checklist_done", "报到事项已办结", checklist_done, "项", records=completions),
                Figure("checklist_open", "报到事项待办", checklist_total - checklist_done, "项"),
                Figure("checklist_total", "报到事项", checklist_total, "项"),
            ],
            when=bool(counts["received"]),
        ),
        required=("received", "steps", "checklist_done"),
        detail_headers=[
            "报到日期",
            "姓名",
            "身份证号",
            "乡镇（街道）",
            "报到点",
            "欢迎仪式",
            "已办结（项）",
            "待办（项）",
        ],
        detail_rows=DeferredRows(lambda: homecoming_rows(registered, steps)),
    )


def homecoming_rows(registered, steps):
    """The year's registrations, one row each, read a chunk at a time."""
    active = {step.pk for step in steps}
    rows = (
        registered.select_related("person__township", "point")
        .prefetch_related("completions")
        .order_by("received_on", "pk")
    )
    for r in rows.iterator(chunk_size=DETAIL_ROWS_CHUNK):
        done = len({c.step_id for c in r.completions.all()} & active)
        yield [
            r.received_on,
            r.person.name,
            mask_id_number(r.person.id_number),
            r.person.township.name if r.person.township_id else "",
            r.point.name if r.point_id else "",
            "是" if r.welcomed else "否",
            done,
            len(steps) - done,
        ]
