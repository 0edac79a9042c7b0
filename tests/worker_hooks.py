"""
Imported by the worker processes of tests/worker_process.py (`celery worker --include`), never by
the portal: WORKER_PAUSE_AT="module:function" replaces that function with one that touches
WORKER_PAUSED_MARKER and sleeps, so the test can kill the worker at that point of a job.
Also a task that only sleeps, for tests of the worker itself.
"""

import importlib
import os
import time
from pathlib import Path

from celery import shared_task

PAUSE_SECONDS = 600


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
