"""
The bank file (银行代发文件) of a paid ledger batch, whatever programme paid it: one row per
payment of the batch, with the person's whole ID number and the account it was paid to
(`Payment.bank_account`), and the total. A line without an account is never in it: such a line
was held, not paid (`bureau.rules.payments.held`), so the file's total is the ledger rows it pays. A row
written before the rule (no `bank_account`) takes the person's account in use; one with neither
is left out and counted in the export log.
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
KIND = "银行代发文件"
REFUSED = "您没有导出银行代发文件（含完整账号）的权限。"


def batch_bank_file(
    *, batch: PaymentBatch, sheet_title: str, detail: str, permission: str, by, kind: str = KIND
) -> tuple[bytes, int]:
    """
    (xlsx content, payments left out for want of an account: old rows only) of the batch's payments,
    logged as an unmasked export of `kind` with `detail` (the total, and what was left out, added to it).
    """
    if not by.has_perm(permission):
        raise PermissionDenied(REFUSED)
    payments = list(
        Payment.objects.filter(batch=batch)
        .order_by("person__township__order", "person__name", "id")
        .values_list(
            "person_id",
            "person__name",
            "person__id_number",
            "bank_account__bank",
            "bank_account__account_name",
            "bank_account__account_number",
            "amount",
        )
    )
    legacy = {}
    person_ids = [row[0] for row in payments if row[5] is None]
    for start in range(0, len(person_ids), 500):
        for person_id, bank, name, number in BankAccount.objects.filter(
            person_id__in=person_ids[start : start + 500], active=True
        ).values_list("person_id", "bank", "account_name", "account_number"):
            legacy[person_id] = (bank, name, number)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(HEADERS)
    total = Decimal("0")
    missing = 0
    rows = 0
    for person_id, name, id_number, bank, account_name, account_number, amount in payments:
        if account_number is None:
            if person_id not in legacy:
                missing += 1
                continue
            bank, account_name, account_number = legacy[person_id]
        rows += 1
        total += amount
        sheet.append(
            [
                rows,
                escape_formula(name),
                id_number,
                escape_formula(bank),
                escape_formula(account_name),
                account_number,
                amount,
            ]
        )
    sheet.append(["合计", f"{rows} 人", "", "", "", "", total])
    content = io.BytesIO()
    workbook.save(content)
    ExportLog.objects.create(
        user=by,
        kind=kind,
        file_format="xlsx",
        row_count=rows,
        unmasked=True,
        detail=(f"{detail}，合计 {total} 元" + (f"，{missing} 笔无收款账户未列入" if missing else ""))[:500],
    )
    return content.getvalue(), missing
