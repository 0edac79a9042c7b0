"""
The self-employment grant (自主就业金) of a discharge cohort: calculate, approve and pay, bank file.

Who is in a cohort: every approved person discharged in the cohort year by the 自主就业 route.
One without an enlistment date cannot be calculated: they are listed back to the clerk
(`missing_enlistment`) so that their record is completed and the run recalculated, never left
out unseen. Nor is anyone the registry says may not be paid (`resettlement.eligibility`): not a
veteran, died or moved out of the district, or a placement candidate (the settlement route is
exclusive); they are listed back with the reason (`excluded`). A change of that kind after the
calculation (a death recorded) refuses the approval until the run is recalculated. The amount is the run's standard (`SubsidyStandard` of the cohort year, or of the
latest earlier year): base + amount per year served, years rounded as `standards.years_served`.

One run per cohort (a second is refused). While it awaits approval it may be recalculated; a
second staff member, not the one who calculated it, approves it, which writes the ledger rows
of programme 自主就业金 (period: the cohort year) in one transaction, through
`bureau.rules.payments.batches.payment_batch_create`: a person already paid the cohort's grant refuses the
whole payment, and the ledger's unique constraint refuses a second payment in any case. Only
persons with a bank account in use are paid: the run's page and its approval page show the lines
without one (count and sum, `no_account`); the payment holds them (待补发) until an account is
added (`bureau.rules.payments.held`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bureau.importexport.bankfile import batch_bank_file
from bureau.models import HeldPayment, Person
from bureau.rules import audit
from bureau.rules.payments.batches import PaymentLine, payment_batch_create
from bureau.rules.payments.held import NoAccountSummary, held_summary, no_account_summary
from resettlement.eligibility import Excluded, grant_exclusions
from resettlement.models import SubsidyLine, SubsidyRun, SubsidyStandard
from resettlement.programmes import SELF_EMPLOYMENT_GRANT, programme
from resettlement.standards import years_served

Status = SubsidyRun.Status
APPROVE_PERMISSION = "resettlement.approve_subsidyrun"
# The bank file carries whole ID and account numbers: who approves the payment may download it
# (no permission of its own, so no migration: SECURITY.md, docs/area-apps.md).
BANK_FILE_PERMISSION = APPROVE_PERMISSION
ALREADY_CALCULATED = "{year} 年退役士兵的自主就业金已核算，不能重复核算；尚未发放的可在核算页面重新核算。"


@dataclass(frozen=True)
class Calculation:
    standard: SubsidyStandard
    lines: list[SubsidyLine]
    missing: list[Person]
    excluded: list[Excluded]


def check_cohort_year(cohort_year) -> int:
    try:
        year = int(cohort_year)
    except (TypeError, ValueError):
        raise ValidationError(f"退役年度“{cohort_year}”不是年份，应为四位数字，如 2021。") from None
    if not 2000 <= year <= 2100:
        raise ValidationError(f"退役年度“{cohort_year}”不合理，应在 2000 至 2100 年之间。")
    return year


def standard_for(cohort_year: int) -> SubsidyStandard:
    """The standard of the cohort's year, or of the latest earlier year; a refusal without one."""
    standard = SubsidyStandard.objects.filter(year__lte=cohort_year).order_by("-year").first()
    if standard is None:
        raise ValidationError(
            f"尚未设置 {cohort_year} 年（或之前年度）的自主就业金标准，请先在“自主就业金标准”中录入后再核算。"
        )
    return standard


def cohort(cohort_year: int):
    """The approved persons discharged in the year to self-employment (with or without an enlistment date)."""
    return (
        Person.objects.approved()
        .discharged_in(cohort_year)
        .filter(discharge_route=Person.DischargeRoute.SELF_EMPLOYED)
        .select_related("township")
        .order_by("township__order", "name", "pk")
    )


def missing_enlistment(cohort_year: int) -> list[Person]:
    """The cohort's persons who cannot be calculated: their enlistment date is not recorded (and none excludes them)."""
    people = list(cohort(cohort_year).filter(enlisted_on__isnull=True))
    reasons = grant_exclusions(people)
    return [person for person in people if person.pk not in reasons]


def excluded(cohort_year: int) -> list[Excluded]:
    """The cohort's persons the grant does not pay, with the reason (not a veteran, died, moved, a candidate)."""
    people = list(cohort(cohort_year))
    reasons = grant_exclusions(people)
    return [Excluded(person, reasons[person.pk]) for person in people if person.pk in reasons]


def calculation(cohort_year: int) -> Calculation:
    standard = standard_for(cohort_year)
    lines, missing = [], []
    people = list(cohort(cohort_year))
    reasons = grant_exclusions(people)
    for person in people:
        if person.pk in reasons:
            continue
        if person.enlisted_on is None:
            missing.append(person)
            continue
        served = years_served(enlisted_on=person.enlisted_on, discharged_on=person.discharged_on)
        lines.append(
            SubsidyLine(
                person=person,
                enlisted_on=person.enlisted_on,
                discharged_on=person.discharged_on,
                years_served=served,
                amount=standard.amount(served),
            )
        )
    return Calculation(
        standard, lines, missing, [Excluded(person, reasons[person.pk]) for person in people if person.pk in reasons]
    )


def _figures(run: SubsidyRun, result: Calculation) -> None:
    run.base_amount = result.standard.base_amount
    run.per_year_amount = result.standard.per_year_amount
    run.persons = len(result.lines)
    run.total = sum((line.amount for line in result.lines), Decimal("0"))


def _write_lines(run: SubsidyRun, result: Calculation) -> None:
    for line in result.lines:
        line.run = run
    SubsidyLine.objects.bulk_create(result.lines)


def calculate(*, cohort_year: int, by) -> SubsidyRun:
    """
    Calculate the grants of the cohort (one run per cohort). The returned run carries
    `missing_enlistment`: the persons left out for want of an enlistment date.
    """
    if not by.has_perm("resettlement.add_subsidyrun"):
        raise PermissionDenied("您没有核算自主就业金的权限。")
    cohort_year = check_cohort_year(cohort_year)
    result = calculation(cohort_year)
    if SubsidyRun.objects.filter(cohort_year=cohort_year).exists():
        raise ValidationError(ALREADY_CALCULATED.format(year=cohort_year))
    try:
        with transaction.atomic():
            run = SubsidyRun(cohort_year=cohort_year, calculated_by=by)
            _figures(run, result)
            run.save()
            _write_lines(run, result)
            audit.record(
                audit.Kind.CREATE,
                user=by,
                obj=run,
                detail=f"核算 {cohort_year} 年退役士兵自主就业金：{run.persons} 人，{run.total} 元",
            )
    except IntegrityError:
        # Another clerk calculated the same cohort at the same moment.
        raise ValidationError(ALREADY_CALCULATED.format(year=cohort_year)) from None
    run.missing_enlistment = result.missing
    run.excluded = result.excluded
    return run


def recalculate_refusal(run: SubsidyRun) -> str:
    if run.status != Status.CALCULATED or run.approved_by_id is not None:
        return f"该批次当前状态为“{run.get_status_display()}”，已发放的不能重新核算。"
    return ""


def recalculate(*, run: SubsidyRun, by) -> SubsidyRun:
    """Calculate an unpaid run again (a record completed, a standard corrected); the approval starts over."""
    if not by.has_perm("resettlement.add_subsidyrun"):
        raise PermissionDenied("您没有核算自主就业金的权限。")
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().get(pk=run.pk)
        if refusal := recalculate_refusal(run):
            raise ValidationError(refusal)
        result = calculation(run.cohort_year)
        run.lines.all().delete()
        _figures(run, result)
        run.calculated_by, run.calculated_at = by, timezone.now()
        run.save()
        _write_lines(run, result)
        audit.record(
            audit.Kind.UPDATE,
            user=by,
            obj=run,
            detail=f"重新核算 {run.cohort_year} 年退役士兵自主就业金：{run.persons} 人，{run.total} 元",
        )
    run.missing_enlistment = result.missing
    run.excluded = result.excluded
    return run


def calculation_token(run: SubsidyRun) -> str:
    """The calculation the approver saw: a run recalculated since is not approved unseen."""
    return run.calculated_at.isoformat() if run.calculated_at else ""


def approval_refusal(run: SubsidyRun, by) -> str:
    """Why `by` may not approve and pay the run now ("" when they may): the admin's page says it before the post."""
    if run.status != Status.CALCULATED or run.batch_id is not None:
        return f"该批次当前状态为“{run.get_status_display()}”，不能再次审批发放：同一退役年度只发放一次。"
    if run.calculated_by_id == by.pk:
        return "自主就业金须由核算人以外的另一名工作人员审批，您不能审批本人核算的批次。"
    if not run.persons:
        return "本批次没有可发放的人员，不能审批发放。"
    if changed := changed_since_calculation(run):
        return "核算后人员登记有变化，请重新核算后再审批：" + "；".join(changed)
    return ""


def changed_since_calculation(run: SubsidyRun) -> list[str]:
    """The run's persons the registry now says may not be paid (a death or a move recorded, a candidacy)."""
    people = [line.person for line in run.lines.select_related("person").order_by("id")]
    reasons = grant_exclusions(people)
    return [f"{person.name}：{reasons[person.pk]}" for person in people if person.pk in reasons]


def approve_and_pay(*, run: SubsidyRun, by, paid_on: datetime.date, calculated_at: str = "") -> SubsidyRun:
    """
    The second staff member's approval, which pays: the run's lines become ledger rows of programme
    自主就业金, period = the cohort year, in one batch and one transaction.
    """
    if not by.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("您没有审批自主就业金发放的权限。")
    if not isinstance(paid_on, datetime.date):
        raise ValidationError("请填写发放日期。")
    with transaction.atomic():
        run = SubsidyRun.objects.select_for_update().get(pk=run.pk)
        if refusal := approval_refusal(run, by):
            raise ValidationError(refusal)
        if calculated_at and calculated_at != calculation_token(run):
            raise ValidationError("该批次在您查看后已重新核算，请刷新页面核对后再审批。")
        if paid_on < datetime.date(run.cohort_year, 1, 1):
            raise ValidationError(f"发放日期不能早于退役年度 {run.cohort_year} 年。")
        lines = [
            PaymentLine(person_id=person_id, amount=amount, period=str(run.cohort_year))
            for person_id, amount in run.lines.order_by("id").values_list("person_id", "amount")
        ]
        result = payment_batch_create(
            programme=programme(SELF_EMPLOYMENT_GRANT),
            title=f"{run.cohort_year}年退役士兵自主就业金",
            paid_on=paid_on,
            lines=lines,
            by=by,
            by_run=True,
        )
        run.batch = result.batch
        run.status, run.approved_by, run.approved_at, run.paid_on = Status.PAID, by, timezone.now(), paid_on
        run.save()
        held = f"；无在用银行账户暂缓 {len(result.held)} 人，{result.held_total} 元" if result.held else ""
        audit.record(
            audit.Kind.APPROVE,
            user=by,
            obj=run,
            detail=f"审批发放 {run.cohort_year} 年退役士兵自主就业金：{run.persons} 人，{run.total} 元{held}",
        )
    return run


def no_account(run: SubsidyRun) -> NoAccountSummary:
    """
    The run's lines whose person has no bank account in use: before payment, who would be held now;
    once paid, who was held (and waits still).
    """
    if run.batch_id is not None:
        return held_summary(HeldPayment.objects.filter(batch_id=run.batch_id))
    return no_account_summary(run.lines.values_list("person_id", "amount"))


def bank_file_refusal(run: SubsidyRun) -> str:
    """Why the run has no bank file yet ("" when it has): only a paid run."""
    if run.status != Status.PAID or run.batch_id is None:
        return "发放完成后才能导出银行代发文件。"
    return ""


def bank_file(*, run: SubsidyRun, by) -> tuple[bytes, str, int]:
    """(xlsx content, file name, rows without an account) of the paid run, logged as an unmasked export."""
    if not by.has_perm(BANK_FILE_PERMISSION):
        raise PermissionDenied("您没有导出银行代发文件（含完整账号）的权限。")
    if refusal := bank_file_refusal(run):
        raise ValidationError(refusal)
    content, missing = batch_bank_file(
        batch=run.batch,
        sheet_title=f"{run.cohort_year} 自主就业金",
        detail=f"{run.cohort_year} 年退役士兵自主就业金",
        permission=BANK_FILE_PERMISSION,
        by=by,
    )
    return content, f"银行代发文件-自主就业金-{run.cohort_year}.xlsx", missing
