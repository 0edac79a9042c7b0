"""
Section (三) 优待抚恤工作彰显温暖: the money paid, the oral history of the Korean War veterans,
the Spring Festival visits (送温暖) and the free check-ups of key beneficiaries.

Only approved records count; the ledger (`bureau.Payment`) is what was paid. A township report
speaks of that township: payments to its residents, its veterans, its records (a record's
township is its person's), and the exhibitions held there (district-wide ones, without a
township, are in the district report only).

Rules the sentences rest on:

- 一 优抚资金: per programme (`pensions.programmes`), distinct persons and the sum of the year's
  ledger rows (period in the year; a conscript family allowance paid after its benefit year is
  back pay and counts in the year it was paid, see `fund_payments`). The enlistment years of the conscripts behind the visits
  are those of the approved family benefits (`ConscriptBenefit`) of the visited families, of
  any benefit year, and, for a visited person without one (the conscript visited himself),
  the year of the person's own `enlisted_on`. The benefits "of the year" are those of benefit
  year `year` and the back-pay paid in `year`; their enlistment years give the family benefit's
  range, and the back-pay for service in Tibet or Xinjiang is named by enlistment year and region.
- 二 口述历史: the Korean War veterans living in the district at year end hold the category on
  31 December and had neither died nor moved out before that day (as `Person.in_district_on`);
  interviews count the distinct persons filmed in the year, of any war (the Korean War
  veterans are the project's 主体, not its only subjects).
- 三 送温暖: approved visits of the pensions area on the Spring Festival occasion in the year;
  persons are distinct per hardship category, the aid is the visits' own amounts
  (`Visit.amount`, whether or not the ledger has the row yet), the problems are the approved
  problems recorded against those visits, resolved when their state is in `Problem.SOLVED`.
- 四 体检: check-ups (approved) in the approved key-beneficiary batches that started in the year;
  persons are distinct overall and per mode; a health file is a person with at least one
  of those check-ups holding a result (a summary or an attached report).

Scope. Every figure is the township's own (`TOWNSHIP`): payments to its residents, its veterans, its
visits, problems and check-ups, and the exhibitions recorded with it as their township (a showing the
bureau held for the whole district has none, and is counted in the district report only). No item is
`district_only` as such: each is computed from records that belong to a township (a ledger row, a
person, a visit, a check-up), so a township took part wherever it has records; where it has none the
item is left to 数据缺项 like any item without records. One exception, decided per report: the oral
history is the bureau's project, and a township none of whose veterans was filmed and where no showing
was held, in a year the district has them, had no part in it: its report leaves the item out
(`district_only`), not a gap. The sentences name the place as `{{ place }}`.

Drill-down. Every counted or summed figure carries its rows (`Figure.records`): a Person queryset
for a count of persons, the ledger rows (`Payment`, Sum of `amount`) for the money of item 一, the
visits (`Visit.amount`) for the aid of item 三, the benefits (`ConscriptBenefit.supplement`, not
`amount`) for the Tibet/Xinjiang supplement.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Trim

from bureau.base.masking import mask_id_number
from bureau.models import (
    CheckUp,
    CheckUpBatch,
    HardshipCategory,
    Occasion,
    Payment,
    PaymentProgramme,
    Person,
    PreferentialCategory,
    Visit,
    ledger_summary,
    registry_summary,
)
from bureau.reporting import DETAIL_ROWS_CHUNK, TOWNSHIP, DeferredRows, Figure, Item, Section, period_end, recorded
from bureau.reporting.persons import persons_of
from pensions import programmes
from pensions.models import ConscriptBenefit, OralHistoryExhibition, OralHistoryInterview, Problem
from pensions.report_sentences import CHECKUPS_SENTENCE, FUNDS_SENTENCE, ORAL_HISTORY_SENTENCE, SPRING_VISITS_SENTENCE

HEADING = "优待抚恤工作彰显温暖"
AREA = "pensions"

# The six groups of the Spring Festival visits, in the reference's order, and their figure keys.
VISITED_KEYS = {
    HardshipCategory.HARDSHIP_VETERAN: "visited_hardship",
    HardshipCategory.ENTERPRISE_CADRE: "visited_cadres",
    HardshipCategory.STATE_ENTERPRISE_SOLDIER: "visited_state_retired",
    HardshipCategory.MERIT: "visited_merit",
    HardshipCategory.MILITARY_RETIREE: "visited_retirees",
    HardshipCategory.HONOURED_HOSPITAL: "visited_hospital",
}
# Ledger programmes of item 一: (code, persons key, persons label, total key, total label).
FUND_PROGRAMMES = [
    (programmes.HARDSHIP_AID, "hardship_persons", "“三难”救助人数", "hardship_total", "“三难”救助资金"),
    (programmes.KEY_MEDICAL_SUBSIDY, "medical_persons", "重点优抚对象医疗补助人数", "medical_total", "医疗补助资金"),
    (programmes.PERIODIC_PENSION, "monthly_persons", "按月发放人数", "monthly_total", "按月发放资金"),
    (programmes.SPRING_FESTIVAL, "festival_persons", "春节慰问人数", "festival_total", "春节慰问资金"),
    (programmes.CONSCRIPT_VISIT, "conscript_visits", "走访义务兵人数", "conscript_visit_total", "义务兵慰问金"),
    (
        programmes.CONSCRIPT_FAMILY,
        "conscript_families",
        "义务兵家属人数",
        "conscript_family_total",
        "义务兵家庭优待金",
    ),
    (programmes.MILITARY_RETIREE, "retirees", "军休人员", "retiree_total", "军休人员资金"),
]
SUPPLEMENT_REGIONS = (ConscriptBenefit.Region.TIBET, ConscriptBenefit.Region.XINJIANG)


def section(*, year: int, township=None) -> Section:
    """
    The four items, each of the report's scope; none is `district_only` (every figure comes from
    records that belong to a township), but the oral history of a township that had no part in it
    (see the module's docstring).
    """
    return Section(
        app_label="pensions",
        area="优待抚恤",
        heading=HEADING,
        items=[
            funds_item(year=year, township=township),
            oral_history_item(year=year, township=township),
            spring_visits_item(year=year, township=township),
            checkups_item(year=year, township=township),
        ],
    )


def year_range(years) -> str:
    """`2021年`, `2019年－2021年`; empty without years."""
    years = sorted(set(years))
    if not years:
        return ""
    if years[0] == years[-1]:
        return f"{years[0]}年"
    return f"{years[0]}年－{years[-1]}年"


# -- 一 优抚资金应发尽发 ----------------------------------------------------------------------------


def funds_item(*, year: int, township=None) -> Item:
    codes = [code for code, *_ in FUND_PROGRAMMES]
    payments = fund_payments(year=year, township=township).filter(programme__code__in=codes)
    totals = fund_totals(year=year, township=township, codes=codes)

    benefits_of_the_year = (
        ConscriptBenefit.objects.approved()
        .in_township(township)
        .filter(Q(benefit_year=year) | Q(back_pay=True, paid_on__year=year))
    )
    benefits = list(benefits_of_the_year.order_by("enlistment_year", "region", "pk"))
    back_pay = [
        f"{benefit.enlistment_year}年{benefit.get_region_display()}"
        for benefit in benefits
        if benefit.back_pay and benefit.region in SUPPLEMENT_REGIONS
    ]

    figures = []
    for code, persons_key, persons_label, total_key, total_label in FUND_PROGRAMMES:
        row = totals.get(code, {})
        rows = payments.filter(programme__code=code)
        headline = code == programmes.PERIODIC_PENSION
        figures += [
            Figure(
                persons_key, persons_label, row.get("persons", 0), "人", records=persons_of(rows), headline=headline
            ),
            Figure(total_key, total_label, row.get("total") or Decimal("0"), "元", records=rows, headline=headline),
        ]
    figures += [
        Figure(
            "conscript_years",
            "走访义务兵入伍年份",
            year_range(conscript_visit_years(Payment.objects.in_township(township).in_year(year))),
        ),
        Figure("conscript_family_years", "优待金义务兵入伍年份", year_range(b.enlistment_year for b in benefits)),
        Figure("back_pay", "补发西藏、新疆入伍义务兵家属", list(dict.fromkeys(back_pay))),
        # Not a ledger sum: the ledger row of a benefit is its total (allowance and supplement together).
        Figure(
            "supplement_total",
            "西藏、新疆补助",
            sum((b.supplement for b in benefits), Decimal("0")),
            "元",
            records=benefits_of_the_year.filter(supplement__gt=0),
            sum_of="supplement",
        ),
    ]
    return Item(
        key="pensions.funds",
        title="优抚资金应发尽发",
        default_sentence=FUNDS_SENTENCE,
        figures=recorded(figures, when=bool(totals)),
        required=tuple(key for _, persons_key, _, total_key, _ in FUND_PROGRAMMES for key in (persons_key, total_key)),
        detail_headers=["资金项目", "人数（人）", "笔数", "金额（元）"],
        detail_rows=DeferredRows(
            lambda: [
                [programmes.PROGRAMMES[code][0], totals[code]["persons"], totals[code]["count"], totals[code]["total"]]
                for code in codes
                if code in totals
            ]
        ),
    )


def fund_totals(*, year: int, township, codes: list[str]) -> dict[str, dict]:
    """
    {code: {"persons", "count", "total"}} of the programmes paid in the year, from the ledger's summary
    (`bureau.models.ledger_summary`: a few rows at any size of the ledger), but the conscript family
    allowance, whose back pay counts in the year paid (`fund_payments`): its few rows are summed here.
    """
    codes_by_pk = dict(PaymentProgramme.objects.filter(code__in=codes).values_list("pk", "code"))
    by_period = [pk for pk, code in codes_by_pk.items() if code != programmes.CONSCRIPT_FAMILY]
    totals = {
        codes_by_pk[pk]: {"persons": row["persons"], "count": row["payments"], "total": row["total"]}
        for pk, row in ledger_summary.by_programme(year=year, township=township, programme_ids=by_period).items()
    }
    family = [pk for pk, code in codes_by_pk.items() if code == programmes.CONSCRIPT_FAMILY]
    if family:
        # `fund_payments` for this programme alone, by its id: an index serves it at any size of the year.
        family_rows = Payment.objects.in_township(township).filter(
            Q(period_year=year, paid_on__lte=period_end(year)) | Q(paid_on__year=year, period_year__lt=year),
            programme_id=family[0],
        )
        row = family_rows.aggregate(persons=Count("person", distinct=True), count=Count("pk"), total=Sum("amount"))
        if row["count"]:
            totals[programmes.CONSCRIPT_FAMILY] = row
    return totals


def fund_payments(*, year: int, township=None):
    """
    The ledger rows of the year (`Payment.objects.in_year`): for the conscript family allowance, whose
    row's period is the benefit year, a row paid after its year is back pay (补发) and counts in the
    year it was paid, not in its own.
    """
    family = Q(programme__code=programmes.CONSCRIPT_FAMILY)
    of_the_year = Q(period_year=year) & ~(family & Q(paid_on__gt=period_end(year)))
    back_paid = family & Q(paid_on__year=year, period_year__lt=year)
    return Payment.objects.in_township(township).filter(of_the_year | back_paid)


def conscript_visit_years(payments) -> list[int]:
    """The enlistment years of the conscripts behind the year's conscript visits (see the module's docstring)."""
    visited = set(payments.of_programme(programmes.CONSCRIPT_VISIT).values_list("person", flat=True))
    if not visited:
        return []
    by_family = defaultdict(set)
    for family, enlisted in (
        ConscriptBenefit.objects.approved().filter(family__in=visited).values_list("family", "enlistment_year")
    ):
        by_family[family].add(enlisted)
    years = [enlisted for enlisted_years in by_family.values() for enlisted in enlisted_years]
    for enlisted_on in (
        Person.objects.filter(pk__in=visited - by_family.keys(), enlisted_on__isnull=False)
        .values_list("enlisted_on", flat=True)
        .order_by()
    ):
        years.append(enlisted_on.year)
    return years


# -- 二 口述历史 ------------------------------------------------------------------------------------


def living_korean_war_veterans(*, year: int, township=None):
    """Persons holding the Korean War veteran category on 31 December, alive and living in the district that day."""
    end = period_end(year)
    return (
        Person.objects.approved()
        .in_township(township)
        .holding(PreferentialCategory.KOREAN_WAR_VETERAN, on=end)
        .present_on(end)
    )


def living_korean_war_veterans_count(*, year: int, township=None) -> int:
    """`living_korean_war_veterans(...).count()`, read from the registry summary the database keeps."""
    present = registry_summary.counts(year=year, township=township)["present"]
    return present.get(PreferentialCategory.KOREAN_WAR_VETERAN.value, 0)


def oral_history_item(*, year: int, township=None) -> Item:
    veterans = living_korean_war_veterans(year=year, township=township)
    interviews_of_the_year = (
        OralHistoryInterview.objects.approved().in_township(township).filter(interviewed_on__year=year)
    )
    interviewed = interviews_of_the_year.aggregate(n=Count("person", distinct=True))["n"]
    # A township's exhibitions are those recorded with it; the bureau's district-wide ones have no township.
    exhibitions_of_the_year = (
        OralHistoryExhibition.objects.approved().in_township(township).filter(start_date__year=year)
    )
    exhibitions = list(exhibitions_of_the_year.order_by("start_date", "pk"))
    venue_kinds = {e.venue_kind for e in exhibitions}
    # The filming is the bureau's project: a township none of whose veterans was filmed, and where no
    # showing was held, had no part in it that year (left out of its report, not a gap), when the
    # district has records of it.
    no_part = (
        township is not None
        and not (interviewed or exhibitions)
        and (
            OralHistoryInterview.objects.approved().filter(interviewed_on__year=year).exists()
            or OralHistoryExhibition.objects.approved().filter(start_date__year=year).exists()
        )
    )
    return Item(
        key="pensions.oral_history",
        title="进行口述历史纪实视频拍摄，留存“红色记忆”",
        default_sentence=ORAL_HISTORY_SENTENCE,
        figures=recorded(
            [
                Figure(
                    "korean_war_veterans",
                    "健在的抗美援朝老兵",
                    living_korean_war_veterans_count(year=year, township=township),
                    "位",
                    records=veterans,
                ),
                Figure(
                    "interviews",
                    "口述历史拍摄",
                    interviewed,
                    "人",
                    records=persons_of(interviews_of_the_year),
                ),
                Figure(
                    "exhibitions",
                    "展陈宣讲活动",
                    len(exhibitions),
                    "场",
                    scope=TOWNSHIP,
                    records=exhibitions_of_the_year,
                ),
                Figure(
                    "exhibition_venues",
                    "展陈宣讲场所",
                    [v.label for v in OralHistoryExhibition.Venue if v.value in venue_kinds],
                ),
            ],
            when=bool(interviewed or exhibitions),
        ),
        required=("korean_war_veterans", "interviews"),
        detail_headers=["类别", "日期", "老兵/活动", "参战经历/场所", "乡镇（街道）/地点", "时长/人数"],
        detail_rows=DeferredRows(lambda: oral_history_rows(interviews_of_the_year, exhibitions)),
        district_only=no_part,
    )


def oral_history_rows(interviews, exhibitions):
    """The interviews (a chunk at a time), then the showings."""
    for i in (
        interviews.select_related("person__township")
        .order_by("interviewed_on", "pk")
        .iterator(chunk_size=DETAIL_ROWS_CHUNK)
    ):
        yield [
            "口述历史拍摄",
            i.interviewed_on,
            f"{i.person.name}（{mask_id_number(i.person.id_number)}）",
            i.get_war_display(),
            i.person.township.name,
            f"{i.duration_minutes}分钟",
        ]
    for e in exhibitions:
        yield ["展陈宣讲", e.start_date, e.title, e.get_venue_kind_display(), e.venue, e.headcount]


# -- 三 “送温暖” -----------------------------------------------------------------------------------


def spring_festival_visits(*, year: int, township=None):
    return (
        Visit.objects.approved()
        .in_township(township)
        .filter(area=AREA, occasion=Occasion.SPRING_FESTIVAL, visited_on__year=year)
    )


def spring_visits_item(*, year: int, township=None) -> Item:
    visits_of_the_year = spring_festival_visits(year=year, township=township)
    problems_of_the_visits = Problem.objects.approved().filter(visit__in=visits_of_the_year)
    # Distinct persons overall and per hardship category, and the aid, summed by the database.
    counts = visits_of_the_year.aggregate(
        visits=Count("pk"),
        visited=Count("person", distinct=True),
        aid=Sum("amount"),
        **{key: Count("person", distinct=True, filter=Q(hardship_category=c.value)) for c, key in VISITED_KEYS.items()},
    )
    problems = problems_of_the_visits.aggregate(
        problems=Count("pk"), resolved=Count("pk", filter=Q(state__in=Problem.SOLVED))
    )
    figures = [
        Figure(
            key,
            category.label,
            counts[key],
            "人",
            records=persons_of(visits_of_the_year.filter(hardship_category=category.value)),
        )
        for category, key in VISITED_KEYS.items()
    ]
    aid = counts["aid"] or Decimal("0")
    figures += [
        Figure(
            "visited",
            "走访慰问人数",
            counts["visited"],
            "人",
            records=persons_of(visits_of_the_year),
            headline=True,
        ),
        Figure(
            "visited_groups",
            "走访慰问对象",
            [f"{c.label}{counts[key]}人" for c, key in VISITED_KEYS.items() if counts[key]],
        ),
        # No aid given is no clause (None), never 共发放帮扶资金0元.
        Figure(
            "aid_total", "帮扶资金", aid or None, "元", records=visits_of_the_year.filter(amount__gt=0) if aid else None
        ),
        Figure("problems", "收集困难问题", problems["problems"], "件", records=problems_of_the_visits),
        Figure(
            "problems_resolved",
            "已解决问题",
            problems["resolved"],
            "件",
            records=problems_of_the_visits.filter(state__in=Problem.SOLVED),
        ),
    ]
    return Item(
        key="pensions.spring_visits",
        title="将“送温暖”活动向生活困难退役军人家庭延伸",
        default_sentence=SPRING_VISITS_SENTENCE,
        figures=recorded(figures, when=bool(counts["visits"])),
        required=("visited", "visited_groups"),
        detail_headers=[
            "走访日期",
            "姓名",
            "身份证号",
            "乡镇（街道）",
            "帮扶类别",
            "慰问金（元）",
            "收集问题（件）",
            "已解决（件）",
        ],
        detail_rows=DeferredRows(lambda: spring_visit_rows(visits_of_the_year, problems_of_the_visits)),
    )


def spring_visit_rows(visits, problems):
    """The visits, one row each (a chunk at a time), with the problems recorded against each."""
    by_visit = defaultdict(lambda: [0, 0])
    for visit, state in problems.values_list("visit", "state").order_by().iterator(chunk_size=DETAIL_ROWS_CHUNK):
        by_visit[visit][0] += 1
        by_visit[visit][1] += state in Problem.SOLVED
    categories = dict(HardshipCategory.choices)
    for v in (
        visits.select_related("person__township").order_by("visited_on", "pk").iterator(chunk_size=DETAIL_ROWS_CHUNK)
    ):
        collected, solved = by_visit.get(v.pk, (0, 0))
        yield [
            v.visited_on,
            v.person.name,
            mask_id_number(v.person.id_number),
            v.person.township.name,
            categories.get(v.hardship_category, ""),
            v.amount,
            collected,
            solved,
        ]


# -- 四 重点优抚对象免费体检 ------------------------------------------------------------------------


def key_beneficiary_checkups(*, year: int, township=None):
    batches = CheckUpBatch.objects.approved().filter(
        population=CheckUpBatch.Population.KEY_BENEFICIARIES, start_date__year=year
    )
    return CheckUp.objects.approved().in_township(township).filter(batch__in=batches)


def checkups_item(*, year: int, township=None) -> Item:
    checkups_of_the_year = key_beneficiary_checkups(year=year, township=township)
    # A health file: a check-up holding a result, a summary (blank is none) or an attached report.
    with_result = Q(summary__gt="") | Q(attachments__isnull=False)
    filed_checkups = checkups_of_the_year.annotate(summary=Trim("result_summary")).filter(with_result)
    Mode = CheckUp.Mode
    # Distinct persons overall, per mode and with a health file, counted by the database in one query.
    persons = checkups_of_the_year.annotate(summary=Trim("result_summary")).aggregate(
        checked=Count("person", distinct=True),
        health_files=Count("person", distinct=True, filter=with_result),
        **{mode.value: Count("person", distinct=True, filter=Q(mode=mode.value)) for mode in Mode},
    )
    modes = [mode for mode in Mode if persons[mode.value]]
    return Item(
        key="pensions.checkups",
        title="为重点优抚对象免费体检",
        default_sentence=CHECKUPS_SENTENCE,
        figures=recorded(
            [
                Figure("checked", "参加体检", persons["checked"], "人", records=persons_of(checkups_of_the_year)),
                *[
                    Figure(
                        key,
                        mode.label,
                        persons[mode.value],
                        "人",
                        records=persons_of(checkups_of_the_year.filter(mode=mode.value)),
                    )
                    for key, mode in [
                        ("on_site", Mode.ON_SITE),
                        ("at_home", Mode.HOME_VISIT),
                        ("transported", Mode.TRANSPORTED),
                    ]
                ],
                Figure(
                    "health_files", "健康电子档案", persons["health_files"], "份", records=persons_of(filed_checkups)
                ),
                Figure("modes", "体检方式", [f"{mode.label}{persons[mode.value]}人" for mode in modes]),
                Figure("mode_names", "体检方式名称", [mode.label for mode in modes]),
            ],
            when=bool(persons["checked"]),
        ),
        required=("checked",),
        # Never the results themselves: health is personal data, and the report goes to leadership.
        detail_headers=["体检批次", "体检日期", "姓名", "身份证号", "乡镇（街道）", "体检方式", "已建档"],
        detail_rows=DeferredRows(lambda: checkup_rows(checkups_of_the_year)),
    )


def checkup_rows(checkups):
    """The check-ups, one row each, read a chunk at a time."""
    rows = (
        checkups.select_related("batch", "person__township")
        .annotate(summary=Trim("result_summary"), attached=Count("attachments"))
        .order_by("checked_on", "pk")
    )
    for c in rows.iterator(chunk_size=DETAIL_ROWS_CHUNK):
        yield [
            c.batch.title,
            c.checked_on,
            c.person.name,
            mask_id_number(c.person.id_number),
            c.person.township.name,
            c.get_mode_display(),
            "是" if (c.summary or c.attached) else "否",
        ]
