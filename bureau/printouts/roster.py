"""
A payment roster for signatures (发放花名册), read from the ledger: one paid `PaymentBatch`'s `Payment` rows
the user may see, a table a township (序号, 姓名, 身份证号, 类别/项目, 金额, an empty 签名 column) with its
subtotal, the total and the lines for who drew it up, who checked it and when. The roster's total is thus
the total paid. ID numbers are whole only for a role with the right to personal data (the export log says
so), masked for everyone else. An area's run prints its batch with `ledger_roster` (pensions' payroll, a
cohort's grants).
"""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from bureau.base.masking import disclosure, shown_field, unmasked
from bureau.models import Payment, SiteProfile
from bureau.printouts.document import FormLines, Paragraph, Printable, Table, money

COLUMNS = [("序号", 12), ("姓名", 24), ("身份证号", 46), ("类别/项目", 34), ("金额（元）", 24), ("签名", 16)]


def roster_payments(batch_id: int, user):
    """The batch's ledger rows this user may see, by township and name."""
    return (
        Payment.objects.visible_to(user)
        .filter(batch_id=batch_id)
        .select_related("person__township", "programme")
        .order_by("person__township__order", "person__township__code", "person__name", "person_id", "pk")
    )


def ledger_roster(request, batch_id: int, *, label_of: Callable | None = None, **printable) -> Printable:
    """
    The roster of the batch as a `Printable` (`printable`: its title, subtitle, filename, signed_on, subject;
    the signature is the bureau's). `label_of(payment)` names a row's 类别/项目 (default: the programme).
    """
    document = Printable(signature=(SiteProfile.get().full_bureau_name,), **printable)
    by_township = defaultdict(list)
    with disclosure() as shown, unmasked():
        for payment in roster_payments(batch_id, request.user):
            by_township[payment.person.township].append(payment)
            payment.shown_id_number = shown_field(request.user, payment.person, "id_number")
    total, persons = Decimal("0"), 0
    for township, payments in by_township.items():
        rows = [
            [
                str(number),
                payment.person.name,
                payment.shown_id_number,
                (label_of(payment) if label_of else "") or payment.programme.name,
                money(payment.amount),
                "",
            ]
            for number, payment in enumerate(payments, start=1)
        ]
        subtotal = sum((payment.amount for payment in payments), Decimal("0"))
        document.add(
            Table(
                COLUMNS,
                rows,
                caption=f"{township.name}（{len(payments)}人）",
                totals=[["", "小计", f"{len(payments)}人", "", money(subtotal), ""]],
            )
        )
        total += subtotal
        persons += len({payment.person_id for payment in payments})
    document.rows = sum(len(payments) for payments in by_township.values())
    document.unmasked = shown.unmasked
    if not by_township:
        document.add(Paragraph("没有发放记录。"))
    document.add(Paragraph(f"合计：{persons}人，{document.rows}笔，金额{money(total)}元。", kind="note"))
    document.add(FormLines())
    return document
