"""
A real Celery worker in its own process — the `celery` command, as production runs it — against
this test process's database and a real Redis, so that a test can kill it as a crash would.

- `redis_url` (fixture): settings.REDIS_URL when set (CI), else a `redis-server` started for the
  session on a free port; skipped only where there is no redis-server at all.
- `start_worker_process(...)`: `celery -A bureau worker` (prefork, one child, embedded beat with
  the fast intervals of `FAST`) on this xdist process's own queue, with DATABASE_URL pointing at
  the test database. The test must commit its data: pytest.mark.django_db(transaction=True).
- `pause_at="module:function"`: the worker replaces that function by one that touches
  `paused_marker` and sleeps — the test waits for the marker, then kills the worker mid-job.

The worker's log is in its `log` file; a failing test prints it.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bureau.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent

# Intervals of the worker under test: a stalled job is seen in ~4 s, not 60.
FAST = {
    "JOB_HEARTBEAT_SECONDS": "1",
    "JOB_STALE_SECONDS": "4",
    "JOB_QUEUED_STALE_SECONDS": "15",
    "JOBS_WATCH_SECONDS": "2",
    "OUTBOX_FLUSH_SECONDS": "2",
    "SERVICE_HEARTBEAT_SECONDS": "2",
    # On the SQLite test database a writer of the worker (beat's heartbeat, seen right after a
    # killed worker) can wait out the whole 20 s lock timeout and stall beat's loop with it: here
    # it gives up after 3 s and writes again at the next beat (production runs PostgreSQL).
    "SQLITE_TIMEOUT": "3",
}
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    """A redis-server of the test's own, which a test may stop and start again on the same port."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _answers(self.port), 20, "redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(condition, seconds: float, message, every: float = 0.2):
    """Poll `condition`; fail with `message` (a callable is called only then, to show the state at the end)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    pytest.fail(message() if callable(message) else message)


def own_redis_server(tmp_path_factory) -> RedisServer:
    if not shutil.which("redis-server"):
        pytest.skip("需要 redis-server（Debian 软件包 redis-server）来运行真实的 Celery 进程。")
    server = RedisServer(port=free_port(), directory=tmp_path_factory.mktemp("redis"))
    server.start()
    return server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The Redis the worker processes use: CI's (REDIS_URL), else one started here."""
    if settings.REDIS_URL:
        yield settings.REDIS_URL
        return
    server = own_redis_server(tmp_path_factory)
    try:
        yield server.url
    finally:
        server.stop()


def database_url() -> str:
    """The test database, as a DATABASE_URL the worker process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def queue_name() -> str:
    return f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path
    paused_marker: Path
    env: dict = field(repr=False, default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def report(self, tail: int = 6000) -> str:
        """
        The end of the log after every process of the worker (main, pool, embedded beat) printed
        its threads' stacks (tests/worker_hooks.py registers faulthandler on SIGUSR2): what a
        failing test shows, so that a worker that hangs says where.
        """
        if self.alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGUSR2)
            time.sleep(1)
        return self.output()[-tail:]

    def wait_ready(self) -> None:
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.output()[-4000:]}")
            return " ready." in self.output()

        wait_for(ready, START_SECONDS, lambda: f"the worker was not ready in {START_SECONDS} s:\n{self.report()}")

    def wait_paused(self, seconds: float = 60) -> None:
        wait_for(
            self.paused_marker.exists,
            seconds,
            lambda: f"the worker never reached the pause point:\n{self.report()}",
        )

    def pool_children(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_pool_child(self) -> None:
        """SIGKILL the pool process running the task, as the OOM killer would; the worker itself lives."""
        children = self.pool_children()
        assert children, "the worker has no pool process"
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the worker and its pool, as a crashed machine or `docker kill` would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """At a test's end: killed outright, a warm shutdown would wait for the paused task (and costs seconds)."""
        self.kill()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def start_worker_process(
    tmp_path: Path,
    *,
    redis_url: str,
    name: str = "worker",
    pause_at: str = "",
    beat: bool = True,
    env=None,
    concurrency: int = 1,
) -> WorkerProcess:
    """Start `celery -A bureau worker` on this process's queue and wait until it is ready."""
    log = tmp_path / f"{name}.log"
    marker = tmp_path / f"{name}.paused"
    queue = queue_name()
    worker_env = {
        **os.environ,
        **FAST,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
        "WORKER_PAUSE_AT": pause_at,
        "WORKER_PAUSED_MARKER": str(marker),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    worker_env.pop("PYTEST_XDIST_WORKER", None)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "bureau",
        "worker",
        "--loglevel",
        "info",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--queues",
        queue,
        "--hostname",
        f"{name}-{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--include",
        "tests.worker_hooks",
    ]
    if beat:
        command += ["--beat", "--schedule", str(tmp_path / f"{name}-beat-schedule")]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=worker_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = WorkerProcess(process=process, log=log, paused_marker=marker, env=worker_env)
    worker.wait_ready()
    return worker


def reset_broker_pool() -> None:
    """
    Forget the app's pooled broker connections: after broker_url changes they would still point at
    the old broker. Not closed: kombu keeps one pool per broker address for the whole process.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker():
    """Tasks are sent to a Redis port where nothing listens, as if Redis were down."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "broker_write_url", "task_always_eager")}
    conf.update(broker_url="redis://127.0.0.1:1/0", broker_write_url=None, task_always_eager=False)
    reset_broker_pool()
    yield
    conf.update(saved)
    reset_broker_pool()


@pytest.fixture
def broker(redis_url):
    """This test process sends to the real broker, on the queue its worker processes consume."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    conf.update(task_always_eager=False, broker_url=redis_url, task_default_queue=queue_name())
    reset_broker_pool()
    try:
        yield redis_url
    finally:
        conf.update(saved)
        reset_broker_pool()


@pytest.fixture
def worker_processes(tmp_path, redis_url):
    """Start workers with `worker_processes(name=..., pause_at=...)`; all are stopped at the end."""
    started: list[WorkerProcess] = []

    def start(**kwargs) -> WorkerProcess:
        worker = start_worker_process(tmp_path, redis_url=redis_url, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
