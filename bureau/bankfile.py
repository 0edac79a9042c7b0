"""
The bank file (银行代发文件) of a paid ledger batch, whatever programme paid it: one row per
payment of the batch, with the person's whole ID number and the account in use, and the total.
It carries personal data whole, so the caller names the permission it needs, and each download
is in the export log (and so in the audit trail). An area offers it for its own runs (the
monthly payroll, a cohort's self-employment grants) and says when a run has one.
"""

import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from bureau.importexport.formats import escape_formula
from bureau.models import BankAccount, ExportLog, Payment, PaymentBatch

HEADERS = ["序号", "姓名", "身份证号", "开户银行", "户名", "银行账号", "金额（元）"]
NO_ACCOUNT = "（无在用银行账户）"
KIND = "银行代发文件"
REFUSED = "您没有导出银行代发文件（含完整账号）的权限。"


def batch_bank_file(
    *, batch: PaymentBatch, sheet_title: str, detail: str, permission: str, by, kind: str = KIND
) -> tuple[bytes, int]:
    """
    (xlsx content, rows without an account) of the batch's payments, logged as an unmasked export
    of `kind` with `detail` (the total and the persons without an account are added to it).
    """
    if not by.has_perm(permission):
        raise PermissionDenied(REFUSED)
    payments = list(
        Payment.objects.filter(batch=batch)
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
    sheet = workbook.create_sheet(sheet_title[:31])
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
        kind=kind,
        file_format="xlsx",
        row_count=len(payments),
        unmasked=True,
        detail=(f"{detail}，合计 {total} 元" + (f"，{missing} 人无在用银行账户" if missing else ""))[:500],
    )
    return content.getvalue(), missing
