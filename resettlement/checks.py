"""This area's contradictions for the 数据质量核查 (`bureau.rules.datacheck`), declared in apps.py."""

import datetime
from collections.abc import Iterable

from bureau.rules.datacheck import Check, Finding, admin_url
from resettlement import eligibility


def placed_and_paid(today: datetime.date) -> Iterable[Finding]:
    """The settlement routes exclude each other: a placement candidate is not also paid the self-employment grant."""
    for person in eligibility.placed_and_paid_the_grant().order_by("name", "pk"):
        yield Finding(person.name, "既是安排工作选岗候选人，又领取了自主就业金。", admin_url(person))


def _figure(value) -> str:
    # A whole number of years stored as a decimal (15.0) reads as 15.
    return str(int(value)) if value is not None and value == int(value) else str(value)


def candidates_differing(today: datetime.date) -> Iterable[Finding]:
    """A candidate's facts fixed at the session that the registry no longer holds (a record corrected since)."""
    for candidate, differences in eligibility.candidates_differing_from_registry():
        fields = type(candidate)._meta
        detail = "；".join(
            f"{fields.get_field(name).verbose_name}：候选人为 {_figure(stored)}，人员登记为 {_figure(registry)}"
            for name, (stored, registry) in differences.items()
        )
        yield Finding(f"{candidate.batch}：{candidate.person.name}", detail, admin_url(candidate))


def candidates_of_another_route(today: datetime.date) -> Iterable[Finding]:
    for candidate in eligibility.candidates_not_arranged_job().order_by("batch__year", "pk"):
        route = candidate.person.get_discharge_route_display() or "未填写"
        yield Finding(
            f"{candidate.batch}：{candidate.person.name}",
            f"人员登记的安置方式为“{route}”，不是安排工作。",
            admin_url(candidate),
        )


def grants_of_another_route(today: datetime.date) -> Iterable[Finding]:
    # A candidate paid the grant is the check above's finding, not this one's too.
    payments = eligibility.grants_not_self_employed().exclude(person__in=eligibility.placed_and_paid_the_grant())
    for payment in payments.select_related("person", "programme").order_by("pk"):
        route = payment.person.get_discharge_route_display() or "未填写"
        yield Finding(
            f"{payment.person.name}：{payment.programme.name} {payment.period} {payment.amount} 元",
            f"人员登记的安置方式为“{route}”，不是自主就业。",
            admin_url(payment),
        )


PLACED_AND_PAID = Check(
    "placed_and_paid_the_grant",
    "既安排工作又领取自主就业金",
    "核实安置方式；多发的自主就业金按规定追回。",
    placed_and_paid,
)
CANDIDATES_DIFFERING = Check(
    "candidates_differing_from_registry",
    "选岗候选人信息与人员登记不一致",
    "核实人员登记（入伍、退役日期和立功受奖），必要时以调整分值说明原因。",
    candidates_differing,
)
CANDIDATES_OF_ANOTHER_ROUTE = Check(
    "candidates_not_arranged_job",
    "选岗候选人的安置方式不是安排工作",
    "更正人员的安置方式，或将其移出选岗批次。",
    candidates_of_another_route,
)
GRANTS_OF_ANOTHER_ROUTE = Check(
    "grants_not_self_employed",
    "自主就业金发给了安置方式不是自主就业的人员",
    "核实安置方式；多发的资金按规定追回。",
    grants_of_another_route,
)
