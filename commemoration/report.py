"""
Section (五) 褒扬纪念工作重点突出: the memorial facilities under the protection centre, their upgrade
projects, care for martyrs' children, the online Qingming campaign, the honour selections and the
Martyrs' Day ceremony. Item numbers (一是, 二是 …) are the composer's.

Only approved records count (facilities, projects, check-ups, visits, nominees, ceremonies); the
memorial's tributes count flowers and approved messages.

Whose figures (what a township report says):

- 一 设施 is the district's protection centre and its facilities: `district_only` (its figures are
  still computed for the scope, a township's facilities for the dashboard's township view).
- 二 改造 and 六 公祭 are the district's, unless a record names the township (a township's own
  project or ceremony): a township report states its own, and leaves the item out when it has none.
  The district report states the district's own ceremony before a township's.
- 三 烈士子女 and 五 典型 are the township's: its children and its winners, in its name.
- 四 清明祭英烈 (the online memorial) has no township: `district_only`, its figures DISTRICT.
- No clause states a zero: a campaign without tributes or visits leaves those clauses out.

Rules the sentences rest on:

- 一 设施: approved facilities, by protection level; the managing unit is the one most of them name.
- 二 改造: approved upgrade projects planned in the year: their planned investment summed, the
  facilities named, the level applied for (the projects' most common target level).
- 三 烈士子女: distinct persons with an approved check-up in an approved round of population
  "martyr_children" started in the year; households are the distinct persons visited in approved
  visits of area "commemoration" in the year; the standard is the most common amount; the total the sum.
- 四 清明祭英烈: the year's campaign (the featured one, else the latest started in the year): flowers
  and approved messages left during its dates, and the memorial's visits on those days.
- 五 选树典型: the year's latest edition; winners are approved nominees whose result is 当选, in
  their published order (rank, then entry), per title (最美退役军人, 最美军嫂).
- 六 公祭: the approved Martyrs' Day ceremony of the year (the latest, should there be two); its
  ordinal counts from the first Martyrs' Day in 2014.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import F, Q, Sum

from bureau.models import CheckUp, CheckUpBatch, Person, Visit
from bureau.reporting import DISTRICT, DeferredRows, Figure, Item, Section, chinese_number, recorded
from bureau.reporting.persons import person_count, persons_of
from commemoration.models import (
    Ceremony,
    HonourSelection,
    MemorialCampaign,
    MemorialDailyVisits,
    MemorialFacility,
    Nominee,
    ProtectionLevel,
    Tribute,
    UpgradeProject,
)

AREA = "commemoration"
VETERAN_TITLE = "最美退役军人"
SPOUSE_TITLE = "最美军嫂"
DEFAULT_UNITS = "区四套班子领导、区委各部门、区直各单位及其他代表"
# The units of a township's own ceremony when the record names none.
TOWNSHIP_UNITS = "{township}干部群众代表"

# No run of 6 characters twice in one sentence (the unit's name holds 烈士纪念设施 and 纪念设施保护).
FACILITIES_SENTENCE = (
    "成立{{ managing_unit }}，将{{ place }}{{ facilities|count_word }}处纪念设施统一归口管理"
    "{% if by_level %}（{{ by_level|join:'、' }}）{% endif %}，承担设施保护以及烈士事迹和遗物收集整理等职责，"
    "为长期有效做好保护管理工作提供了有力保障。"
)
UPGRADES_SENTENCE = (
    "为推动褒扬纪念工作不断深化，拟投资{{ investment }}对{{ facility_names }}进行提升改造"
    "{% if target_level %}，为申请{{ target_level }}烈士纪念设施做好准备{% endif %}。"
)
# The check-up and the visits are each left out when none took place; the money when none was given.
CHILDREN_SENTENCE = (
    "为切实关心关爱烈属，为烈属办实事，进一步增强烈士亲属的荣誉感和获得感，"
    "{% if children_checked %}为{% if in_township %}{{ place }}{% endif %}{{ children_checked|count_word }}名"
    "烈士子女提供了免费健康体检{% if households %}，{% endif %}{% endif %}"
    "{% if households %}{% if standard %}按每户{{ standard }}的标准，{% endif %}走访慰问"
    "{% if in_township and not children_checked %}{{ place }}{% endif %}{{ households|count_word }}户烈士子女"
    "{% if standard %}，共发放慰问金{{ total }}{% endif %}{% endif %}。"
)
# Visits and tributes are each stated only when there were some (never 「网友献花和留下寄语0条」).
QINGMING_SENTENCE = (
    "向全区发起了网上文明绿色祭扫的倡议书，精心制作了H5祭扫平台"
    "{% if visitors %}，{{ visitors }}人次访问{% endif %}{% if tributes %}，网友献花和留下寄语{{ tributes }}条{% endif %}，"
    "引导社会各界传承和弘扬英烈精神，营造学习英烈、缅怀英烈、致敬英烈、守护英烈的良好社会风尚。"
)
# Each title once: the winners follow the titles' order (the reference named 第二届“最美退役军人” twice).
# A township report names its own winners of the district's selection.
ROLE_MODELS_SENTENCE = (
    "{% if in_township %}在{% else %}开展{% endif %}第{{ edition_text }}届"
    "{% if veterans %}“{{ veteran_title }}”{% endif %}{% if spouses %}“{{ spouse_title }}”{% endif %}评选活动"
    "{% if in_township %}中，{{ place }}的{% else %}，评选出{% endif %}"
    "{% if veterans %}{{ first_veteran }}{% if veterans != 1 %}等{{ veterans }}人{% endif %}{% endif %}"
    "{% if veterans and spouses %}、{% endif %}"
    "{% if spouses %}{{ first_spouse }}{% if spouses != 1 %}等{{ spouses }}人{% endif %}{% endif %}"
    "{% if in_township %}{% if veterans and spouses %}分别{% endif %}当选{% endif %}，"
    "汇聚退役军人正能量，进一步提升退役军人荣誉感、尊崇感和幸福感。"
)
CEREMONY_SENTENCE = (
    "在全国第{{ ordinal_text }}个烈士纪念日来临之际，{{ units }}共计{{ attendees }}余人"
    "在{{ venue }}举行公祭活动，深情缅怀革命先烈的丰功伟绩和崇高精神，表达无限敬仰之情。"
)


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="commemoration",
        area="褒扬纪念",
        heading="褒扬纪念工作重点突出",
        items=[
            facilities_item(year=year, township=township),
            upgrades_item(year=year, township=township),
            martyr_children_item(year=year, township=township),
            qingming_item(year=year, township=township),
            role_models_item(year=year, township=township),
            ceremony_item(year=year, township=township),
        ],
    )


def names_text(names: list[str]) -> str:
    """革命纪念塔及纪念广场; 甲、乙及丙."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "及" + names[-1]


# -- 一 建立健全机构 ------------------------------------------------------------------------------


def facilities_item(*, year: int, township=None) -> Item:
    # The protection centre is the district's: the item is left out of a township report (its figures
    # remain the township's facilities, for the dashboard's township view).
    records = MemorialFacility.objects.approved().in_township(township).order_by("name", "pk")
    facilities = list(records)
    levels = Counter(f.protection_level for f in facilities)
    by_level = [f"{label}{levels[value]}处" for value, label in ProtectionLevel.choices if levels[value]]
    unit = Counter(f.managing_unit for f in facilities).most_common(1)
    return Item(
        key="commemoration.facilities",
        title="建立健全机构，提升保护管理能力",
        default_sentence=FACILITIES_SENTENCE,
        figures=recorded(
            [
                Figure("facilities", "统一管理的烈士纪念设施", len(facilities), "处", records=records, headline=True),
                Figure("by_level", "按保护级别", by_level),
                Figure("managing_unit", "管理单位", unit[0][0] if unit else ""),
            ],
            when=bool(facilities),
        ),
        required=("facilities", "managing_unit"),
        district_only=True,
        detail_headers=["设施名称", "类型", "保护级别", "位置", "管理单位", "设施状况"],
        detail_rows=DeferredRows(
            lambda: [
                [
                    f.name,
                    f.get_kind_display(),
                    f.get_protection_level_display(),
                    f.address,
                    f.managing_unit,
                    f.get_condition_display(),
                ]
                for f in facilities
            ]
        ),
    )


# -- 二 加大设施建设投入 --------------------------------------------------------------------------


def upgrades_item(*, year: int, township=None) -> Item:
    # The district's projects; a township report states only the projects recorded as the township's.
    records = (
        UpgradeProject.objects.approved()
        .in_township(township)
        .filter(planned_on__year=year)
        .annotate(amount=F("planned_investment"))  # the drill-down's Sum("amount") is the investment
        .order_by("planned_on", "pk")
    )
    projects = list(records.prefetch_related("facilities"))
    facility_names = []
    for project in projects:
        for facility in sorted(project.facilities.all(), key=lambda f: f.pk):
            if facility.name not in facility_names:
                facility_names.append(facility.name)
    targets = Counter(p.get_target_level_display() for p in projects if p.target_level)
    investment = sum((p.planned_investment for p in projects), Decimal("0"))
    return Item(
        key="commemoration.upgrades",
        title="积极参与评定，加大设施建设投入",
        default_sentence=UPGRADES_SENTENCE,
        figures=recorded(
            [
                Figure("projects", "提升改造项目", len(projects), "个", records=records),
                # No investment planned is not a figure to state (拟投资0元): unknown, the item is a gap.
                Figure("investment", "计划投资", investment or None, "元", records=records if investment else None),
                Figure("facility_names", "改造设施", names_text(facility_names)),
                Figure("target_level", "申报级别", targets.most_common(1)[0][0] if targets else ""),
            ],
            when=bool(projects),
        ),
        required=("projects", "investment", "facility_names"),
        district_only=township is not None and not projects,
        detail_headers=["项目名称", "改造设施", "计划投资（元）", "资金来源", "申报级别", "状态", "实际支出（元）"],
        detail_rows=DeferredRows(
            lambda: [
                [
                    p.title,
                    "、".join(f.name for f in p.facilities.all()),
                    p.planned_investment,
                    p.funding_source,
                    p.get_target_level_display(),
                    p.get_status_display(),
                    p.actual_spend,
                ]
                for p in projects
            ]
        ),
    )


# -- 三 关爱烈士子女 ------------------------------------------------------------------------------


def martyr_children_item(*, year: int, township=None) -> Item:
    batches = CheckUpBatch.objects.approved().for_population(CheckUpBatch.Population.MARTYR_CHILDREN)
    checkups = CheckUp.objects.approved().in_township(township).filter(batch__in=batches.filter(start_date__year=year))
    checked = persons_of(checkups)
    visit_records = (
        Visit.objects.approved()
        .in_township(township)
        .filter(area=AREA, visited_on__year=year)
        .order_by("visited_on", "pk")
    )
    visits = list(visit_records.select_related("person"))
    visited = Person.objects.filter(pk__in=visit_records.values("person"))
    households = len({v.person_id for v in visits})
    amounts = Counter(v.amount for v in visits if v.amount)
    total = sum((v.amount or Decimal("0") for v in visits), Decimal("0"))
    children_checked = person_count(checkups)
    return Item(
        key="commemoration.martyr_children",
        title="开展关爱烈士子女，感党恩送温暖活动",
        default_sentence=CHILDREN_SENTENCE,
        figures=recorded(
            [
                Figure("children_checked", "体检烈士子女", children_checked, "名", records=checked),
                Figure("standard", "每户慰问标准", amounts.most_common(1)[0][0] if amounts else None, "元"),
                Figure("households", "走访慰问", households, "户", records=visited),
                # The visits' 慰问金 (Visit.amount, paid through the ledger once approved).
                Figure("total", "慰问金合计", total, "元", records=visit_records if total else None),
            ],
            when=bool(children_checked or visits),
        ),
        required=("children_checked", "households"),
        detail_headers=["走访日期", "走访对象", "走访人", "慰问金（元）"],
        detail_rows=DeferredRows(lambda: [[v.visited_on, v.person.name, v.visitor, v.amount] for v in visits]),
    )


# -- 四 清明祭英烈 --------------------------------------------------------------------------------


def campaign_of(year: int) -> MemorialCampaign | None:
    return MemorialCampaign.objects.filter(starts_on__year=year).order_by("-featured", "-starts_on", "-pk").first()


def qingming_item(*, year: int, township=None) -> Item:
    # The online memorial is the district's (a campaign, its tributes and visits name no township):
    # the same figures whatever the scope, and no part of a township report.
    campaign = campaign_of(year)
    visitors = 0
    flowers = messages = tributes = Tribute.objects.none()
    if campaign:
        left = Tribute.objects.between(campaign.starts_on, campaign.ends_on).order_by("created_at", "pk")
        flowers = left.filter(kind=Tribute.Kind.FLOWER)
        messages = left.filter(kind=Tribute.Kind.MESSAGE, moderation=Tribute.Moderation.APPROVED)
        tributes = left.filter(
            Q(kind=Tribute.Kind.FLOWER) | Q(kind=Tribute.Kind.MESSAGE, moderation=Tribute.Moderation.APPROVED)
        )
        # The memorial's daily counter summed over the campaign's days (no row per visit to list).
        visitors = (
            MemorialDailyVisits.objects.filter(day__gte=campaign.starts_on, day__lte=campaign.ends_on).aggregate(
                n=Sum("visits")
            )["n"]
            or 0
        )
    n_flowers, n_messages = flowers.count(), messages.count()
    return Item(
        key="commemoration.qingming",
        title=f"精心组织“{campaign.title}”活动" if campaign else "精心组织清明祭英烈活动",
        default_sentence=QINGMING_SENTENCE,
        figures=recorded(
            [
                Figure("visitors", "祭扫平台访问", visitors, "人次", scope=DISTRICT),
                Figure(
                    "tributes",
                    "网上献花寄语",
                    n_flowers + n_messages,
                    "条",
                    scope=DISTRICT,
                    records=tributes,
                    headline=True,
                ),
                Figure("flowers", "献花", n_flowers, "次", scope=DISTRICT, records=flowers),
                Figure("messages", "寄语（审核通过）", n_messages, "条", scope=DISTRICT, records=messages),
            ],
            when=campaign is not None,
        ),
        required=("tributes",),
        district_only=True,
        detail_headers=["活动名称", "开始日期", "结束日期", "访问人次", "献花", "寄语"],
        detail_rows=DeferredRows(
            lambda: (
                [[campaign.title, campaign.starts_on, campaign.ends_on, visitors, n_flowers, n_messages]]
                if campaign
                else []
            )
        ),
    )


# -- 五 选树优秀典型 ------------------------------------------------------------------------------


def role_models_item(*, year: int, township=None) -> Item:
    selections = HonourSelection.objects.filter(year=year)
    edition = selections.order_by("-edition").values_list("edition", flat=True).first()
    winners = list(
        Nominee.objects.approved()
        .in_township(township)
        .filter(selection__year=year, selection__edition=edition, result=Nominee.Result.WINNER)
        .select_related("person", "selection", "township")
        .order_by("selection__title", "rank", "pk")
    )
    veterans = [w for w in winners if w.selection.title == VETERAN_TITLE]
    spouses = [w for w in winners if w.selection.title == SPOUSE_TITLE]
    veterans.sort(key=lambda w: (w.rank is None, w.rank or 0, w.pk))
    spouses.sort(key=lambda w: (w.rank is None, w.rank or 0, w.pk))
    veteran_persons = Person.objects.filter(pk__in={w.person_id for w in veterans})
    spouse_persons = Person.objects.filter(pk__in={w.person_id for w in spouses})
    return Item(
        key="commemoration.role_models",
        title="积极选树优秀典型",
        default_sentence=ROLE_MODELS_SENTENCE,
        figures=recorded(
            [
                Figure("edition", "评选届次", edition, "届"),
                Figure("edition_text", "评选届次（报告）", chinese_number(edition) if edition else ""),
                Figure("veteran_title", "称号", VETERAN_TITLE),
                Figure("veterans", VETERAN_TITLE, len({w.person_id for w in veterans}), "人", records=veteran_persons),
                Figure("first_veteran", f"{VETERAN_TITLE}（首位）", veterans[0].person.name if veterans else ""),
                Figure("spouse_title", "称号", SPOUSE_TITLE),
                Figure("spouses", SPOUSE_TITLE, len({w.person_id for w in spouses}), "人", records=spouse_persons),
                Figure("first_spouse", f"{SPOUSE_TITLE}（首位）", spouses[0].person.name if spouses else ""),
            ],
            when=bool(veterans or spouses),
        ),
        required=("edition",),
        detail_headers=["评选", "公布顺序", "姓名", "乡镇（街道）"],
        detail_rows=DeferredRows(
            lambda: [
                [str(w.selection), w.rank, w.person.name, str(w.township) if w.township_id else ""]
                for w in veterans + spouses
            ]
        ),
    )


# -- 六 公祭活动 ----------------------------------------------------------------------------------


def ceremony_item(*, year: int, township=None) -> Item:
    # The district's ceremony; a township report states only a ceremony recorded as the township's own.
    ceremonies = (
        Ceremony.objects.approved()
        .in_township(township)
        .filter(occasion=Ceremony.Occasion.MARTYRS_DAY, start_date__year=year)
        .select_related("facility", "township")
        .order_by("-start_date", "-pk")
    )
    # The district report states the district's own ceremony (no township) before a township's.
    ceremony = ceremonies.order_by(F("township").asc(nulls_first=True), "-start_date", "-pk").first()
    ordinal = ceremony.ordinal if ceremony else None
    return Item(
        key="commemoration.ceremony",
        title="隆重举行公祭活动",
        default_sentence=CEREMONY_SENTENCE,
        figures=recorded(
            [
                Figure("ceremonies", "公祭活动", ceremonies.count(), "场", records=ceremonies),
                Figure("ordinal", "烈士纪念日届次", ordinal, "个"),
                Figure("ordinal_text", "烈士纪念日届次（报告）", chinese_number(ordinal) if ordinal else ""),
                Figure("attendees", "参加人数", ceremony.headcount if ceremony else None, "人", headline=True),
                Figure("venue", "地点", ceremony.place if ceremony else ""),
                Figure("units", "参加单位", ceremony_units(ceremony) if ceremony else ""),
            ],
            when=ceremony is not None,
        ),
        required=("ordinal", "attendees", "venue"),
        district_only=township is not None and ceremony is None,
        detail_headers=["活动名称", "日期", "地点", "参加人数", "参加单位"],
        detail_rows=DeferredRows(lambda: [[c.title, c.start_date, c.place, c.headcount, c.units] for c in ceremonies]),
    )


def ceremony_units(ceremony: Ceremony) -> str:
    """The units the record names, else the district's leadership, or the township's people at its own ceremony."""
    if ceremony.units.strip():
        return ceremony.units.strip()
    return TOWNSHIP_UNITS.format(township=ceremony.township.name) if ceremony.township_id else DEFAULT_UNITS
