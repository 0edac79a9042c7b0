"""
Reads on SQLite do not take the write lock.

Every request runs in one transaction (ATOMIC_REQUESTS). On SQLite the settings begin it
IMMEDIATE, taking the write lock at once, because two transactions that read and then both try
to write deadlock: SQLite answers one of them "database is locked" without waiting. That is right
for a POST, and for Celery tasks and management commands; for a GET it made every page wait for
every other, reads included (26 req/s on the person list under 20 clients, 51 with DEFERRED).
This middleware begins the transactions of safe requests (GET, HEAD, OPTIONS) DEFERRED, so they
share the database; writes still queue for the lock with the busy timeout.

A GET that writes (an audit event for one record's page) upgrades its lock at that point; under a
concurrent writer SQLite may refuse it rather than risk a deadlock. PostgreSQL, the production
database, has no such lock.
"""

from django.db import DatabaseError, connection

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class DeferredReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.vendor != "sqlite" or request.method not in SAFE_METHODS:
            return self.get_response(request)
        # The mode is read from settings when the connection opens, so open it first. A database that
        # cannot be opened is the view's to report (/healthz answers 503 JSON), not this middleware's 500.
        try:
            connection.ensure_connection()
        except DatabaseError:
            return self.get_response(request)
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            return self.get_response(request)
        finally:
            connection.transaction_mode = mode
