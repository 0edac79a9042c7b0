"""
`manage.py service_alive worker|beat`: exit 0 when the service's heartbeat (bureau.rules.service_health)
is fresh, 1 otherwise. Compose's health checks of the worker and beat containers run it: the worker
checks the heartbeat of a worker on its own host (the container's hostname), beat the "beat" row.

With `--restart-stalled` it also stops the container's main process (PID 1) when that process has
run longer than SERVICE_STALE_SECONDS and its heartbeat is still stale: compose only marks a
container unhealthy, `restart: unless-stopped` then starts it again. Not when the database does not
answer (the heartbeat cannot be read: restarting would not help), nor while a new process has not
had the time to beat.
"""

import os
import signal
import socket

from django.core.management.base import BaseCommand, CommandError

from bureau.rules import service_health

# The worker's cold shutdown (a hung warm shutdown would wait for its tasks); beat stops on SIGTERM.
STOP_SIGNALS = {"worker": signal.SIGQUIT, "beat": signal.SIGTERM}


def process_age(pid: int) -> float:
    """Seconds since `pid` started (Linux: /proc/<pid>/stat's starttime against /proc/uptime)."""
    with open(f"/proc/{pid}/stat") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) - start_ticks / os.sysconf("SC_CLK_TCK")


class Command(BaseCommand):
    help = "后台服务（worker 或 beat）是否存活：心跳新鲜时退出码为 0，否则为 1。"
    # Run every 30 s by the health check: one query, no system checks.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("service", choices=["worker", "beat"])
        parser.add_argument(
            "--restart-stalled",
            action="store_true",
            help="心跳停止时结束容器主进程，由 restart: unless-stopped 重新启动。",
        )
        parser.add_argument("--pid", type=int, default=1, help="要结束的进程（默认 1，即容器主进程）。")

    def handle(self, *args, service: str, restart_stalled: bool, pid: int, **options):
        if service == "worker":
            status = service_health.worker_status(hostname=socket.gethostname())
        else:
            status = service_health.beat_status()
        if status == "ok":
            self.stdout.write(f"{service}: ok")
            return
        if restart_stalled and status.startswith("down") and process_age(pid) > service_health.stale_seconds():
            os.kill(pid, STOP_SIGNALS[service])
            raise CommandError(f"{service}: {status}; 已结束进程 {pid}，等待重新启动。")
        raise CommandError(f"{service}: {status}")
