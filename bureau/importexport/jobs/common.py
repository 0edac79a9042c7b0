"""
What an import job and an export job share: the ModelAdmin a job works through, who may start
one, and its progress, noted in a cache (the job's own transaction hides its database writes) and
read by the job's page (`status_of`).
"""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import caches
from django.utils.connection import ConnectionProxy

from bureau.rules import background

logger = logging.getLogger(__name__)

# Progress notes live in the "progress" cache (settings.CACHES): written from inside the job's own
# transaction, which hides (and a dry run rolls back) database writes, the database cache included.
progress_cache = ConnectionProxy(caches, "progress")
# Progress is written every this many rows (to the cache: the import's own transaction hides DB writes).
PROGRESS_EVERY = 500
PROGRESS_TIMEOUT = 24 * 60 * 60


def model_admin_for(label: str):
    """The ModelAdmin the job's model is registered with (its resources, scoping, export queryset)."""
    return admin.site._registry[apps.get_model(label)]


def may_import(user, label: str) -> bool:
    opts = apps.get_model(label)._meta
    return bool(
        user.is_active
        and user.has_perm(f"{opts.app_label}.{settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE}_{opts.model_name}")
    )


def may_export(user, label: str) -> bool:
    opts = apps.get_model(label)._meta
    return bool(
        user.is_active
        and user.has_perm(f"{opts.app_label}.{settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE}_{opts.model_name}")
    )


def progress_key(job) -> str:
    # With the creation time: a reused id (a database restored or recreated) never reads an old note.
    return f"job-progress:{job._meta.model_name}:{job.pk}:{job.created_at.timestamp():.6f}"


def progress_note(job) -> int:
    """The running job's last progress note; 0 when there is none or the cache does not answer."""
    try:
        return progress_cache.get(progress_key(job)) or 0
    except Exception:
        logger.warning("进度缓存不可用，按已保存的进度显示。", exc_info=True)
        return 0


def progress_note_write(job, rows: int) -> None:
    """Note how far the job is. Display only: a cache that does not answer is logged, never fails the job."""
    try:
        progress_cache.set(progress_key(job), rows, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("进度缓存不可用，本次进度未记录。", exc_info=True)


def rows_done(job) -> int:
    """Rows the running job has done: its last progress note, or the row's own count."""
    return max(job.rows_done, progress_note(job)) if job.is_active else job.rows_done


def status_of(job) -> dict:
    """What a job's page polls: its status, how far it is, and whether it waits for the broker."""
    waiting = background.job_waiting_for_broker(job)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_total": job.rows_total,
        "rows_done": rows_done(job),
        "finished": not job.is_active,
        "waiting_for_broker": waiting,
        "notice": background.BROKER_DOWN_MESSAGE if waiting else "",
    }
