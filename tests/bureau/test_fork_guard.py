"""
A fork of the worker's main process (the embedded beat of `worker -B`, a pool process replacing a
dead one) waits for a heartbeat write in flight (bureau.rules.service_health.fork_guard): a child copied
while the heartbeat thread held a lock inside the database driver would wait on it for good.
"""

import os
import threading
import time

from bureau.rules import service_health


def test_a_fork_waits_for_the_heartbeat_write_in_flight_and_the_child_starts_free():
    guard = service_health.fork_guard()
    writing = threading.Event()
    released_at = []

    def heartbeat_write():
        with guard:
            writing.set()
            time.sleep(0.3)
            released_at.append(time.monotonic())

    thread = threading.Thread(target=heartbeat_write)
    thread.start()
    assert writing.wait(5)

    pid = os.fork()
    if pid == 0:  # the child: the lock must be free here, not a copy held by a thread that is gone
        os._exit(0 if guard.acquire(timeout=2) else 3)
    forked_at = time.monotonic()
    thread.join()
    _, status = os.waitpid(pid, 0)

    assert forked_at >= released_at[0]  # the fork waited for the write to end
    assert os.waitstatus_to_exitcode(status) == 0
    assert guard.acquire(timeout=1)  # and the parent's lock is released after the fork
    guard.release()
