"""
Care records' writes to the ledger: an approved visit's 慰问金 is a payment of the visit's
programme (bureau.rules.payments.ledger keeps the row in step with the visit on every write path).
"""

from bureau.models import Visit
from bureau.rules.payments.ledger import PaymentSpec

VISIT_DUPLICATE = (
    "该人员本月已在该资金项目下领取过慰问金（或其他款项），同一资金项目每人每月只能发放一次；"
    "请更换资金项目、核对走访日期，或不填写慰问金。"
)


def visit_payment(visit: Visit) -> PaymentSpec | None:
    """The 慰问金 of a visit, once approved: paid on the visit's day, in the visit's month."""
    if not (visit.amount and visit.programme_id and visit.person_id and visit.visited_on):
        return None
    return PaymentSpec(
        person=visit.person,
        programme=visit.programme,
        amount=visit.amount,
        period=f"{visit.visited_on:%Y-%m}",
        paid_on=visit.visited_on,
        note=f"走访慰问：{visit.get_occasion_display()}，{visit.visited_on:%Y-%m-%d}，走访人{visit.visitor}"
        + (f"（走访记录 {visit.pk}）" if visit.pk else ""),
        duplicate_message=VISIT_DUPLICATE,
    )
