"""On SQLite a read does not queue for the write lock, and a write still waits for it (bureau.base.sqlite)."""

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only"),
]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@contextmanager
def another_writer_holding_the_lock():
    """Another process's connection in the middle of a write transaction."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.rollback()
        other.close()


def test_a_list_is_read_while_another_connection_writes(bureau_user, township_a):
    PersonFactory(township=township_a)
    client = api(bureau_user)

    with another_writer_holding_the_lock():
        start = time.monotonic()
        response = client.get("/api/v1/persons/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert time.monotonic() - start < 5  # IMMEDIATE would wait for the lock (20 s) and fail


def test_a_write_waits_for_the_lock_and_then_succeeds(bureau_user, township_a):
    person = PersonFactory(township=township_a)
    result = {}
    writer = another_writer_holding_the_lock()
    other = writer.__enter__()

    def write():
        try:
            result["response"] = api(bureau_user).patch(f"/api/v1/persons/{person.pk}/", {"address": "新地址"})
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(1)
    assert thread.is_alive(), "the write did not wait for the lock"
    other.rollback()  # the other writer commits nothing and lets go
    writer.__exit__(None, None, None)
    thread.join(timeout=30)

    assert result["response"].status_code == 200
    person.refresh_from_db()
    assert person.address == "新地址"
