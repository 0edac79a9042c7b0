"""
`manage.py service_alive worker|beat`: exit 0 when the service's heartbeat (bureau.service_health)
is fresh, 1 otherwise. Compose's health checks of the worker and beat containers run it: the worker
checks the heartbeat of a worker on its own host (the container's hostname), beat the "beat" row.
"""

import socket

from django.core.management.base import BaseCommand, CommandError

from bureau import service_health


class Command(BaseCommand):
    help = "后台服务（worker 或 beat）是否存活：心跳新鲜时退出码为 0，否则为 1。"
    # Run every 30 s by the health check: one query, no system checks.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("service", choices=["worker", "beat"])

    def handle(self, *args, service: str, **options):
        if service == "worker":
            status = service_health.worker_status(hostname=socket.gethostname())
        else:
            status = service_health.beat_status()
        if status != "ok":
            raise CommandError(f"{service}: {status}")
        self.stdout.write(f"{service}: ok")
