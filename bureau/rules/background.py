"""
Work in the background that survives a crash and a broker outage.

- **Outbox.** `enqueue(task, *args)` writes an `OutboxMessage` in the caller's transaction and
  sends it to the broker once that transaction commits. If the broker is down the row waits:
  `outbox_flush` (beat, and each worker as it starts) sends it when the broker is back, and the
  pages say 「已保存，后台任务将在服务恢复后自动执行」 meanwhile (`waiting_for_broker`).
- **Jobs.** A model that is a `BackgroundJob` declares its states (`job_steps`). The task claims
  the job (`job_claim`: under a row lock, one attempt more, refused when another run holds it)
  and beats while it works (`job_heartbeat`: a thread with its own connection, outside the job's
  transaction). `jobs_watch` (beat) finds jobs whose heartbeat stopped, puts them back into the
  state their task accepts and sends the task again, or, after JOB_MAX_ATTEMPTS, gives up
  (`job_give_up`: failed, 重试 offered, an abandoned import's file deleted).

Each job's steps write their rows once (a claimed step starts from what is committed), so a job
sent twice or resumed after a crash does its work once; unique constraints are the last guard.
"""

import contextlib
import datetime
import logging
import threading
from functools import partial
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from bureau.celery import app as celery_app
from bureau.models.background import BackgroundJob, OutboxMessage, Step

__all__ = [
    "BROKER_DOWN_MESSAGE",
    "Step",
    "enqueue",
    "job_claim",
    "job_heartbeat",
    "job_stalled",
    "job_waiting_for_broker",
    "job_models",
    "jobs_after_restore",
    "jobs_waiting_for_broker",
    "jobs_watch",
    "outbox_flush",
    "waiting_for_broker",
]

logger = logging.getLogger(__name__)

BROKER_DOWN_MESSAGE = "已保存，后台任务将在服务恢复后自动执行。"
OUTBOX_BATCH = 500


def _eager() -> bool:
    return bool(celery_app.conf.task_always_eager)


def _task(name: str):
    """The registered task of `name`, its module imported first (a web process imports tasks lazily)."""
    import_module(name.rsplit(".", 1)[0])
    return celery_app.tasks[name]


def message_key(name: str, args) -> str:
    return f"{name}:{','.join(str(arg) for arg in args)}"[:300]


# --- the outbox -------------------------------------------------------------------------------


def enqueue(task, *args) -> OutboxMessage:
    """
    Queue `task(*args)` with the caller's transaction: the row is written now, the message is
    sent when the transaction commits (a rolled-back request queues nothing) or, if the broker
    is down then, by `outbox_flush` later. On the embedded default the task runs eagerly at commit.
    """
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task=name, args=list(args), key=message_key(name, args))
    transaction.on_commit(partial(_send_committed, message.pk))
    return message


def _send_committed(message_id: int) -> None:
    if _eager():
        message = OutboxMessage.objects.get(pk=message_id)
        OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), attempts=1)
        # In-process, as `delay_on_commit` did: an error propagates to the caller (tests see it).
        _task(message.task).apply_async(args=message.args)
        return
    try:
        _send(OutboxMessage.objects.filter(pk=message_id, sent_at=None))
    except Exception as error:
        OutboxMessage.objects.filter(pk=message_id, sent_at=None).update(
            attempts=F("attempts") + 1, last_error=f"{error.__class__.__name__}: {error}"[:500]
        )
        # The broker is down (or the send failed): the row waits for outbox_flush. Never a 5xx.
        logger.warning("Task message %s not sent now; the outbox will send it.", message_id, exc_info=True)


def _send(messages) -> int:
    """Send the unsent `messages` oldest first, each marked sent in the transaction that locks it."""
    pending = list(messages.filter(sent_at=None).order_by("pk").values_list("pk", flat=True)[:OUTBOX_BATCH])
    if not pending:
        return 0
    with celery_app.connection_for_write() as broker:
        # One quick try: a request that queued work must not wait on a broker that is down.
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        return _send_over(broker, pending)


def _send_over(broker, pending: list[int]) -> int:
    sent = 0
    for message_id in pending:
        error = None
        with transaction.atomic():
            rows = OutboxMessage.objects.filter(pk=message_id, sent_at=None)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            message = rows.first()
            if message is None:  # sent meanwhile by another process
                continue
            try:
                # No publish retries: the outbox is the retry; a down broker answers within the connect timeout.
                _task(message.task).apply_async(args=message.args, connection=broker, retry=False)
            except Exception as exc:
                error = exc
            else:
                message.sent_at, message.attempts, message.last_error = timezone.now(), message.attempts + 1, ""
                message.save(update_fields=["sent_at", "attempts", "last_error"])
                sent += 1
        if error is not None:
            OutboxMessage.objects.filter(pk=message_id).update(
                attempts=message.attempts + 1, last_error=f"{error.__class__.__name__}: {error}"[:500]
            )
            raise error
    return sent


def outbox_flush() -> int:
    """Send what waits in the outbox (beat, and each worker as it starts); stop at the first broker error."""
    try:
        sent = _send(OutboxMessage.objects.all())
    except Exception as error:
        logger.warning("Outbox not flushed, the broker still refuses: %s", error)
        return 0
    # Sent messages are kept a week for the record, then deleted.
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - datetime.timedelta(days=7)).delete()
    return sent


def waiting_for_broker(task, *args) -> bool:
    """Whether `task(*args)` was queued but not yet sent (the broker was down): the page says so."""
    name = task if isinstance(task, str) else task.name
    return OutboxMessage.objects.filter(key=message_key(name, args), sent_at=None).exists()


def jobs_waiting_for_broker(jobs) -> set[int]:
    """
    Ids of the `jobs` whose next step waits in the outbox (the broker was down), in one query
    whatever their number: a list of jobs says so row by row without a query per row.
    """
    keys = {}
    for job in jobs:
        step = job.job_steps.get(job.status)
        if step is not None:
            keys[message_key(step.task, [job.pk])] = job.pk
    if not keys:
        return set()
    unsent = OutboxMessage.objects.filter(key__in=list(keys), sent_at=None).values_list("key", flat=True)
    return {keys[key] for key in unsent}


def job_waiting_for_broker(job) -> bool:
    """Whether this job's next step waits in the outbox (the broker was down)."""
    return job.pk in jobs_waiting_for_broker([job])


# --- jobs -------------------------------------------------------------------------------------


def job_models() -> list[type[BackgroundJob]]:
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def _stale_before(waiting: bool = False) -> datetime.datetime:
    seconds = settings.JOB_QUEUED_STALE_SECONDS if waiting else settings.JOB_STALE_SECONDS
    return timezone.now() - datetime.timedelta(seconds=seconds)


def job_stalled(job: BackgroundJob) -> bool:
    """No run of the job has written a heartbeat for JOB_STALE_SECONDS: its worker stopped (or none took it)."""
    return job.heartbeat_at is None or job.heartbeat_at < _stale_before()


def give_up_message(job: BackgroundJob) -> str:
    return f"后台任务已尝试 {job.attempts} 次仍未完成（处理进程中断），已停止。"


def job_claim(model: type[BackgroundJob], pk: int, *, from_states, to_state: str):
    """
    Take the job for this run, in its own committed transaction: from one of `from_states`, or
    from `to_state` when its last run stopped beating (a crash). Another live run, a finished
    job or a missing row → None (the message is a duplicate). The attempt is counted here; past
    JOB_MAX_ATTEMPTS the job gives up instead of running again.
    """
    with transaction.atomic():
        job = model._default_manager.select_for_update().filter(pk=pk).first()
        if job is None:
            logger.warning("%s %s not found; nothing to run.", model.__name__, pk)
            return None
        if job.status not in from_states and not (job.status == to_state and job_stalled(job)):
            logger.info("%s %s is %s; not running it again.", model.__name__, pk, job.status)
            return None
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            job.job_give_up(give_up_message(job))
            return None
        job.attempts += 1
        job.status = to_state
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["attempts", "status", "heartbeat_at"])
    return job


def _beat(model, pk, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                model._default_manager.filter(pk=pk).update(heartbeat_at=timezone.now())
            except DatabaseError as error:
                logger.warning("Heartbeat of %s %s not written: %s", model.__name__, pk, error)
    finally:
        connection.close()  # this thread's own connection


@contextlib.contextmanager
def job_heartbeat(job: BackgroundJob):
    """
    While the block runs, a thread writes the job's heartbeat every JOB_HEARTBEAT_SECONDS through
    its own connection, so a job working inside one long transaction is still seen alive. Not on
    the embedded default: its tasks run in the request itself, and SQLite has one writer.
    """
    if _eager() or connection.vendor == "sqlite":
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_beat, args=(type(job), job.pk, stop), daemon=True, name=f"heartbeat-{job.pk}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def job_queue(job: BackgroundJob, task) -> None:
    """Mark the job queued now (its heartbeat starts the waiting clock) and enqueue its task."""
    job.heartbeat_at = timezone.now()
    if job.pk is not None:
        type(job)._default_manager.filter(pk=job.pk).update(heartbeat_at=job.heartbeat_at)
    enqueue(task, job.pk)


def jobs_watch() -> dict[str, int]:
    """
    Beat: every job in a state a worker has to move on, whose heartbeat is older than
    JOB_STALE_SECONDS (JOB_QUEUED_STALE_SECONDS while it waits in the queue), is put back into
    the state its task accepts and sent again; after JOB_MAX_ATTEMPTS it gives up instead.
    """
    counts = {"requeued": 0, "given_up": 0}
    for model in job_models():
        for state, step in model.job_steps.items():
            stale = Q(heartbeat_at=None) | Q(heartbeat_at__lt=_stale_before(step.waiting))
            for pk in model._default_manager.filter(stale, status=state).values_list("pk", flat=True):
                with transaction.atomic():
                    job = model._default_manager.select_for_update().filter(stale, pk=pk, status=state).first()
                    if job is None:
                        continue
                    if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                        job.job_give_up(give_up_message(job))
                        counts["given_up"] += 1
                        continue
                    logger.warning(
                        "%s %s stalled in %s (heartbeat %s); sending %s again.",
                        model.__name__,
                        pk,
                        state,
                        job.heartbeat_at,
                        step.task,
                    )
                    job.status, job.heartbeat_at = step.requeue_to, timezone.now()
                    job.save(update_fields=["status", "heartbeat_at"])
                    enqueue(step.task, pk)
                    counts["requeued"] += 1
    return counts


def jobs_after_restore() -> dict[str, int]:
    """
    After a restore, every job caught mid-way is stale by definition (its worker belonged to
    the old system): its heartbeat is cleared so that the watchdog resumes it, or fails it, at once.
    """
    counts = {}
    for model in job_models():
        counts[model._meta.label] = model._default_manager.filter(status__in=list(model.job_steps)).update(
            heartbeat_at=None
        )
    return counts


def worker_ready(**kwargs) -> None:
    """A worker that starts sends what the outbox holds and resumes what stalled, without waiting for beat."""
    close_old_connections()
    try:
        outbox_flush()
        jobs_watch()
    except Exception:
        logger.exception("Outbox or job watch at worker start failed; beat will retry.")
    finally:
        close_old_connections()
