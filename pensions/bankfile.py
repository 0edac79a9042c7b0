"""
The bank file (银行代发文件) of a paid payroll run: one row per ledger payment of the run's batch,
with the person's whole ID number and the account in use, and the total. It carries personal data
whole, so it needs `pensions.export_bank_file`, and each download is in the export log (and so in
the audit trail).
"""

import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from bureau.importexport.formats import escape_formula
from bureau.models import BankAccount, ExportLog, Payment
from pensions.models import PayrollRun

HEADERS = ["序号", "姓名", "身份证号", "开户银行", "户名", "银行账号", "金额（元）"]
NO_ACCOUNT = "（无在用银行账户）"


def bank_file_refusal(run: PayrollRun) -> str:
    """Why the run has no bank file yet ("" when it has): only a paid run."""
    if run.status != PayrollRun.Status.PAID or run.batch_id is None:
        return "发放完成后才能导出银行代发文件。"
    return ""


def bank_file(*, run: PayrollRun, by) -> tuple[bytes, str, int]:
    """(xlsx content, file name, rows without an account) of the paid run."""
    if not by.has_perm("pensions.export_bank_file"):
        raise PermissionDenied("您没有导出银行代发文件（含完整账号）的权限。")
    if refusal := bank_file_refusal(run):
        raise ValidationError(refusal)
    payments = list(
        Payment.objects.filter(batch_id=run.batch_id)
        .order_by("person__township__order", "person__name", "id")
        .values_list("person_id", "person__name", "person__id_number", "amount")
    )
    accounts = {}
    person_ids = [row[0] for row in payments]
    for start in range(0, len(person_ids), 500):
        for person_id, bank, name, number in BankAccount.objects.filter(
            person_id__in=person_ids[start : start + 500], active=True
        ).values_list("person_id", "bank", "account_name", "account_number"):
            accounts[person_id] = (bank, name, number)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{run.period} 代发")
    sheet.append(HEADERS)
    total = Decimal("0")
    missing = 0
    for number, (person_id, name, id_number, amount) in enumerate(payments, start=1):
        bank, account_name, account_number = accounts.get(person_id, ("", "", NO_ACCOUNT))
        missing += person_id not in accounts
        total += amount
        sheet.append(
            [
                number,
                escape_formula(name),
                id_number,
                escape_formula(bank),
                escape_formula(account_name),
                account_number,
                amount,
            ]
        )
    sheet.append(["合计", f"{len(payments)} 人", "", "", "", "", total])
    content = io.BytesIO()
    workbook.save(content)
    ExportLog.objects.create(
        user=by,
        kind="银行代发文件",
        file_format="xlsx",
        row_count=len(payments),
        unmasked=True,
        detail=f"{run.period} 按月发放，合计 {total} 元" + (f"，{missing} 人无在用银行账户" if missing else ""),
    )
    return content.getvalue(), f"银行代发文件-{run.period}.xlsx", missing
