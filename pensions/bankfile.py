"""
The bank file (银行代发文件) of a paid payroll run: the core's file of the run's ledger batch
(`bureau.importexport.bankfile`). It needs `pensions.export_bank_file`; each download is in the export log.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from bureau.importexport.bankfile import REFUSED, batch_bank_file
from pensions.models import PayrollRun

PERMISSION = "pensions.export_bank_file"


def bank_file_refusal(run: PayrollRun) -> str:
    """Why the run has no bank file yet ("" when it has): only a paid run."""
    if run.status != PayrollRun.Status.PAID or run.batch_id is None:
        return "发放完成后才能导出银行代发文件。"
    return ""


def bank_file(*, run: PayrollRun, by) -> tuple[bytes, str, int]:
    """(xlsx content, file name, rows without an account) of the paid run."""
    if not by.has_perm(PERMISSION):
        raise PermissionDenied(REFUSED)
    if refusal := bank_file_refusal(run):
        raise ValidationError(refusal)
    content, missing = batch_bank_file(
        batch=run.batch,
        sheet_title=f"{run.period} 代发",
        detail=f"{run.period} 按月发放",
        permission=PERMISSION,
        by=by,
    )
    return content, f"银行代发文件-{run.period}.xlsx", missing
