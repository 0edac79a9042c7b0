"""
The preview's column mapping: a header the import did not know, mapped by a clerk to one of the
import's columns the file lacks, saved (`ImportColumnMapping`, one per model and header, audited
as every model without a history table) and the job's file checked again with it. Later files of
that model with that header use the mapping without asking (bureau.importexport.columns).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bureau.importexport import validated
from bureau.importexport.headers import normalize
from bureau.models import ImportColumnMapping, ImportJob
from bureau.rules import background

from .common import may_import
from .imports import VALIDATE_TASK

# A job whose file is kept and not yet confirmed may be checked again with new mappings.
REMAPPABLE = (ImportJob.Status.VALIDATED, ImportJob.Status.INVALID)


def mappable_columns(job: ImportJob) -> tuple[list[str], list[str]]:
    """(unknown headers, target columns) the job's preview offers; empty when the job cannot be checked again."""
    columns = (job.summary or {}).get("columns") or {}
    if job.status not in REMAPPABLE or not job.file:
        return [], []
    return list(columns.get("unknown") or []), list(columns.get("targets") or [])


def import_job_map_columns(*, job: ImportJob, by, choices: dict[str, str]) -> list[ImportColumnMapping]:
    """
    Save the clerk's choices (unknown header → target column; a blank target is 「不导入」) and
    queue the job's validation again. Only the job's user, with the import permission of its model;
    a target that is not one of the columns offered, or two headers on one column, is refused.
    """
    if job.user_id != by.pk or not may_import(by, job.model):
        raise PermissionDenied("只能为自己上传的导入指定列的对应关系。")
    unknown, targets = mappable_columns(job)
    if not unknown:
        raise ValidationError("该导入已确认、已完成或文件已删除，不能再指定列的对应关系，请重新上传文件。")
    chosen = {header: target for header, target in choices.items() if target}
    not_offered = [header for header in chosen if header not in unknown]
    bad = [target for target in chosen.values() if target not in targets]
    if not_offered or bad:
        raise ValidationError(f"“{'、'.join(not_offered + bad)}”不是可以指定的列。请在列表中选择。")
    if len(set(chosen.values())) < len(chosen):
        raise ValidationError("两列不能对应到同一列，请重新选择。")
    if not chosen:
        raise ValidationError("请至少为一列选择对应的导入列；不需要的列选择“不导入”即可，无须重新校验。")
    saved = []
    with transaction.atomic():
        for header, target in chosen.items():
            mapping = ImportColumnMapping.objects.filter(model=job.model, source_header=normalize(header)).first()
            mapping = mapping or ImportColumnMapping(model=job.model, source_header=normalize(header))
            mapping.target_column, mapping.created_by = target, by
            # The audit event (bureau.rules.audit_hooks) names who set it.
            mapping._audit_user = by
            mapping.full_clean()
            mapping.save()
            saved.append(mapping)
        # Checked again from the start: the validation is a dry run. The rows it kept were read with
        # the old columns: they go, and the next validation keeps its own.
        validated.kept_delete(job)
        updated = ImportJob.objects.filter(pk=job.pk, status__in=REMAPPABLE).update(
            status=ImportJob.Status.QUEUED,
            attempts=0,
            summary={},
            errors=[],
            error_count=0,
            rows_done=0,
            finished_at=None,
        )
        if not updated:
            raise ValidationError("该导入的状态已改变，不能再指定列的对应关系。")
        background.job_queue(job, VALIDATE_TASK)
    job.refresh_from_db()
    return saved
