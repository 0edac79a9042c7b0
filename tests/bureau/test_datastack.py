"""
Requests run with room on CPython's frame stack (bureau.base.datastack): a call at the depth where a chunk
of the stack ends maps and unmaps memory each time (a page fault per call) without the reserve, not within it.
"""

import importlib
import io
import resource
import sys

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import override_settings

from bureau.base.datastack import reserved_stack, reserved_stack_call

CALLS = 200


def _leaf_with_locals(count: int):
    # A frame larger than `_descend`'s: at some depth it is the one call that no longer fits the chunk.
    names = " = ".join(f"_{index}" for index in range(count))
    namespace: dict = {}
    exec(f"def leaf():\n    if False:\n        {names} = None\n", namespace)  # noqa: S102 - fixed text
    return namespace["leaf"]


leaf = _leaf_with_locals(40)


def _descend(depth: int, calls: int):
    if depth:
        return _descend(depth - 1, calls)
    for _ in range(calls):
        leaf()


def _minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt


def worst_faults_over_depths(depths=range(400)) -> int:
    """The most page faults that CALLS calls at one depth cost, over the depths (~45 KiB of frames: past 16 KiB chunks)."""
    worst = 0
    for depth in depths:
        before = _minor_faults()
        _descend(depth, CALLS)
        worst = max(worst, _minor_faults() - before)
    return worst


def test_calls_at_the_end_of_a_chunk_fault_each_time_without_the_reserve_and_not_within_it():
    if sys.version_info >= (3, 14):
        pytest.fail("CPython 3.14 keeps a chunk (gh-142183): bureau.base.datastack and this test can go.")
    # The premise: somewhere between 0 and 400 frames deep, every call maps a fresh chunk (a fault each).
    assert worst_faults_over_depths() >= CALLS
    # Within the reserve the same depths fit the reserved chunk: no call maps memory.
    assert reserved_stack_call(worst_faults_over_depths) < CALLS // 10


def test_the_reserved_application_answers_what_the_application_answers_from_the_reserving_frame():
    seen = {}

    def application(environ, start_response):
        seen["caller"] = sys._getframe(1).f_code.co_name
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    statuses = []
    body = reserved_stack(application)({"PATH_INFO": "/x/"}, lambda status, headers: statuses.append(status))

    assert body == [b"/x/"]
    assert statuses == ["200 OK"]
    assert seen["caller"] == "reserved_stack_call"


def test_a_failing_application_raises_through_the_reserve():
    def application(environ, start_response):
        raise ValueError("坏请求")

    with pytest.raises(ValueError, match="坏请求"):
        reserved_stack(application)({}, None)


@pytest.mark.django_db
def test_the_wsgi_entry_point_serves_django_within_the_reserve():
    with override_settings(SECRET_KEY="a-long-random-test-key-0123456789-abcdefghijklmnopqrstuvwxyz"):
        wsgi = importlib.import_module("bureau.wsgi")
    assert isinstance(wsgi.application.wrapped, WSGIHandler)

    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/admin/login/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    # As Django's test client: the test's database connection stays open across the request.
    signals.request_started.disconnect(close_old_connections)
    try:
        body = b"".join(wsgi.application(environ, lambda status, headers: statuses.append(status)))
    finally:
        signals.request_started.connect(close_old_connections)

    assert statuses == ["200 OK"]
    assert "登录".encode() in body
