"""
The person file: one page with everything every app holds about a person.

The core part is below; each area app declares its part once, in its
`AreaConfig.person_file` (bureau.areas), and the core never imports it by name.
Every part reads a fixed number of queries whatever the number of rows, and
through `visible_to(user)`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from bureau.areas import area_configs
from bureau.base.masking import can_view_sensitive, mask_for, shown, unmasked
from bureau.models import CheckUp, Payment, Visit
from bureau.rules import audit

CORE_TITLE = "优抚类别、家庭关系、立功受奖、资金发放、走访慰问与健康档案"
CORE_TEMPLATE = "bureau/person_file_core.html"
MONTHS = list(range(1, 13))


@dataclass
class ProgrammeRow:
    """One programme's payments of a year: the amount of each month, of the year as a whole, and the total."""

    programme: str
    months: list[Decimal | None] = field(default_factory=lambda: [None] * 12)
    annual: Decimal | None = None  # paid for the year, not for a month (春节慰问金, 优待金 …)
    total: Decimal = Decimal("0")


@dataclass
class PaymentYear:
    year: int
    rows: list[ProgrammeRow]
    months: list[Decimal | None]
    annual: Decimal | None
    total: Decimal


def payment_years(payments) -> list[PaymentYear]:
    """The person's payments as one table a year (newest first): programme rows × months, with totals."""
    by_year: dict[int, dict[str, ProgrammeRow]] = defaultdict(dict)
    for payment in payments:
        year, _, month = payment.period.partition("-")
        row = by_year[int(year)].setdefault(payment.programme.name, ProgrammeRow(payment.programme.name))
        if month:
            index = int(month) - 1
            row.months[index] = (row.months[index] or Decimal("0")) + payment.amount
        else:
            row.annual = (row.annual or Decimal("0")) + payment.amount
        row.total += payment.amount
    tables = []
    for year in sorted(by_year, reverse=True):
        rows = sorted(by_year[year].values(), key=lambda row: row.programme)
        tables.append(
            PaymentYear(
                year=year,
                rows=rows,
                months=[_sum(row.months[index] for row in rows) for index in range(12)],
                annual=_sum(row.annual for row in rows),
                total=sum((row.total for row in rows), Decimal("0")),
            )
        )
    return tables


def _sum(amounts) -> Decimal | None:
    amounts = [amount for amount in amounts if amount is not None]
    return sum(amounts, Decimal("0")) if amounts else None


def health_file(person, user) -> list[dict]:
    """
    The person's check-ups, each with its result summary as this user may see it: whole for a
    role with the right to personal data (one audit event per check-up shown, written together),
    masked whole for anyone else.
    """
    checkups = list(
        CheckUp.objects.visible_to(user)
        .filter(person=person)
        .select_related("batch", "person")  # the person names each audit event (`str(checkup)`)
        .prefetch_related("attachments")
        .order_by("-checked_on", "-pk")
    )
    with_result = [checkup for checkup in checkups if checkup.result_summary]
    whole = can_view_sensitive(user) and bool(with_result)
    if whole:
        audit.record_many(audit.Kind.SENSITIVE_VIEW, objs=with_result, user=user, fields=["result_summary"])
    mask = mask_for(CheckUp, "result_summary")
    entries = []
    for checkup in checkups:
        if whole:
            with unmasked():
                summary = shown(user, checkup.result_summary, mask)
        else:
            summary = shown(user, checkup.result_summary, mask)
        entries.append({"checkup": checkup, "summary": summary, "reports": list(checkup.attachments.all())})
    return entries


def _core_context(person, user) -> dict:
    payments = Payment.objects.visible_to(user).filter(person=person).select_related("programme")
    return {
        "categories": person.categories.all(),
        "family_links": person.family_links.select_related("relative"),
        "merits": person.merits.all(),
        "payment_years": payment_years(payments),
        "months": MONTHS,
        "visits": Visit.objects.visible_to(user)
        .filter(person=person)
        .select_related("programme")
        .order_by("-visited_on", "-pk"),
        "checkups": health_file(person, user),
    }


def sections_for(person, user) -> list[dict]:
    """The core part first, then each area's part in its declared order."""
    sections = [(0, CORE_TITLE, CORE_TEMPLATE, _core_context)]
    for area in area_configs():
        if area.person_file:
            part = area.person_file
            sections.append((part.order, part.title, part.template, area.person_file_context()))
    sections.sort(key=lambda section: (section[0], section[1]))
    return [{"title": title, "template": template, **context(person, user)} for _, title, template, context in sections]
