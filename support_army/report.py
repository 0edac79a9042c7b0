"""
Section (四) 双拥共建工作成绩显著: merit notices, homecoming, the stationed troops' requests, joint
activities and the check-ups of military families, the matchmaking event, the Army Day gala and
the 爱心拥军团 alliance. Item numbers (一是, 二是 …) are the composer's: ours cannot repeat.

Only approved records count. A township report speaks of that township's records (a notice's
township is its soldier's, a registration's its veteran's, a member's its enterprise's);
district-wide records (no township: the gala, most activities) are in the district report only.

Rules the sentences rest on:

- 一 送喜报: notices approved and delivered in the year whose batch, if any, is approved; the first
  batch is the earliest delivery of the year (a batch, or the notices delivered without one on one
  day), its size the notices delivered in it; the total counts the distinct soldiers delivered to.
- 二 返乡: reception points open in the year (opened on or before 31 December, not closed before
  1 January); veterans received are the approved registrations received in the year; checklist
  items done and open are counted over those registrations and the steps in use.
- 三 部队需求: approved requests received in the year; resolved when their status says so; the
  departments are the distinct ones named; the summaries are the requests' own lines.
- 四 共建活动: approved activities started in the year, by kind; the check-ups of military
  families are the approved rounds of population "military_families" started in the year, their
  person-times the approved check-ups recorded in them (the round's headcount where none is).
- 五 相亲会, 六 晚会: the approved event of the year (the latest, should there be two).
- 七 爱心拥军团: members who joined in the year (the latest batch joined in the year is "the" batch)
  and members in the alliance on 31 December.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from bureau.base.masking import mask_id_number
from bureau.models import CheckUpBatch, ReviewStatus
from bureau.reporting import Figure, Item, Section, chinese_number, month_day, period, recorded
from support_army.models import (
    AllianceMember,
    ArmyDayGala,
    HomecomingRegistration,
    HomecomingStep,
    JointActivity,
    MatchmakingEvent,
    MeritNotice,
    ReceptionPoint,
    TroopRequest,
)

HEADING = "双拥共建工作成绩显著"
LEAD = (
    "今年以来，我局以创建“双拥模范城”为目标，稳扎稳打，多措并举，以积极主动的作为推动双拥共建工作向更深更好处发展，"
    "在全区广泛营造军爱民、民拥军，军民鱼水情的浓厚氛围。"
)
POPULATION = CheckUpBatch.Population.MILITARY_FAMILIES

NOTICES_SENTENCE = (
    "与区人武部、乡镇退役军人服务站保持三级联动，高标准进行送喜报活动，"
    "{{ first_batch_date }}，为{{ first_batch_merits }}的{{ first_batch_size }}位本区籍现役军人集中送喜报，"
    "在全区上下营造了“一人立功，全家光荣”的浓厚氛围，此后定期和不定期地为本区籍立功现役军人送喜报，"
    "截至目前，共为{{ notices }}位荣立{{ levels_text }}的本区籍现役军人送上喜报。"
)
HOMECOMING_SENTENCE = (
    "在一年一度的退伍季，我局用心用情用力为退役军人回家保驾护航，做好值班表，"
    "{% if reception_points %}在{{ point_names|join:'、' }}设立{{ reception_points }}个退役军人报到点，{% endif %}"
    "为接到的{{ received }}位退役军人举行简单而热烈的欢迎仪式。同时制定返乡报到流程，"
    "囊括了{{ steps|join:'、' }}等各个环节，已办结{{ checklist_done }}项"
    "{% if checklist_open %}，待办{{ checklist_open }}项{% else %}，全部办结{% endif %}。"
)
TROOPS_SENTENCE = (
    "部队有所求，我们必有所应，切实履行拥军优属职责。{{ year }}年共受理驻区部队需求{{ requests }}件，"
    "已解决{{ resolved }}件{% if teams %}，派出专业作业队伍{{ teams }}支{% endif %}"
    "{% if departments %}，协调{{ departments|join:'、' }}等相关部门{% endif %}：{{ summaries|join:'；' }}。"
)
ACTIVITIES_SENTENCE = (
    "为丰富驻区部队业余文化生活，陆续进行了{{ activity_kinds|join:'、' }}等双拥共建活动{{ activities }}次，"
    "既愉悦了驻区部队官兵的心情，也密切了军地关系。"
    "{% if checkup_batches %}今年分{{ checkup_batches }}批次为全区现役军人家属进行免费健康体检，"
    "体检人数为{{ checkup_person_times }}人次{% if checkup_cost %}，共计花费{{ checkup_cost }}{% endif %}。{% endif %}"
)
MATCHMAKING_SENTENCE = (
    "为驻区部队官兵、本区籍现役军人及退役军人觅姻缘、寻幸福，区双拥工作领导小组联合{{ partner_unit }}"
    "举办{% if theme %}主题为“{{ theme }}”的{% endif %}线上相亲联谊会，{{ women }}名优秀女青年和{{ soldiers }}名"
    "单身青年官兵及退役军人一起走进直播间。此次线上直播联谊会，长达{{ hours }}个多小时"
    "{% if views %}，直播浏览量{{ views }}{% endif %}，{{ couples }}对青年牵手成功。"
)
GALA_SENTENCE = (
    "{% if audience %}驻区部队战士及武警官兵代表，军烈属、退役军人和各界群众代表共计{{ audience }}余人现场观看，{% endif %}"
    "陆续表演了{{ programme_titles_text }}等{{ programmes }}个形式多样、异彩纷呈的节目"
    "{% if online_viewers %}，晚会还通过直播平台进行全程网络视频直播，近{{ online_viewers }}名网友通过网络直播观看了节目{% endif %}。"
)
ALLIANCE_SENTENCE = (
    "{{ joined_month }}，{{ township }}“爱心拥军团”迎来第{{ batch_text }}批{{ joined }}家新成员的加入，"
    "有力地增强了社会化拥军的力量，让广大现役军人家庭、退役军人及其优抚对象又能享受到更多、更好的优先、优惠、优待服务。"
    "目前，“爱心拥军团”共有{{ members }}家会员企业。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="support_army",
        area="双拥共建",
        heading=HEADING,
        lead=LEAD,
        items=[
            notices_item(year=year, township=township),
            homecoming_item(year=year, township=township),
            troops_item(year=year, township=township),
            activities_item(year=year, township=township),
            matchmaking_item(year=year, township=township),
            gala_item(year=year, township=township),
            alliance_item(year=year, township=township),
        ],
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
    notices = list(
        delivered_notices(year=year, township=township)
        .select_related("soldier__township", "merit", "recipient", "batch")
        .order_by("delivered_on", "pk")
    )
    # A delivery is a batch; notices the bureau recorded as delivered without one go by their date.
    by_batch = defaultdict(list)
    for notice in notices:
        by_batch[("batch", notice.batch_id) if notice.batch_id else ("day", notice.delivered_on)].append(notice)
    first = min(by_batch.values(), key=lambda group: (group[0].delivered_on, group[0].batch_id or 0), default=[])
    levels = Counter(n.merit.level for n in notices)
    level_names = {n.merit.level: n.merit.get_level_display() for n in notices}
    first_years = sorted({n.merit.year for n in first})
    first_levels = sorted({n.merit.level for n in first}, reverse=True)
    first_merits = (
        "、".join(f"{y}年度" for y in first_years) + "荣立" + "、".join(level_names[lv] for lv in first_levels)
    )
    # “三等功以上” unless every notice is of one level: the lowest level delivered reads “…以上”.
    lowest = max(levels) if levels else None
    levels_text = ""
    if lowest is not None:
        levels_text = level_names[lowest] if len(levels) == 1 else f"{level_names[lowest]}以上"
    return Item(
        key="support_army.merit_notices",
        title="立功送喜报常态化",
        default_sentence=NOTICES_SENTENCE,
        figures=recorded(
            [
                Figure("first_batch_date", "首批送喜报日期", month_day(first[0].delivered_on) if first else ""),
                Figure("first_batch_size", "首批送喜报", len(first) if first else None, "位"),
                Figure("first_batch_merits", "首批立功情况", first_merits if first else ""),
                Figure("notices", "送喜报总数", len({n.soldier_id for n in notices}), "位"),
                Figure("levels_text", "立功等级", levels_text),
                Figure(
                    "by_level",
                    "按立功等级",
                    [f"{level_names[lv]}{levels[lv]}位" for lv in sorted(levels, reverse=True)],
                ),
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
        detail_rows=[
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
        ],
    )


# -- 二 喜迎退役军人回家 --------------------------------------------------------------------------


def homecoming_item(*, year: int, township=None) -> Item:
    start, end = period(year)
    points = list(
        ReceptionPoint.objects.approved()
        .in_township(township)
        .filter(opens_on__lte=end)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=start))
        .order_by("opens_on", "pk")
    )
    registrations = list(
        HomecomingRegistration.objects.approved()
        .in_township(township)
        .filter(received_on__year=year)
        .select_related("person__township", "point")
        .prefetch_related("completions")
        .order_by("received_on", "pk")
    )
    steps = list(HomecomingStep.objects.filter(active=True))
    active = {step.pk for step in steps}
    done = {r.pk: len({c.step_id for c in r.completions.all()} & active) for r in registrations}
    checklist_done = sum(done.values())
    checklist_open = len(steps) * len(registrations) - checklist_done
    return Item(
        key="support_army.homecoming",
        title="喜迎退役军人回家",
        default_sentence=HOMECOMING_SENTENCE,
        figures=recorded(
            [
                Figure("reception_points", "报到点", len(points), "个"),
                Figure("point_names", "报到点名称", [p.name for p in points]),
                Figure("received", "接站退役军人", len(registrations), "位"),
                Figure("welcomed", "举行欢迎仪式", sum(r.welcomed for r in registrations), "位"),
                Figure("steps", "返乡报到事项", [s.name for s in steps]),
                Figure("checklist_done", "报到事项已办结", checklist_done, "项"),
                Figure("checklist_open", "报到事项待办", checklist_open, "项"),
            ],
            when=bool(registrations),
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
        detail_rows=[
            [
                r.received_on,
                r.person.name,
                mask_id_number(r.person.id_number),
                r.person.township.name if r.person.township_id else "",
                r.point.name if r.point_id else "",
                "是" if r.welcomed else "否",
                done[r.pk],
                len(steps) - done[r.pk],
            ]
            for r in registrations
        ],
    )


# -- 三 倾心尽力服务驻区部队 ----------------------------------------------------------------------


def troops_item(*, year: int, township=None) -> Item:
    requests = list(
        TroopRequest.objects.approved()
        .in_township(township)
        .filter(received_on__year=year)
        .order_by("received_on", "pk")
    )
    departments = list(dict.fromkeys(d for r in requests for d in r.department_list))
    return Item(
        key="support_army.troop_requests",
        title="倾心尽力服务驻区部队",
        default_sentence=TROOPS_SENTENCE,
        figures=recorded(
            [
                Figure("requests", "部队需求", len(requests), "件"),
                Figure("resolved", "已解决需求", sum(r.status == TroopRequest.Status.RESOLVED for r in requests), "件"),
                Figure("teams", "派出作业队伍", sum(r.teams_sent for r in requests), "支"),
                Figure("departments", "协调部门", departments),
                Figure("summaries", "需求及解决情况", [r.summary for r in requests]),
            ],
            when=bool(requests),
        ),
        required=("requests", "summaries"),
        detail_headers=["受理日期", "驻区部队", "需求", "协调部门", "派出队伍（支）", "状态", "解决日期", "摘要"],
        detail_rows=[
            [
                r.received_on,
                r.unit,
                r.request,
                "、".join(r.department_list),
                r.teams_sent,
                r.get_status_display(),
                r.resolved_on,
                r.summary,
            ]
            for r in requests
        ],
    )


# -- 四 双拥共建活动 ------------------------------------------------------------------------------


def military_family_checkup_batches(*, year: int, township=None):
    return (
        CheckUpBatch.objects.approved()
        .in_township(township)
        .for_population(POPULATION)
        .filter(start_date__year=year)
        .annotate(checked=Count("checkups", filter=Q(checkups__review_status=ReviewStatus.APPROVED)))
        .order_by("start_date", "pk")
    )


def activities_item(*, year: int, township=None) -> Item:
    activities = list(
        JointActivity.objects.approved()
        .in_township(township)
        .filter(start_date__year=year)
        .order_by("start_date", "pk")
    )
    batches = list(military_family_checkup_batches(year=year, township=township))
    kinds = Counter(a.kind for a in activities)
    labels = dict(JointActivity.Kind.choices)
    person_times = sum(b.checked or (b.headcount or 0) for b in batches)
    cost = sum((b.cost or Decimal("0") for b in batches), Decimal("0"))
    rows = [["共建活动", a.start_date, a.title, a.get_kind_display(), a.units, a.headcount, a.cost] for a in activities]
    rows += [["军属体检", b.start_date, b.title, b.institution, "", b.checked or b.headcount, b.cost] for b in batches]
    return Item(
        key="support_army.activities",
        title="双拥共建活动持续开展",
        default_sentence=ACTIVITIES_SENTENCE,
        figures=recorded(
            [
                Figure("activities", "双拥共建活动", len(activities), "次"),
                # The activities' own names where the kind is "other"; the kinds' labels otherwise.
                Figure(
                    "activity_kinds",
                    "活动形式",
                    list(
                        dict.fromkeys(
                            a.title if a.kind == JointActivity.Kind.OTHER else labels[a.kind] for a in activities
                        )
                    ),
                ),
                Figure("by_kind", "按活动形式", [f"{labels[k]}{n}次" for k, n in kinds.items()]),
                Figure("checkup_batches", "军属体检批次", len(batches), "批"),
                Figure("checkup_person_times", "军属体检", person_times, "人次"),
                Figure("checkup_cost", "体检花费", cost, "元"),
            ],
            when=bool(activities or batches),
        ),
        required=("activities", "activity_kinds"),
        detail_headers=["类别", "日期", "名称", "形式/体检机构", "参加单位", "人数/人次", "费用（元）"],
        detail_rows=rows,
    )


# -- 五 军地线上相亲联谊会 ------------------------------------------------------------------------


def matchmaking_item(*, year: int, township=None) -> Item:
    event = (
        MatchmakingEvent.objects.approved()
        .in_township(township)
        .filter(start_date__year=year)
        .order_by("-start_date", "-pk")
        .first()
    )
    figures = []
    if event is not None:
        figures = [
            Figure("partner_unit", "联办部队", event.partner_unit),
            Figure("theme", "主题", event.theme),
            Figure("women", "女青年", event.women, "名"),
            Figure("soldiers", "单身官兵及退役军人", event.soldiers, "名"),
            Figure("hours", "直播时长", event.duration_hours, "小时"),
            Figure("views", "直播浏览量", view_count(event.online_views)),
            Figure("couples", "牵手成功", event.couples, "对"),
        ]
    return Item(
        key="support_army.matchmaking",
        title=f"举办{year}年军地线上相亲联谊会",
        default_sentence=MATCHMAKING_SENTENCE,
        figures=figures
        or recorded(
            [
                Figure("women", "女青年", None, "名"),
                Figure("soldiers", "单身官兵及退役军人", None, "名"),
                Figure("hours", "直播时长", None, "小时"),
                Figure("couples", "牵手成功", None, "对"),
            ],
            when=False,
        ),
        required=("partner_unit", "women", "soldiers", "hours", "couples"),
        detail_headers=["日期", "名称", "联办部队", "女青年", "官兵及退役军人", "时长（小时）", "浏览量", "牵手（对）"]
        if event
        else [],
        detail_rows=[
            [
                event.start_date,
                event.title,
                event.partner_unit,
                event.women,
                event.soldiers,
                event.duration_hours,
                event.online_views,
                event.couples,
            ]
        ]
        if event
        else [],
    )


def view_count(views: int | None) -> str:
    """12345 → 1.23万, 800 → 800 (the reference states views in 万)."""
    if not views:
        return ""
    if views >= 10000:
        return f"{Decimal(views) / 10000:.2f}".rstrip("0").rstrip(".") + "万"
    return str(views)


# -- 六 建军节文艺晚会 ----------------------------------------------------------------------------


def gala_item(*, year: int, township=None) -> Item:
    gala = (
        ArmyDayGala.objects.approved()
        .in_township(township)
        .filter(start_date__year=year)
        .prefetch_related("programmes")
        .order_by("-start_date", "-pk")
        .first()
    )
    programmes = list(gala.programmes.all()) if gala else []
    anniversary = gala.anniversary if gala else None
    title = f"隆重举行庆祝建军{anniversary}周年文艺晚会" if gala else "隆重举行庆祝建军周年文艺晚会"
    return Item(
        key="support_army.army_day_gala",
        title=title,
        default_sentence=GALA_SENTENCE,
        figures=recorded(
            [
                Figure("anniversary", "建军周年", anniversary, "周年"),
                Figure("audience", "现场观众", gala.headcount if gala else None, "人"),
                Figure("programmes", "节目", len(programmes), "个"),
                Figure("programme_titles", "节目名称", [p.title for p in programmes]),
                # The reference names the first four, then “等N个”.
                Figure(
                    "programme_titles_text", "节目名称（报告）", "、".join(f"《{p.title}》" for p in programmes[:4])
                ),
                Figure("online_viewers", "网络观看", view_count(gala.online_views) if gala else ""),
            ],
            when=gala is not None,
        ),
        required=("anniversary", "programmes", "programme_titles"),
        detail_headers=["序号", "节目名称", "节目形式", "表演者"],
        detail_rows=[[n, p.title, p.kind, p.performers] for n, p in enumerate(programmes, start=1)],
    )


# -- 七 社会化拥军力量不断加强 --------------------------------------------------------------------


def alliance_item(*, year: int, township=None) -> Item:
    start, end = period(year)
    members = AllianceMember.objects.in_township(township).select_related("enterprise")
    joined = list(members.filter(joined_on__range=(start, end)).order_by("joined_on", "pk"))
    total = members.active_on(end).count()
    batch = max((m.batch_number for m in joined), default=None)
    of_batch = [m for m in joined if m.batch_number == batch]
    return Item(
        key="support_army.alliance",
        title="社会化拥军力量不断加强",
        default_sentence=ALLIANCE_SENTENCE,
        figures=recorded(
            [
                Figure("batch", "加入批次", batch, "批"),
                Figure("batch_text", "加入批次（中文）", chinese_number(batch) if batch else ""),
                Figure("joined_month", "加入月份", f"{of_batch[0].joined_on.month}月份" if of_batch else ""),
                Figure("joined", "新加入成员", len(of_batch), "家"),
                Figure("joined_in_year", "本年加入成员", len(joined), "家"),
                Figure("members", "会员企业总数", total, "家"),
            ],
            when=bool(joined),
        ),
        required=("batch", "joined", "members"),
        detail_headers=["加入批次", "加入日期", "会员企业", "优待服务", "状态"],
        detail_rows=[[m.batch_number, m.joined_on, m.enterprise.name, m.offer, m.get_status_display()] for m in joined],
    )
