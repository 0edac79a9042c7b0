"""
Items 三 (倾心尽力服务驻区部队) and 四 (双拥共建活动持续开展) of section (四).

The troops' requests and the joint activities are the district's work unless a record names a
township (the field's "全区性的记录留空"): a township report states the records of its own township,
in its name, and leaves the item out altogether when it has none (`district_only`: the township had
no part in the district's, so that is no gap). The check-ups of military families go the same way,
by their round's township.
"""

from decimal import Decimal

from django.db.models import Count, F, Q

from bureau.models import CheckUp, CheckUpBatch, ReviewStatus
from bureau.reporting import DeferredRows, Figure, Item, recorded
from support_army.models import JointActivity, TroopRequest

POPULATION = CheckUpBatch.Population.MILITARY_FAMILIES

# The requests' own lines tell what was done; the teams and departments are stated before them only
# when no line says them already (each said once).
TROOPS_SENTENCE = (
    "部队有所求，我们必有所应，切实履行拥军优属职责。"
    "{{ year }}年{% if in_township %}{{ place }}{% endif %}共受理驻区部队需求{{ requests }}件"
    "{% if resolved == requests %}，已全部解决{% elif resolved %}，已解决{{ resolved }}件{% endif %}"
    "{% if teams_unsaid %}，派出{{ teams_unsaid }}支专业作业队伍{% endif %}"
    "{% if departments_unsaid %}，协调{{ departments_unsaid|join:'、' }}等相关部门{% endif %}"
    "：{{ summaries|join:'；' }}。"
)
ACTIVITIES_SENTENCE = (
    "{% if activities %}为丰富驻区部队业余文化生活，{% if in_township %}{{ place }}{% endif %}"
    "陆续进行了{{ activity_kinds|join:'、' }}等双拥共建活动{{ activities }}次，"
    "既愉悦了驻区部队官兵的心情，也密切了军地关系。{% endif %}"
    "{% if checkup_batches %}今年{% if checkup_batches > 1 %}分{{ checkup_batches }}批次{% endif %}"
    "为{{ place }}现役军人家属进行免费健康体检，"
    "体检人数为{{ checkup_person_times }}人次{% if checkup_cost %}，共计花费{{ checkup_cost }}{% endif %}。{% endif %}"
)


# -- 三 倾心尽力服务驻区部队 ----------------------------------------------------------------------


def troops_item(*, year: int, township=None) -> Item:
    received = TroopRequest.objects.approved().in_township(township).filter(received_on__year=year)
    requests = list(received.order_by("received_on", "pk"))
    departments = list(dict.fromkeys(d for r in requests for d in r.department_list))
    summaries = [r.summary.strip().rstrip("。；;.，,") for r in requests]
    teams = sum(r.teams_sent for r in requests)
    said = "；".join(summaries)
    return Item(
        key="support_army.troop_requests",
        title="倾心尽力服务驻区部队",
        default_sentence=TROOPS_SENTENCE,
        figures=recorded(
            [
                Figure("requests", "部队需求", len(requests), "件", records=received),
                Figure(
                    "resolved",
                    "已解决需求",
                    sum(r.status == TroopRequest.Status.RESOLVED for r in requests),
                    "件",
                    records=received.filter(status=TroopRequest.Status.RESOLVED),
                    headline=True,
                ),
                Figure("teams", "派出作业队伍", teams, "支"),
                Figure("departments", "协调部门", departments),
                Figure("summaries", "需求及解决情况", summaries),
                # What the lead clause states: only what no request's line says already.
                Figure(
                    "teams_unsaid", "派出作业队伍（摘要未述）", teams if teams and "队伍" not in said else None, "支"
                ),
                Figure(
                    "departments_unsaid",
                    "协调部门（摘要未述）",
                    [] if any(d in said for d in departments) else departments,
                ),
            ],
            when=bool(requests),
        ),
        required=("requests", "summaries"),
        # A township's report states the requests of its own township only; none: not its work.
        district_only=township is not None and not requests,
        detail_headers=["受理日期", "驻区部队", "需求", "协调部门", "派出队伍（支）", "状态", "解决日期", "摘要"],
        detail_rows=DeferredRows(
            lambda: [
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
            ]
        ),
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


def activity_name(activity: JointActivity) -> str:
    """
    What was done, as the reference lists it (军地联合植树、捐赠鱼苗、送书法进军营): the activity's
    title, which names the object (a donation says what was given), without a trailing 活动.
    """
    title = activity.title.strip().removesuffix("活动").strip()
    label = JointActivity.Kind(activity.kind).label
    if activity.kind == JointActivity.Kind.DONATION:
        return title if "捐" in title else f"捐赠{title}" if title else label
    if activity.kind == JointActivity.Kind.TREE_PLANTING and "植树" not in title:
        return label
    return title or label


def merged_names(names: list[str], *, shortest: int = 3) -> list[str]:
    """Names sharing their ending say it once: 端午军地大联欢, 国庆军地大联欢 → 端午、国庆军地大联欢."""
    groups: list[tuple[list[str], str]] = []  # (heads, common ending)
    for name in dict.fromkeys(names):
        for n, (heads, ending) in enumerate(groups):
            if len(heads) == 1:
                common = _common_ending(heads[0] + ending, name)
                whole = heads[0] + ending
                if len(common) >= shortest and len(common) < min(len(whole), len(name)):
                    groups[n] = ([whole[: -len(common)], name[: -len(common)]], common)
                    break
            elif name.endswith(ending) and len(name) > len(ending):
                heads.append(name[: -len(ending)])
                break
        else:
            groups.append(([name], ""))
    return ["、".join(heads) + ending for heads, ending in groups]


def _common_ending(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return a[len(a) - n :]


def activities_item(*, year: int, township=None) -> Item:
    started = JointActivity.objects.approved().in_township(township).filter(start_date__year=year)
    activities = list(started.order_by("start_date", "pk"))
    batches = list(military_family_checkup_batches(year=year, township=township))
    kinds = {k: sum(a.kind == k for a in activities) for k in dict.fromkeys(a.kind for a in activities)}
    labels = dict(JointActivity.Kind.choices)
    person_times = sum(b.checked or (b.headcount or 0) for b in batches)
    cost = sum((b.cost or Decimal("0") for b in batches), Decimal("0"))
    batch_rows = CheckUpBatch.objects.filter(pk__in=[b.pk for b in batches])
    # The check-ups themselves stand behind the person-times only when every round recorded them.
    checkups = None
    if batches and all(b.checked for b in batches):
        checkups = CheckUp.objects.filter(batch__in=batch_rows, review_status=ReviewStatus.APPROVED)
    rows = [["共建活动", a.start_date, a.title, a.get_kind_display(), a.units, a.headcount, a.cost] for a in activities]
    rows += [["军属体检", b.start_date, b.title, b.institution, "", b.checked or b.headcount, b.cost] for b in batches]
    return Item(
        key="support_army.activities",
        title="双拥共建活动持续开展",
        default_sentence=ACTIVITIES_SENTENCE,
        figures=recorded(
            [
                Figure("activities", "双拥共建活动", len(activities), "次", records=started),
                Figure("activity_kinds", "活动形式", merged_names([activity_name(a) for a in activities])),
                Figure("by_kind", "按活动形式", [f"{labels[k]}{n}次" for k, n in kinds.items()]),
                Figure("checkup_batches", "军属体检批次", len(batches), "批", records=batch_rows),
                Figure("checkup_person_times", "军属体检", person_times, "人次", records=checkups),
                # 元: the rounds' cost, summed as `amount` for the drill-down; nothing spent says nothing.
                Figure(
                    "checkup_cost",
                    "体检花费",
                    cost or None,
                    "元",
                    records=batch_rows.annotate(amount=F("cost")) if cost else None,
                ),
            ],
            when=bool(activities or batches),
        ),
        required=("activities", "activity_kinds") if activities else ("checkup_batches", "checkup_person_times"),
        district_only=township is not None and not (activities or batches),
        detail_headers=["类别", "日期", "名称", "形式/体检机构", "参加单位", "人数/人次", "费用（元）"],
        detail_rows=DeferredRows(lambda: rows),
    )
