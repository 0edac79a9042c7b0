"""
The hourly sweep of the jobs' files (`export_jobs_expire`, run by beat): expired exports, uploads
never confirmed, and what a worker killed at the wrong moment left behind, of either kind of job.
"""

import datetime
import shutil
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bureau.models import ExportJob, ImportJob
from bureau.models.jobs import private_storage

NOT_CONFIRMED = "上传后长时间未确认，文件已删除，未写入任何记录。请重新上传文件导入。"


def export_jobs_expire(*, now=None) -> int:
    """Delete the files of exports past their time (and of imports never confirmed within it); answer how many."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        expired += 1
    stale = now - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
    # Imports validated and never confirmed: their file (whole ID numbers) is not kept.
    for job in ImportJob.objects.filter(status=ImportJob.Status.VALIDATED, created_at__lte=stale).exclude(file=""):
        job.file.delete(save=False)
        job.status, job.error, job.finished_at = ImportJob.Status.FAILED, NOT_CONFIRMED, now
        job.save(update_fields=["file", "status", "error", "finished_at"])
    # What a worker killed at the wrong moment may leave: the file of a finished import, of a failed
    # export (named on its row before writing), and the scratch folder of an export no longer running.
    # An invalid file whose unknown headers a clerk may still map (its preview) is kept as long as
    # a validated one.
    finished = Q(status__in=(ImportJob.Status.DONE, ImportJob.Status.FAILED)) | Q(
        status=ImportJob.Status.INVALID, created_at__lte=stale
    )
    for job in [
        *ImportJob.objects.filter(finished).exclude(file=""),
        *ExportJob.objects.filter(status=ExportJob.Status.FAILED).exclude(file=""),
    ]:
        job.file.delete(save=True)
    scratch = Path(private_storage.path("exports/tmp"))
    if scratch.is_dir():
        running = {
            f"export-{pk}" for pk in ExportJob.objects.filter(status__in=ExportJob.ACTIVE).values_list("pk", flat=True)
        }
        for directory in scratch.iterdir():
            if directory.name not in running:
                shutil.rmtree(directory, ignore_errors=True)
    return expired
