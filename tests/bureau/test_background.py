"""
The kit's background work (bureau.rules.background): the outbox that keeps a task while the broker is
down, the claim that makes a second delivery harmless, and the watchdog that resumes or fails a
job whose worker stopped beating. The crash tests of each job are beside the job's own tests.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from bureau.celery import app as celery_app
from bureau.models import ExportJob, OutboxMessage
from bureau.rules import background
from tests.worker_process import RedisServer, free_port, reset_broker_pool, wait_for


@pytest.fixture
def export_job(db, bureau_user):
    return ExportJob.objects.create(user=bureau_user, model="bureau.person", kind="人员")


def stale(job, seconds=3600):
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))
    job.refresh_from_db()
    return job


# --- the outbox ---------------------------------------------------------------------------------


def test_a_task_queued_while_the_broker_is_down_waits_in_the_outbox(
    db, unreachable_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        background.enqueue("bureau.tasks.run_export_job", 41)

    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.sent_at) == ("bureau.tasks.run_export_job", [41], None)
    assert message.attempts == 1
    assert message.last_error.startswith("OperationalError")
    assert background.waiting_for_broker("bureau.tasks.run_export_job", 41)
    assert not background.waiting_for_broker("bureau.tasks.run_export_job", 42)
    # The flush finds the broker still down: nothing sent, nothing lost, no exception.
    assert background.outbox_flush() == 0
    assert OutboxMessage.objects.get().sent_at is None


def test_a_rolled_back_transaction_queues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        background.enqueue("bureau.tasks.run_export_job", 41)
        raise RuntimeError("the request failed")

    assert not OutboxMessage.objects.exists()


def test_on_the_embedded_default_the_task_runs_at_commit_and_is_marked_sent(
    db, export_job, django_capture_on_commit_callbacks, settings
):
    settings.EXPORT_JOB_THRESHOLD = 0
    with django_capture_on_commit_callbacks(execute=True):
        background.enqueue("bureau.tasks.run_export_job", export_job.pk)

    assert OutboxMessage.objects.get().sent_at is not None
    export_job.refresh_from_db()
    assert export_job.status != ExportJob.Status.QUEUED  # the task ran (eagerly)


# --- claims and the watchdog --------------------------------------------------------------------


def test_a_claim_counts_the_attempt_and_refuses_a_second_live_run(export_job):
    claimed = background.job_claim(
        ExportJob, export_job.pk, from_states=[ExportJob.Status.QUEUED], to_state=ExportJob.Status.RUNNING
    )

    assert (claimed.status, claimed.attempts) == (ExportJob.Status.RUNNING, 1)
    assert claimed.heartbeat_at is not None
    # A duplicate message while the first run beats: not run twice.
    again = background.job_claim(
        ExportJob, export_job.pk, from_states=[ExportJob.Status.QUEUED], to_state=ExportJob.Status.RUNNING
    )
    assert again is None
    # Once the first run stopped beating, a redelivered message takes over.
    stale(export_job)
    taken = background.job_claim(
        ExportJob, export_job.pk, from_states=[ExportJob.Status.QUEUED], to_state=ExportJob.Status.RUNNING
    )
    assert taken.attempts == 2


def test_a_claim_past_the_attempts_cap_gives_up(export_job, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    ExportJob.objects.filter(pk=export_job.pk).update(attempts=2)

    assert (
        background.job_claim(
            ExportJob, export_job.pk, from_states=[ExportJob.Status.QUEUED], to_state=ExportJob.Status.RUNNING
        )
        is None
    )
    export_job.refresh_from_db()
    assert export_job.status == ExportJob.Status.FAILED
    assert export_job.error == "后台任务已尝试 2 次仍未完成（处理进程中断），已停止。请重新导出。"


def test_the_watchdog_requeues_a_job_whose_worker_stopped_beating(
    export_job, unreachable_broker, django_capture_on_commit_callbacks
):
    ExportJob.objects.filter(pk=export_job.pk).update(status=ExportJob.Status.RUNNING, attempts=1)
    stale(export_job, seconds=61)

    with django_capture_on_commit_callbacks(execute=True):
        counts = background.jobs_watch()

    assert counts == {"requeued": 1, "given_up": 0}
    export_job.refresh_from_db()
    # Back in the state its task accepts, its clock restarted, the task in the outbox.
    assert export_job.status == ExportJob.Status.QUEUED
    assert export_job.heartbeat_at > timezone.now() - datetime.timedelta(seconds=5)
    assert OutboxMessage.objects.get().args == [export_job.pk]


def test_the_watchdog_leaves_a_beating_job_and_a_short_queue_alone(export_job, bureau_user):
    ExportJob.objects.filter(pk=export_job.pk).update(status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now())
    waiting = ExportJob.objects.create(user=bureau_user, model="bureau.person", kind="人员")
    # Queued five minutes ago: a long queue, not a crash (JOB_QUEUED_STALE_SECONDS is 600).
    stale(waiting, seconds=300)

    assert background.jobs_watch() == {"requeued": 0, "given_up": 0}
    assert not OutboxMessage.objects.exists()


def test_the_watchdog_gives_up_after_the_last_attempt(export_job, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    ExportJob.objects.filter(pk=export_job.pk).update(status=ExportJob.Status.RUNNING, attempts=3)
    stale(export_job)

    assert background.jobs_watch() == {"requeued": 0, "given_up": 1}
    export_job.refresh_from_db()
    assert export_job.status == ExportJob.Status.FAILED
    assert export_job.error.startswith("后台任务已尝试 3 次仍未完成")


def test_after_a_restore_every_job_in_flight_is_stale_at_once(export_job):
    ExportJob.objects.filter(pk=export_job.pk).update(status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now())

    assert background.jobs_after_restore()["bureau.ExportJob"] == 1
    export_job.refresh_from_db()
    assert export_job.heartbeat_at is None


# --- through a real worker and Redis ------------------------------------------------------------


@pytest.mark.slow  # starts Redis and a Celery worker process (~5 s)
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_work_queued_while_redis_is_down_runs_when_it_is_back_without_a_click(tmp_path, worker_processes, broker):
    down = RedisServer(port=free_port(), directory=tmp_path)
    celery_app.conf.broker_url = down.url
    reset_broker_pool()
    marker = tmp_path / "ran"

    with transaction.atomic():
        background.enqueue("tests.worker_hooks.sleep", 0, str(marker))
    assert background.waiting_for_broker("tests.worker_hooks.sleep", 0, str(marker))

    down.start()
    try:
        worker = worker_processes(env={"REDIS_URL": down.url})
        wait_for(marker.exists, 30, lambda: f"the queued task never ran:\n{worker.report()}")
        assert not background.waiting_for_broker("tests.worker_hooks.sleep", 0, str(marker))
        assert OutboxMessage.objects.get().sent_at is not None
    finally:
        worker.stop() if "worker" in locals() else None
        down.stop()


def test_which_jobs_wait_for_the_broker_is_one_query_whatever_their_number(
    bureau_user, unreachable_broker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    jobs = [ExportJob.objects.create(user=bureau_user, model="bureau.person", kind="人员") for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for job in jobs[:3]:
            background.job_queue(job, "bureau.tasks.run_export_job")
    OutboxMessage.objects.filter(key=background.message_key("bureau.tasks.run_export_job", [jobs[2].pk])).update(
        sent_at=timezone.now()
    )

    with django_assert_num_queries(1):
        assert background.jobs_waiting_for_broker(jobs) == {jobs[0].pk, jobs[1].pk}
    assert background.job_waiting_for_broker(jobs[0])
    assert not background.job_waiting_for_broker(jobs[3])
