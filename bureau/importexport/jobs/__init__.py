"""
Imports and large exports as jobs of the Celery worker (in-process on the embedded default,
where CELERY_TASK_ALWAYS_EAGER runs the same tasks eagerly).

Import: `import_job_create` stores the checked upload privately and queues `import_job_validate`
(a dry run of the resource, with progress), whose summary the preview shows; `import_job_confirm`
(once, by the job's user) queues `import_job_apply`, which imports the file in one transaction.

Export: `export_job_create` (above EXPORT_JOB_THRESHOLD rows) queues `export_job_run`, which writes
the file with openpyxl's write-only mode, masked as the admin export, logs it in ExportLog and offers
it in 我的导出 until `expires_at`; `export_jobs_expire` (beat) deletes the expired files.

Every step survives a crash (bureau.rules.background): tasks go through the outbox (a broker that is down
delays them, loses nothing), each step claims its job and beats while it works, and the watchdog
sends a step whose worker died again, or gives up after JOB_MAX_ATTEMPTS (failed, the upload
deleted). A step may therefore run again from the start: validation is a dry run, the import one
transaction (a killed one wrote nothing), and an export rewrites its file from scratch.

One module per concern, this package re-exporting what callers use (`from bureau.importexport
import jobs; jobs.import_job_create(...)`): what both kinds share (`common`: permissions, the
ModelAdmin, progress notes, the status a page polls), `imports`, the preview's column mapping
(`columns`), `exports`, and the hourly `sweep`.
The hooks where a test stops a job mid-way are looked up in the module that calls them, so they
are patched there, not here: `bureau.importexport.jobs.imports:after_rows` and
`bureau.importexport.jobs.exports:after_export_rows` (tests/worker_hooks.py).
"""

from .columns import import_job_map_columns, mappable_columns
from .common import (
    PROGRESS_EVERY,
    PROGRESS_TIMEOUT,
    may_export,
    may_import,
    model_admin_for,
    progress_cache,
    progress_key,
    progress_note,
    progress_note_write,
    rows_done,
    status_of,
)
from .exports import (
    EXPORT_TASK,
    cell_value,
    export_job_create,
    export_job_download,
    export_job_run,
    scratch_directory,
)
from .imports import (
    APPLY_FAILED,
    APPLY_TASK,
    ERRORS_KEPT,
    SAMPLE_ROWS,
    VALIDATE_FAILED,
    VALIDATE_TASK,
    ProgressTracker,
    import_job_apply,
    import_job_confirm,
    import_job_create,
    import_job_validate,
)
from .sweep import NOT_CONFIRMED, export_jobs_expire

__all__ = [
    "APPLY_FAILED",
    "APPLY_TASK",
    "ERRORS_KEPT",
    "EXPORT_TASK",
    "NOT_CONFIRMED",
    "PROGRESS_EVERY",
    "PROGRESS_TIMEOUT",
    "SAMPLE_ROWS",
    "VALIDATE_FAILED",
    "VALIDATE_TASK",
    "ProgressTracker",
    "cell_value",
    "export_job_create",
    "export_job_download",
    "export_job_run",
    "export_jobs_expire",
    "import_job_apply",
    "import_job_confirm",
    "import_job_create",
    "import_job_map_columns",
    "import_job_validate",
    "may_export",
    "mappable_columns",
    "may_import",
    "model_admin_for",
    "progress_cache",
    "progress_key",
    "progress_note",
    "progress_note_write",
    "rows_done",
    "scratch_directory",
    "status_of",
]
