"""
Imported by the worker processes of tests/worker_process.py (`celery worker --include`), never by
the portal: WORKER_PAUSE_AT="module:function" replaces that function with one that touches
WORKER_PAUSED_MARKER and sleeps, so the test can kill the worker at that point of a job.
SIGUSR2 prints every thread's stack to the log. Also a task that only sleeps, for tests of the worker itself.
"""

import faulthandler
import importlib
import os
import signal
import sys
import time
from pathlib import Path

from celery import shared_task

PAUSE_SECONDS = 600

# A failing test sends SIGUSR2 to the worker's processes (WorkerProcess.report): each prints its
# threads' stacks to the log. Inherited by the pool and the embedded beat, forked after this import.
faulthandler.register(signal.SIGUSR2, all_threads=True, file=sys.__stderr__)


def _pause(*args, **kwargs):
    Path(os.environ["WORKER_PAUSED_MARKER"]).touch()
    time.sleep(PAUSE_SECONDS)


if pause_at := os.environ.get("WORKER_PAUSE_AT"):
    module_name, _, attribute = pause_at.partition(":")
    setattr(importlib.import_module(module_name), attribute, _pause)


@shared_task
def sleep(seconds: float, marker: str = "") -> str:
    if marker:
        Path(marker).touch()
    time.sleep(seconds)
    return "slept"
