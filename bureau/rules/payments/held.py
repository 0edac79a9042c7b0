"""
A real account or no payment: money is paid only to a person's bank account in use.

The one place that answers “who has an account in use” (`accounts_in_use`, `accounts_missing`) and
what a run's lines without one come to (`no_account_summary`: count and sum), for every run page
(the payroll, the grant, a batch): they show it before approval with the include
`admin/bureau/no_account_summary.html` (context `no_account`). Approval pays only the lines with an
account (`bureau.rules.payments.batches.payment_batch_create`); the others are held (`HeldPayment`,
待补发) and paid once when an account in use is added for the person, whatever path adds it: the
admin, the API and `BankAccount.save()` through `batches.on_bank_account_saved`, an import through
`BankAccountResource`, all calling `bureau.rules.payments.batches.held_payments_release`. Only the
reading is here: the writes import this module, so it imports none of them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from bureau.base.bulk import chunks
from bureau.models import BankAccount, HeldPayment, Person

NO_ACCOUNT_MESSAGE = "该人员没有在用的银行账户，不能发放“{programme}”，请先登记银行账户。"
HELD_ALREADY_MESSAGE = (
    "该人员在此期间的“{programme}”已暂缓待补发（无在用银行账户），登记银行账户后将自动补发，不能重复发放。"
)
# Names shown with a summary (the run's page lists them all elsewhere).
NAMES_SHOWN = 10


def accounts_in_use(person_ids: Iterable[int]) -> dict[int, int]:
    """{person id: id of their bank account in use} of those who have one."""
    accounts = {}
    for chunk in chunks(sorted(set(person_ids))):
        accounts.update(BankAccount.objects.filter(person_id__in=chunk, active=True).values_list("person_id", "id"))
    return accounts


def accounts_missing(person_ids: Iterable[int]) -> set[int]:
    """The persons among these without a bank account in use: their money is held, not paid."""
    person_ids = set(person_ids)
    return person_ids - set(accounts_in_use(person_ids))


@dataclass(frozen=True)
class NoAccountSummary:
    """A run's lines whose person has no account in use: how many, their sum, the first names."""

    count: int = 0
    total: Decimal = Decimal("0")
    names: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def more(self) -> bool:
        return self.count > len(self.names)


def no_account_summary(lines: Iterable[tuple[int, Decimal]]) -> NoAccountSummary:
    """The summary of (person id, amount) lines whose person has no account in use (a line without an amount pays nothing)."""
    lines = [(person_id, amount) for person_id, amount in lines if amount]
    missing = accounts_missing(person_id for person_id, _ in lines)
    held = [(person_id, amount) for person_id, amount in lines if person_id in missing]
    return _summary(held)


def held_summary(held_payments) -> NoAccountSummary:
    """The summary of a queryset of held payments (a paid run's lines waiting for an account)."""
    return _summary(held_payments.waiting().values_list("person_id", "amount"))


def _summary(lines) -> NoAccountSummary:
    lines = sorted(lines)  # the names in the order the persons were registered, whatever the run's order
    if not lines:
        return NoAccountSummary()
    first = [person_id for person_id, _ in lines[:NAMES_SHOWN]]
    names = dict(Person.objects.filter(pk__in=first).values_list("pk", "name"))
    return NoAccountSummary(
        count=len(lines),
        total=sum((amount for _, amount in lines), Decimal("0")),
        names=[names[person_id] for person_id in first if person_id in names],
    )


def held_keys(*, programme, person_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(person id, period) of the programme's payments held for these persons, waiting for an account."""
    keys = set()
    for chunk in chunks(sorted(set(person_ids))):
        keys.update(
            HeldPayment.objects.waiting()
            .filter(programme=programme, person_id__in=chunk)
            .values_list("person_id", "period")
        )
    return keys
