"""
A bounded load run: N clients (threads) request the given paths in turn for a fixed time.

Every response is checked after it is timed: HTTP 200, and for an API list JSON with a full page of
results, for an admin list (`ADMIN_LIST`) the change list's HTML table; a wrong one is counted as an
error and reported, never as a fast answer. Times are wall seconds.
"""

import http.client
import json
import socket
import statistics
import threading
import time
import urllib.parse

# What an admin change list answers (in place of a number of JSON rows): its HTML table of results.
ADMIN_LIST = "admin change list"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    parts = urllib.parse.urlsplit(url)
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            connection.request("GET", parts.path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def run(
    base: str, paths: list[str], headers: dict, *, clients: int, seconds: float, json_rows: int | str | None = 50
) -> dict[str, dict]:
    """Figures for each path: requests, errors, p50, p95 (seconds) and requests per second."""
    parts = urllib.parse.urlsplit(base)
    durations: dict[str, list[float]] = {path: [] for path in paths}
    errors: dict[str, list[str]] = {path: [] for path in paths}
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        start_line.wait()
        turn = number
        while time.monotonic() < stop_at[0]:
            path = paths[turn % len(paths)]
            turn += 1
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            try:
                begun = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                took = time.perf_counter() - begun
                problem = check(response, body, json_rows)
            except OSError as error:
                took, problem = None, f"{type(error).__name__}: {error}"
            finally:
                connection.close()
            with lock:
                if problem:
                    errors[path].append(problem)
                else:
                    durations[path].append(took)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    begun = time.monotonic()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    return {path: figures(durations[path], errors[path], elapsed) for path in paths}


def check(response, body: bytes, json_rows: int | str | None) -> str | None:
    if response.status != 200:
        return f"HTTP {response.status}"
    if json_rows is None:
        return None
    if json_rows == ADMIN_LIST:
        if not response.getheader("Content-Type", "").startswith("text/html"):
            return f"not HTML: {response.getheader('Content-Type')}"
        return None if b'id="result_list"' in body else "no result_list table in the page"
    if not response.getheader("Content-Type", "").startswith("application/json"):
        return f"not JSON: {response.getheader('Content-Type')}"
    rows = len(json.loads(body)["results"])
    return None if rows == json_rows else f"{rows} rows, expected {json_rows}"


def figures(durations: list[float], errors: list[str], elapsed: float) -> dict:
    ordered = sorted(durations)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

    return {
        "requests": len(ordered),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "p50": statistics.median(ordered) if ordered else float("nan"),
        "p95": percentile(0.95),
        "per_second": len(ordered) / elapsed,
    }


def describe(figures: dict) -> str:
    text = (
        f"p50 {figures['p50'] * 1000:7.1f} ms  p95 {figures['p95'] * 1000:7.1f} ms  "
        f"{figures['per_second']:6.1f} req/s  ({figures['requests']} answers"
    )
    if figures["errors"]:
        text += f", {figures['errors']} WRONG: {figures['first_error']}"
    return text + ")"
