"""
A payment list pasted by staff (批量发放): one line a person, `身份证号 金额`, read and checked
before anything is paid; the payment itself is `bureau.rules.payments.batches.payment_batch_create`.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from bureau.base.bulk import chunks
from bureau.base.masking import mask_id_number
from bureau.models import PaymentProgramme, Person
from bureau.models.payments import earlier_payments, period_normalise, run_only_refusal
from bureau.rules.payments.batches import PaymentLine
from bureau.validators import is_whole_fen, parse_resident_id

# Whitespace (tabs from a spreadsheet), commas (either width) or semicolons between the two cells.
SEPARATORS = re.compile(r"[\s,，;；]+")
# A list pasted at once is paid in one batch.
MAX_LINES = 5000


@dataclass(frozen=True)
class PaymentListLine:
    line: int
    person: Person
    amount: Decimal

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.person.id_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.person.name)


def mask_name(name: str) -> str:
    """`张三丰` -> `张**`: a preview on screen names nobody in full."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def payment_list_check(*, programme: PaymentProgramme, period: str, text: str, by) -> list[PaymentListLine]:
    """
    Read the pasted lines and check every one before anything is decided: the programme paid by
    hand at all and the period's shape for its frequency (the ledger's rules, `period_normalise`),
    the ID number (its check digit), the person in the registry and in the user's townships, the
    amount (above 0, to the fen), a person twice in the list, a person already paid for the
    programme and period however either was written (the earlier payment named).
    Raises one ValidationError of 「第 N 行：…」 messages; nothing is written here.
    """
    rules = []
    if programme.paid_by_run:
        rules.append(run_only_refusal(programme))
    try:
        period_normalise(programme=programme, raw=period)
    except ValidationError as error:
        rules.extend(error.messages)
    errors: list[tuple[int, str]] = []
    parsed: list[tuple[int, str, Decimal]] = []
    seen: dict[str, int] = {}
    lines = str(text or "").splitlines()
    if len([raw for raw in lines if raw.strip()]) > MAX_LINES:
        raise ValidationError(f"一次最多发放 {MAX_LINES} 人，请分批粘贴。")
    for number, raw in enumerate(lines, start=1):
        cells = [cell for cell in SEPARATORS.split(raw.strip()) if cell]
        if not cells:
            continue
        if len(cells) != 2:
            errors.append((number, f"第 {number} 行：应为“身份证号 金额”两项，以空格、制表符或逗号分隔。"))
            continue
        id_text, amount_text = cells[0].upper(), cells[1].removesuffix("元")
        try:
            id_number = parse_resident_id(id_text).number
        except ValidationError as error:
            errors.append((number, f"第 {number} 行：{mask_id_number(id_text)}，{error.messages[0]}"))
            continue
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or not is_whole_fen(amount):
            errors.append((number, f"第 {number} 行：金额“{cells[1]}”须为大于 0 的数字，且最多两位小数。"))
            continue
        if id_number in seen:
            errors.append((number, f"第 {number} 行：与第 {seen[id_number]} 行是同一人，同一期间只能发放一次。"))
            continue
        seen[id_number] = number
        parsed.append((number, id_number, amount.quantize(Decimal("0.01"))))
    people = {}
    for chunk in chunks(sorted(seen)):
        people.update(
            (person.id_number, person) for person in Person.objects.visible_to(by).filter(id_number__in=chunk)
        )
    for number, id_number, _ in parsed:
        if id_number not in people:
            errors.append(
                (
                    number,
                    f"第 {number} 行：身份证号 {mask_id_number(id_number)} 未在人员库中登记，或不在您的管辖范围内。",
                )
            )
    paid = {}
    for chunk in chunks(sorted(person.pk for person in people.values())):
        for payment in earlier_payments(programme=programme, person_ids=chunk, raw=period):
            paid.setdefault(payment.person_id, payment)
    for number, id_number, _ in parsed:
        person = people.get(id_number)
        if person is not None and person.pk in paid:
            message = paid[person.pk].already_paid_message(name=mask_name(person.name))
            errors.append((number, f"第 {number} 行：{message}"))
    if rules or errors:
        raise ValidationError(rules + [message for _, message in sorted(errors, key=lambda item: item[0])])
    if not parsed:
        raise ValidationError("请至少填写一行“身份证号 金额”。")
    return [
        PaymentListLine(line=number, person=people[id_number], amount=amount) for number, id_number, amount in parsed
    ]


def payment_lines(lines: list[PaymentListLine], *, period: str, note: str = "") -> list[PaymentLine]:
    """The checked list as the batch service's lines."""
    return [PaymentLine(person_id=line.person.pk, amount=line.amount, period=period, note=note) for line in lines]
