"""
What the kit keeps for work done in the background (bureau.rules.background): the outbox of tasks
waiting for the broker, and the fields every resumable job carries (its heartbeat and attempts).
"""

from dataclasses import dataclass

from django.db import models


class OutboxMessage(models.Model):
    """
    A task to send to the broker, written in the same transaction as the change that asks for it:
    if the broker is down when the transaction commits, the row waits and `outbox_flush` (beat, and
    every worker as it starts) sends it once the broker is back. Nothing queued is ever lost.
    """

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list, blank=True)
    # The task and its arguments as text: what a page looks up to say "waiting for the broker".
    key = models.CharField("任务标识", max_length=300, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近一次发送错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "待发送的后台任务"
        verbose_name_plural = "待发送的后台任务"
        ordering = ["pk"]
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_unsent")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


@dataclass(frozen=True)
class Step:
    """
    One state of a job that a worker still has to move on (`BackgroundJob.job_steps`).

    `task`: the Celery task's name that continues from this state, called with the job's id.
    `requeue_to`: the state the watchdog puts a stalled job back into before sending the task
    again (the state the task accepts); the same state when the task accepts it as it is.
    `waiting`: the job waits in the queue rather than runs; it is sent again only after
    JOB_QUEUED_STALE_SECONDS (a long queue is not a crash).
    """

    task: str
    requeue_to: str
    waiting: bool = False


class BackgroundJob(models.Model):
    """
    A job a worker moves through states (import, export, report, payroll). It declares:

    - `job_steps`: {state: Step} for every state a worker has still to move on;
    - `job_give_up(message)`: mark it failed (and clean up) once JOB_MAX_ATTEMPTS are spent.

    The worker claims it (`background.job_claim`) and beats (`background.job_heartbeat`); the
    watchdog (`background.jobs_watch`, beat) re-queues one whose heartbeat stopped, or gives up.
    """

    heartbeat_at = models.DateTimeField(
        "最近心跳", null=True, blank=True, help_text="后台任务运行时定期更新；长时间未更新说明任务已中断。"
    )
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)

    job_steps: dict[str, Step] = {}

    class Meta:
        abstract = True

    def job_give_up(self, message: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} must say how it fails (job_give_up).")
