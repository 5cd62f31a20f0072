"""A WSGI app under gunicorn on a free port, signed-in GETs, and their latencies.

Clients are Python threads with ``http.client`` (a new connection per request: gunicorn's
sync workers close it anyway). Each timing also records the client thread's own CPU time,
so a run can show that the client is not what limits it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 180.0


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int) -> Iterator[int]:
    """Serve ``target`` (``module:factory()``) with ``workers`` sync workers; yields the port
    once the server answers, stops it (and its workers) afterwards.

    :raises SystemExit: the server stopped or did not answer within ``STARTUP_SECONDS``.
    """
    port = free_port()
    path = os.pathsep.join([str(ROOT / "platform"), str(ROOT), env.get("PYTHONPATH", "")])
    # its log goes to a file: a pipe nobody reads would stall the server once full
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--log-level", "warning", "--timeout", "120", target],
            cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": path},
            stdout=subprocess.DEVNULL, stderr=log, text=True)
        try:
            _wait_until_up(process, port, log)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[str], port: int, log: IO[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}):\n"
                             f"{log.read()[-3000:]}")
        try:
            request(port, "GET", "/api/v1/security/login")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {STARTUP_SECONDS:.0f} s")


def request(port: int, method: str, path: str, body: object = None,
            token: str | None = None) -> tuple[int, bytes]:
    """One request on a new connection: status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def login(port: int, username: str, password: str) -> str:
    """A JWT access token from ``POST /api/v1/security/login``."""
    status, body = request(port, "POST", "/api/v1/security/login", {
        "username": username, "password": password, "provider": "db"})
    if status != 200:
        raise SystemExit(f"login as {username} failed: HTTP {status} {body[:200]!r}")
    return str(json.loads(body)["access_token"])


@dataclass(slots=True)
class Latencies:
    """Seconds per request (wall clock), and the client's CPU seconds for them."""

    seconds: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    wall: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.seconds) / self.wall if self.wall else 0.0


def timed_gets(port: int, path: str, token: str, requests: int, clients: int = 1,
               warm_up: int = 3) -> Latencies:
    """``requests`` GETs of ``path`` from each of ``clients`` threads at once (after
    ``warm_up`` each, untimed); every answer must be a 200.

    :raises SystemExit: an answer was not 200.
    """
    found = Latencies()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    failures: list[str] = []

    def client() -> None:
        for _ in range(warm_up):
            _checked_get(port, path, token, failures)
        start.wait()
        mine, cpu = [], time.thread_time()
        for _ in range(requests):
            began = time.perf_counter()
            _checked_get(port, path, token, failures)
            mine.append(time.perf_counter() - began)
        with lock:
            found.seconds += mine
            found.client_cpu += time.thread_time() - cpu

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    found.wall = time.perf_counter() - began
    if failures:
        raise SystemExit(f"GET {path}: {failures[0]}")
    return found


def _checked_get(port: int, path: str, token: str, failures: list[str]) -> None:
    try:
        status, body = request(port, "GET", path, token=token)
    except OSError as error:
        failures.append(f"{type(error).__name__}: {error}")
        return
    if status != 200:
        failures.append(f"HTTP {status} {body[:300]!r}")
