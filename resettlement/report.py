"""
Section (二) 移交安置工作更有力度: the money paid (self-employment grants, insurance continued for
returning veterans, the retirees' staff medical insurance) and the government-arranged placement.

Rules the sentence of item 一 rests on:

- 自主就业金: the ledger rows of programme 自主就业金 of the year (`Payment.objects.in_year`: the
  period is the cohort year, as `pensions.report.fund_payments` counts a year's rows); person-times
  are the rows, the total their sum. The ledger is what was paid: a run calculated and not yet
  approved counts nothing.
- 社保接续: approved continuations of pension, medical or unemployment insurance handled in the
  year, counted as distinct persons.
- 职工医疗保险: approved staff medical insurance rows (retirees) handled in the year. Persons
  accounted are distinct persons of any state; payers are the distinct persons of the rows paid
  (state 已缴费), and the shares and the total are the sums over those paid rows.

A township report counts its residents' payments and its own records (a record's township is
its person's), and says whose they are (对东城街道2021年退役士兵…). Item 二 is the placement
batch's (`resettlement.report_placement`).

Drill-down (`Figure.records`): the grant's ledger rows (their count is the person-times, their
Sum("amount") the total), the persons behind each headcount, and the paid staff medical rows with
`amount` annotated as the share the figure adds up, so that Sum("amount") is the figure too.

A clause whose figure is zero is left out: no 办理缴费0人, no 个人负担0元.
"""

from dataclasses import replace
from decimal import Decimal

from django.db.models import Count, F, Sum

from bureau.models import Payment
from bureau.reporting import DeferredRows, Figure, Item, Section
from bureau.reporting.persons import person_count, persons_of
from resettlement.models import InsuranceContinuation
from resettlement.programmes import SELF_EMPLOYMENT_GRANT
from resettlement.report_placement import placement_item

Kind = InsuranceContinuation.Kind
ZERO = Decimal("0")

FUNDS_SENTENCE = (
    "{% if subsidy_person_times %}对{% if in_township %}{{ place }}{% endif %}{{ year }}年退役士兵就业金核算及发放人数"
    "{{ subsidy_person_times }}人次，发放自主就业金{{ subsidy_total }}"
    "{% if insurance_continuations or medical_persons %}；{% else %}。{% endif %}{% endif %}"
    "{% if insurance_continuations %}为{{ insurance_continuations }}名退役士兵办理社保接续"
    "{% if medical_persons %}，{% else %}。{% endif %}{% endif %}"
    "{% if medical_persons %}{{ medical_persons }}名退休人员核算办理职工医疗保险"
    "{% if medical_payers %}，办理缴费{{ medical_payers }}人"
    # Money reaches the sentence formatted: a share of nothing reads 0元, and is left out.
    "{% if medical_personal and medical_personal != '0元' %}，个人负担{{ medical_personal }}{% endif %}"
    "{% if medical_fiscal and medical_fiscal != '0元' %}，财政负担{{ medical_fiscal }}{% endif %}"
    "{% if medical_personal and medical_personal != '0元' and medical_fiscal and medical_fiscal != '0元' %}"
    "，合计{{ medical_total }}{% endif %}"
    "{% endif %}。{% endif %}"
)
FUNDS_HEADERS = ["项目", "人数（人次）", "个人负担（元）", "财政负担（元）", "金额合计（元）"]


def section(*, year: int, township=None) -> Section:
    return Section(
        app_label="resettlement",
        area="移交安置",
        heading="移交安置工作更有力度",
        items=[funds_item(year=year, township=township), placement_item(year=year, township=township)],
    )


def grant_payments(*, year: int, township=None):
    """The ledger rows of the self-employment grant of the year."""
    return Payment.objects.in_township(township).in_year(year).of_programme(SELF_EMPLOYMENT_GRANT)


def continuations(*, year: int, township=None):
    """Approved insurance continuations and staff medical insurance handled in the year."""
    return InsuranceContinuation.objects.approved().in_township(township).filter(handled_on__year=year)


def money(rows, amount=None):
    """
    The rows a 元 figure adds up, with `amount` the share it adds (annotated where the rows name it
    otherwise), so that Sum("amount") is the figure; None over no rows, whose Sum would be None, not 0.
    """
    if not rows.exists():
        return None
    return rows if amount is None else rows.annotate(amount=amount)


def funds_item(*, year: int, township=None) -> Item:
    grant_rows = grant_payments(year=year, township=township)
    grants = grant_rows.aggregate(count=Count("pk"), total=Sum("amount"))
    records = continuations(year=year, township=township)
    continued = records.filter(kind__in=InsuranceContinuation.CONTINUATION_KINDS)
    medical = records.filter(kind=Kind.STAFF_MEDICAL)
    paid_medical = medical.filter(state=InsuranceContinuation.State.PAID)
    medical_sums = paid_medical.aggregate(
        payers=Count("person", distinct=True), personal=Sum("personal_share"), fiscal=Sum("fiscal_share")
    )
    personal, fiscal = medical_sums["personal"] or ZERO, medical_sums["fiscal"] or ZERO
    by_kind = {
        row["kind"]: row
        for row in records.order_by()
        .values("kind")
        .annotate(persons=Count("person", distinct=True), personal=Sum("personal_share"), fiscal=Sum("fiscal_share"))
    }

    continued_persons = persons_of(continued)
    medical_persons = persons_of(medical)
    payers = persons_of(paid_medical)

    figures = [
        Figure("subsidy_person_times", "自主就业金发放人次", grants["count"], "人次", records=grant_rows),
        Figure("subsidy_total", "自主就业金", grants["total"] or ZERO, "元", records=money(grant_rows), headline=True),
        Figure("insurance_continuations", "社保接续", person_count(continued), "人", records=continued_persons),
        Figure("medical_persons", "职工医疗保险核算人数", person_count(medical), "人", records=medical_persons),
        Figure("medical_payers", "缴费人数", medical_sums["payers"], "人", records=payers),
        Figure("medical_personal", "个人负担", personal, "元", records=money(paid_medical, F("personal_share"))),
        Figure("medical_fiscal", "财政负担", fiscal, "元", records=money(paid_medical, F("fiscal_share"))),
        Figure(
            "medical_total",
            "医疗保险合计",
            personal + fiscal,
            "元",
            records=money(paid_medical, F("personal_share") + F("fiscal_share")),
        ),
    ]
    if not (grants["count"] or by_kind):
        # Without any record behind the item every figure is unknown, not zero.
        figures = [replace(f, value=None, records=None) for f in figures]

    rows = []
    if grants["count"]:
        rows.append(["自主就业金", grants["count"], None, None, grants["total"]])
    for kind in (*InsuranceContinuation.CONTINUATION_KINDS, Kind.STAFF_MEDICAL):
        if kind in by_kind:
            row = by_kind[kind]
            personal_share, fiscal_share = row["personal"] or ZERO, row["fiscal"] or ZERO
            rows.append([Kind(kind).label, row["persons"], personal_share, fiscal_share, personal_share + fiscal_share])
    if medical_sums["payers"]:
        rows.append(["其中：职工医疗保险已缴费", medical_sums["payers"], personal, fiscal, personal + fiscal])
    return Item(
        key="resettlement.funds",
        title="各类资金发放到位",
        default_sentence=FUNDS_SENTENCE,
        figures=figures,
        detail_headers=FUNDS_HEADERS,
        detail_rows=DeferredRows(lambda: rows),
    )
