"""
Item 一 of section (二), 各类资金发放到位, from the records of the year: the grants the ledger paid
(person-times and the total in 万元), the insurance continued, the retirees' staff medical insurance.
"""

import datetime
from decimal import Decimal

import pytest

from bureau.models import ReviewStatus
from reports.compose import compose_report
from resettlement import subsidies
from resettlement.models import InsuranceContinuation
from resettlement.report import section
from tests.factories import PersonFactory
from tests.resettlement.factories import InsuranceContinuationFactory

pytestmark = pytest.mark.django_db
D = datetime.date
Kind = InsuranceContinuation.Kind
State = InsuranceContinuation.State

FUNDS = (
    "各类资金发放到位。对2021年退役士兵就业金核算及发放人数3人次，发放自主就业金6.02万元；"
    "为3名退役士兵办理社保接续，3名退休人员核算办理职工医疗保险，办理缴费2人，"
    "个人负担3600元，财政负担1.08万元，合计1.44万元。"
)


def item_text(document, key: str) -> str:
    [(label, text)] = [(i.label, i.text) for s in document.sections for i in s.items if i.item.key == key]
    return text.removeprefix(label)


def figures(year=2021, township=None) -> dict:
    [funds, _] = section(year=year, township=township).items
    return {f.key: f.value for f in funds.figures}


@pytest.fixture
def insurance(cohort, township_a, township_b):
    """
    Continued: the 2021 cohort's three (pension and medical for one, one kind for the others) —
    3 persons; not counted: one awaiting review, one handled in 2020. Staff medical insurance:
    three retirees accounted, two paid (1,800 + 5,400 each), one only accounted.
    """
    five, two, short = cohort["five"], cohort["two"], cohort["short"]
    InsuranceContinuationFactory(person=five, kind=Kind.PENSION, handled_on=D(2021, 10, 1))
    InsuranceContinuationFactory(person=five, kind=Kind.MEDICAL, handled_on=D(2021, 10, 1))
    InsuranceContinuationFactory(person=two, kind=Kind.UNEMPLOYMENT, handled_on=D(2021, 10, 11))
    InsuranceContinuationFactory(person=short, kind=Kind.MEDICAL, handled_on=D(2021, 7, 1))
    InsuranceContinuationFactory(
        person=cohort["no_enlistment"],
        kind=Kind.PENSION,
        handled_on=D(2021, 10, 1),
        review_status=ReviewStatus.SUBMITTED,
    )
    InsuranceContinuationFactory(person=short, kind=Kind.PENSION, handled_on=D(2020, 12, 31))
    retirees = [PersonFactory(township=township) for township in (township_a, township_a, township_b)]
    for n, retiree in enumerate(retirees):
        InsuranceContinuationFactory(
            person=retiree,
            kind=Kind.STAFF_MEDICAL,
            handled_on=D(2021, 3, 1 + n),
            personal_share=Decimal("1800.00"),
            fiscal_share=Decimal("5400.00"),
            state=State.PAID if n < 2 else State.ACCOUNTED,
        )
    return retirees


def test_the_report_states_person_times_and_the_total_in_wan_yuan(
    standard_2021, cohort, insurance, bureau_user, approver
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    subsidies.approve_and_pay(run=run, by=approver, paid_on=D(2021, 12, 15))

    assert item_text(compose_report(year=2021), "resettlement.funds") == FUNDS
    assert figures() == {
        "subsidy_person_times": 3,
        "subsidy_total": Decimal("60160.00"),
        "insurance_continuations": 3,
        "medical_persons": 3,
        "medical_payers": 2,
        "medical_personal": Decimal("3600.00"),
        "medical_fiscal": Decimal("10800.00"),
        "medical_total": Decimal("14400.00"),
    }


def test_a_run_not_yet_approved_pays_nothing_in_the_report(standard_2021, cohort, bureau_user):
    subsidies.calculate(cohort_year=2021, by=bureau_user)
    [funds, _] = section(year=2021).items
    assert not funds.has_data
    assert "resettlement.funds" not in {i.item.key for s in compose_report(year=2021).sections for i in s.items}


def test_a_township_report_counts_its_own_residents(
    standard_2021, cohort, insurance, bureau_user, approver, township_a, township_b
):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    subsidies.approve_and_pay(run=run, by=approver, paid_on=D(2021, 12, 15))

    assert figures(township=township_a) == {
        "subsidy_person_times": 2,
        "subsidy_total": Decimal("43120.00"),
        "insurance_continuations": 2,
        "medical_persons": 2,
        "medical_payers": 2,
        "medical_personal": Decimal("3600.00"),
        "medical_fiscal": Decimal("10800.00"),
        "medical_total": Decimal("14400.00"),
    }
    assert figures(township=township_b)["subsidy_total"] == Decimal("17040.00")
    assert figures(township=township_b)["medical_payers"] == 0


def test_the_detail_rows_behind_the_figures(standard_2021, cohort, insurance, bureau_user, approver):
    run = subsidies.calculate(cohort_year=2021, by=bureau_user)
    subsidies.approve_and_pay(run=run, by=approver, paid_on=D(2021, 12, 15))
    [funds, _] = section(year=2021).items

    assert funds.detail_headers == ["项目", "人数（人次）", "个人负担（元）", "财政负担（元）", "金额合计（元）"]
    assert funds.detail_rows == [
        ["自主就业金", 3, None, None, Decimal("60160.00")],
        ["养老保险", 1, Decimal("1200.00"), Decimal("3600.00"), Decimal("4800.00")],
        ["医疗保险", 2, Decimal("2400.00"), Decimal("7200.00"), Decimal("9600.00")],
        ["失业保险", 1, Decimal("1200.00"), Decimal("3600.00"), Decimal("4800.00")],
        ["职工医疗保险（退休人员）", 3, Decimal("5400.00"), Decimal("16200.00"), Decimal("21600.00")],
        ["其中：职工医疗保险已缴费", 2, Decimal("3600.00"), Decimal("10800.00"), Decimal("14400.00")],
    ]


def test_insurance_alone_makes_the_item_without_the_grant(insurance):
    text = item_text(compose_report(year=2021), "resettlement.funds")
    assert text.startswith("各类资金发放到位。为3名退役士兵办理社保接续，3名退休人员核算办理职工医疗保险")
    assert "自主就业金" not in text


def test_a_year_without_records_lists_the_item_as_missing():
    [funds, placement] = section(year=2021).items
    assert not funds.has_data
    assert section(year=2021).placeholder is False
    gaps = {gap.figure for gap in compose_report(year=2021).gaps if gap.area == "移交安置"}
    assert "自主就业金发放人次" in gaps
