"""
数据质量核查: the contradictions across areas that the bureau wants caught, each with a link to
the record that fixes it. `manage.py check_data` prints the count of each kind; the admin page
`/admin/data-check/` lists them for bureau staff.

A check is a `Check`: a key, a Chinese title, what to do about it, and a function
`find(today) -> Iterable[Finding]`. The core's checks (people and money, declared dates, records
without a township) are listed here; an area app adds its own with `AreaConfig.data_checks`
(dotted paths of `Check` instances), so the core names no area.

A finding names a person by name only (never an ID number, phone or account): the list is read
by any bureau clerk and the command's output may end up in a log.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from bureau.areas import area_configs
from bureau.models import BankAccount, CheckUp, Payment, Person, TownshipRecord, Visit
from bureau.models.rules import declared_date_errors, event_date_fields, models_declaring
from bureau.models.rules import future_event_dates as future_event_dates_of

# Findings of one kind listed on the page; the count is always the whole.
PAGE_LIMIT = 200


@dataclass(frozen=True)
class Finding:
    """One contradiction: what it is about, what disagrees, and where to fix it."""

    subject: str
    detail: str
    url: str = ""


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    fix: str
    find: Callable[[datetime.date], Iterable[Finding]]


@dataclass(frozen=True)
class Result:
    check: Check
    findings: list[Finding]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def shown(self) -> list[Finding]:
        """What the page lists of them."""
        return self.findings[:PAGE_LIMIT]


def admin_url(obj) -> str:
    """The admin page of a record ('' when its model has none)."""
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def period_start(payment: Payment) -> datetime.date:
    """
    The first day a ledger row pays for: its month, its year, or (a period-less one-off
    payment) the day it was paid. A payment for the month of a death still counts as due.
    """
    period = payment.period or ""
    try:
        if len(period) == 4:
            return datetime.date(int(period), 1, 1)
        if len(period) == 7:
            return datetime.date(int(period[:4]), int(period[5:7]), 1)
        if len(period) == 10:
            return datetime.date.fromisoformat(period)
    except ValueError:
        pass
    return payment.paid_on


def _payment_subject(payment: Payment) -> str:
    return f"{payment.person.name}：{payment.programme.name} {payment.period or '（一次性）'} {payment.amount} 元"


def paid_after_death(today: datetime.date) -> Iterable[Finding]:
    payments = Payment.objects.filter(person__died_on__isnull=False).select_related("person", "programme")
    for payment in payments.order_by("person__name", "period", "pk"):
        if period_start(payment) > payment.person.died_on:
            yield Finding(
                _payment_subject(payment),
                f"死亡日期 {payment.person.died_on:%Y-%m-%d}，其后的期间仍有发放。",
                admin_url(payment),
            )


def paid_after_moving_out(today: datetime.date) -> Iterable[Finding]:
    payments = Payment.objects.filter(person__moved_out_on__isnull=False).select_related("person", "programme")
    for payment in payments.order_by("person__name", "period", "pk"):
        if period_start(payment) > payment.person.moved_out_on:
            yield Finding(
                _payment_subject(payment),
                f"迁出日期 {payment.person.moved_out_on:%Y-%m-%d}，其后的期间仍有发放。",
                admin_url(payment),
            )


def paid_without_account(today: datetime.date) -> Iterable[Finding]:
    payments = (
        Payment.objects.filter(Q(bank_account__isnull=True) | ~Q(bank_account__person=F("person")))
        .select_related("person", "programme", "bank_account")
        .order_by("person__name", "period", "pk")
    )
    for payment in payments:
        detail = "发放时没有记录收款账户。" if payment.bank_account_id is None else "收款账户不是本人的账户。"
        yield Finding(_payment_subject(payment), detail, admin_url(payment))


def care_after_death_or_move(today: datetime.date) -> Iterable[Finding]:
    """
    A visit or check-up dated after the person's death or move out (or before the move in): recorded
    before the death was, it no longer saves (`Person.absence_message`), and its money may have gone out.
    """
    for model, date_field in ((Visit, "visited_on"), (CheckUp, "checked_on")):
        day = F(date_field)
        absent = Q(person__died_on__lt=day) | Q(person__moved_out_on__lt=day) | Q(person__moved_in_on__gt=day)
        for record in model._base_manager.filter(absent).select_related("person").order_by("pk"):
            label = model._meta.get_field(date_field).verbose_name
            message = record.person.absence_message(getattr(record, date_field), what=label)
            yield Finding(f"{model._meta.verbose_name}：{record}", message, admin_url(record))


def deceased_inconsistent(today: datetime.date) -> Iterable[Finding]:
    """A person marked deceased without a date of death (the payroll cannot tell from when)."""
    for person in Person.objects.filter(status=Person.Status.DECEASED, died_on__isnull=True).order_by("name", "pk"):
        yield Finding(person.name, "状态为已故，但没有填写死亡日期。", admin_url(person))


def account_of_deceased_in_use(today: datetime.date) -> Iterable[Finding]:
    """An account still in use for a person who died or moved out: the next run would hold money for it."""
    accounts = BankAccount.objects.filter(active=True).filter(
        Q(person__died_on__isnull=False) | Q(person__moved_out_on__isnull=False)
    )
    for account in accounts.select_related("person").order_by("person__name", "pk"):
        person = account.person
        event = f"死亡（{person.died_on:%Y-%m-%d}）" if person.died_on else f"迁出（{person.moved_out_on:%Y-%m-%d}）"
        yield Finding(person.name, f"已{event}，银行账户仍为在用。", admin_url(account))


def future_event_dates(today: datetime.date) -> Iterable[Finding]:
    """Dates a model declares as events (`event_dates`) that lie after today."""
    for model in models_declaring("event_dates"):
        for record in model._base_manager.filter(future_event_dates_of(model, today=today)).order_by("pk"):
            late = [name for name in event_date_fields(model) if (getattr(record, name) or today) > today]
            detail = "、".join(
                f"{model._meta.get_field(name).verbose_name} {getattr(record, name):%Y-%m-%d}" for name in late
            )
            yield Finding(f"{model._meta.verbose_name}：{record}", f"{detail} 晚于今天。", admin_url(record))


def dates_outside_their_period(today: datetime.date) -> Iterable[Finding]:
    """Dates a model declares within a parent's period (`dates_within`) that fall outside it."""
    for model in models_declaring("dates_within"):
        parents = list(model.dates_within.values())
        for record in model._base_manager.select_related(*parents).order_by("pk").iterator(chunk_size=2000):
            # Future dates are the check above's: only the period is read here.
            errors = declared_date_errors(record, today=datetime.date.max)
            if errors:
                detail = "；".join(message for messages in errors.values() for message in messages)
                yield Finding(f"{model._meta.verbose_name}：{record}", detail, admin_url(record))


def records_without_township(today: datetime.date) -> Iterable[Finding]:
    """
    A record that must have a township and has none: one a station submitted, or one about a person
    who has one (`TownshipRecordQuerySet.without_township`). The bureau's district-wide records are not findings.
    """
    for model in _township_record_models():
        for record in model._default_manager.without_township().order_by("pk"):
            yield Finding(f"{model._meta.verbose_name}：{record}", "没有所属乡镇（街道）。", admin_url(record))


def _township_record_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TownshipRecord) and not model._meta.abstract and model is not Person
    ]


CORE_CHECKS = (
    Check(
        "paid_after_death",
        "死亡后仍有发放",
        "核实死亡日期；多发的资金按规定追回。",
        paid_after_death,
    ),
    Check(
        "paid_after_moving_out",
        "迁出后仍有发放",
        "核实迁出日期；多发的资金按规定追回或转移。",
        paid_after_moving_out,
    ),
    Check(
        "paid_without_account",
        "发放没有收款账户",
        "核实资金去向，为本人登记在用银行账户。",
        paid_without_account,
    ),
    Check(
        "account_after_death_or_move",
        "已故或迁出人员的银行账户仍在用",
        "将账户设为不在用。",
        account_of_deceased_in_use,
    ),
    Check(
        "care_after_death_or_move",
        "死亡或迁出后仍有走访、体检记录",
        "核实死亡、迁出日期或记录的日期；随记录发放的慰问金按规定处理。",
        care_after_death_or_move,
    ),
    Check(
        "deceased_without_date",
        "已故人员没有死亡日期",
        "在人员信息中填写死亡日期。",
        deceased_inconsistent,
    ),
    Check(
        "future_event_dates",
        "事件日期晚于今天",
        "更正日期。",
        future_event_dates,
    ),
    Check(
        "dates_outside_their_period",
        "日期不在所属批次（期间）内",
        "更正日期，或改选正确的批次。",
        dates_outside_their_period,
    ),
    Check(
        "records_without_township",
        "服务站记录没有所属乡镇（街道）",
        "按人员或提交的服务站补填乡镇（街道）。",
        records_without_township,
    ),
)


def all_checks() -> list[Check]:
    """The core's checks, then each area's (`AreaConfig.data_checks`), in the report's order."""
    checks = list(CORE_CHECKS)
    for area in area_configs():
        checks += [import_string(path) for path in area.data_checks]
    return checks


def data_check_run(*, today: datetime.date | None = None) -> list[Result]:
    """Every check's findings (a read, nothing is written)."""
    today = today or timezone.localdate()
    return [Result(check, list(check.find(today))) for check in all_checks()]
