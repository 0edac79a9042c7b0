"""
Writes of preferential care that span models: the money of “三难” aid and of conscript families'
allowances, written to the ledger (bureau.rules.payments.ledger keeps each record's row in step on every write
path; the functions here say which row a record pays once approved).
"""

from bureau.rules.payments.ledger import PaymentSpec
from pensions.models import ConscriptBenefit, HardshipAid
from pensions.programmes import CONSCRIPT_FAMILY, HARDSHIP_AID, programme

HARDSHIP_AID_DUPLICATE = (
    "该申请人本月已领取过“三难”救助，同一人每月只能发放一次；请核对审批日期，或与已发放的救助合并办理。"
)
CONSCRIPT_BENEFIT_DUPLICATE = "该家属在该优待年度已领取过义务兵家庭优待金，不能重复发放。"


def hardship_aid_payment(aid: HardshipAid) -> PaymentSpec | None:
    """A granted application, once approved: the amount granted, paid in the month of the decision."""
    if not (aid.decision == HardshipAid.Decision.GRANTED and aid.amount_granted and aid.decided_on and aid.person_id):
        return None
    return PaymentSpec(
        person=aid.person,
        programme=programme(HARDSHIP_AID),
        amount=aid.amount_granted,
        period=f"{aid.decided_on:%Y-%m}",
        paid_on=aid.decided_on,
        note=f"“三难”救助（{aid.get_kind_display()}），{aid.applied_on:%Y-%m-%d}申请，{aid.decided_on:%Y-%m-%d}批准",
        duplicate_message=HARDSHIP_AID_DUPLICATE,
    )


def conscript_benefit_payment(benefit: ConscriptBenefit) -> PaymentSpec | None:
    """An allowance paid (a paying date set), once approved: allowance plus supplement, for the benefit year."""
    if not (benefit.paid_on and benefit.family_id and benefit.amount and benefit.benefit_year):
        return None
    note = (
        f"义务兵{benefit.conscript_name}，{benefit.enlistment_year}年入伍，服役地区{benefit.get_region_display()}"
        f"，{benefit.benefit_year}年度优待金{benefit.amount}元"
    )
    if benefit.supplement:
        note += f"，补助{benefit.supplement}元"
    if benefit.back_pay:
        note += "（补发）"
    return PaymentSpec(
        person=benefit.family,
        programme=programme(CONSCRIPT_FAMILY),
        amount=benefit.total,
        period=str(benefit.benefit_year),
        paid_on=benefit.paid_on,
        note=note,
        duplicate_message=CONSCRIPT_BENEFIT_DUPLICATE,
    )
