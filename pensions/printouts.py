"""
The payroll's printout: 发放花名册, the month's roster per township for signatures, read from the ledger
(the run's `Payment` rows, so that the roster's total is the total paid), with each township's subtotal,
the total and the lines for who drew it up, who checked it and when. ID numbers whole only for a role
with the right to personal data (the export log says so), masked for everyone else.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from bureau.base.masking import disclosure, shown_field, unmasked
from bureau.models import Payment, SiteProfile
from bureau.printouts.document import FormLines, Paragraph, Printable, Table, money
from bureau.printouts.registry import Printout
from pensions.models import PayrollLine, PayrollRun

COLUMNS = [("序号", 12), ("姓名", 24), ("身份证号", 46), ("类别/项目", 34), ("金额（元）", 24), ("签名", 16)]
NOT_PAID = "该月发放表尚未发放，发放花名册按资金发放台账打印，请在发放完成后打印。"


def roster_payments(run: PayrollRun, user):
    """The run's ledger rows this user may see, by township and name."""
    return (
        Payment.objects.visible_to(user)
        .filter(batch_id=run.batch_id)
        .select_related("person__township", "programme")
        .order_by("person__township__order", "person__township__code", "person__name", "person_id", "pk")
    )


def payroll_roster(request, pk) -> Printable:
    run = get_object_or_404(PayrollRun, pk=pk)
    if run.batch_id is None:
        raise ValidationError(NOT_PAID)
    categories = dict(PayrollLine.objects.filter(run=run).values_list("person_id", "category"))
    labels = dict(PayrollLine._meta.get_field("category").choices)
    year, month = run.period.split("-")
    site = SiteProfile.get()
    document = Printable(
        title=f"{year}年{int(month)}月优抚对象抚恤补助发放花名册",
        subtitle=f"发放月份：{year}年{int(month)}月　　发放日期：{run.paid_on:%Y年%m月%d日}　　金额单位：元",
        filename=f"发放花名册-{run.period}",
        signature=(site.full_bureau_name,),
        signed_on=run.paid_on,
        subject=run,
    )
    by_township = defaultdict(list)
    with disclosure() as shown, unmasked():
        for payment in roster_payments(run, request.user):
            by_township[payment.person.township].append(payment)
            payment.shown_id_number = shown_field(request.user, payment.person, "id_number")
    total, persons = Decimal("0"), 0
    for township, payments in by_township.items():
        rows = [
            [
                str(number),
                payment.person.name,
                payment.shown_id_number,
                labels.get(categories.get(payment.person_id), "") or payment.programme.name,
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
        document.add(Paragraph("本月没有发放记录。"))
    document.add(Paragraph(f"合计：{persons}人，{document.rows}笔，金额{money(total)}元。", kind="note"))
    document.add(FormLines())
    return document


PAYROLL_ROSTER = Printout(
    key="payroll-roster", title="发放花名册", permission="pensions.view_payrollrun", build=payroll_roster
)
