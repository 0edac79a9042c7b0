"""
The payroll's printout: 发放花名册, a paid month's roster per township for signatures, read from the
ledger by the kit (`bureau.printouts.roster`): its total is the total the run paid. 类别/项目 is the
person's preferential category of the run's line.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from bureau.printouts.registry import Printout
from bureau.printouts.roster import ledger_roster
from pensions.models import PayrollLine, PayrollRun

NOT_PAID = "该月发放表尚未发放，发放花名册按资金发放台账打印，请在发放完成后打印。"


def payroll_roster(request, pk):
    run = get_object_or_404(PayrollRun, pk=pk)
    if run.batch_id is None:
        raise ValidationError(NOT_PAID)
    categories = dict(PayrollLine.objects.filter(run=run).values_list("person_id", "category"))
    labels = dict(PayrollLine._meta.get_field("category").choices)
    year, month = run.period.split("-")
    return ledger_roster(
        request,
        run.batch_id,
        label_of=lambda payment: labels.get(categories.get(payment.person_id), ""),
        title=f"{year}年{int(month)}月优抚对象抚恤补助发放花名册",
        subtitle=f"发放月份：{year}年{int(month)}月　　发放日期：{run.paid_on:%Y年%m月%d日}　　金额单位：元",
        filename=f"发放花名册-{run.period}",
        signed_on=run.paid_on,
        subject=run,
    )


PAYROLL_ROSTER = Printout(
    key="payroll-roster", title="发放花名册", permission="pensions.view_payrollrun", build=payroll_roster
)
