"""Helpers for the proxy tests: a session whose servers sit behind devwatch's
proxy, plain HTTP clients that report every failure, and an event-stream reader."""
from __future__ import annotations

import http.client
import socket
import sys
import threading
import time
from pathlib import Path

from devserver_util import copy_example, free_port, write_config
from lsp_client import LspClient

HERE = Path(__file__).resolve().parent
UPSTREAM = HERE / "proxy_upstream.py"


def wait_state(client, name, states, timeout=60):
    states = {states} if isinstance(states, str) else set(states)
    return client.wait_notification("devwatch/devServer/stateChanged",
                                    lambda p: p["name"] == name and p["state"] in states, timeout=timeout)


def django_behind_proxy(python: str, listen_port: int, live_reload: bool = False, **extra) -> dict:
    spec = {
        "command": [python, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
        "env": {"PYTHONUNBUFFERED": "1"},
        "restartOn": ["**/*.py"],
        "ignore": ["**/static/**", "**/templates/**"],
        "stopSignal": "SIGTERM",
        "proxy": {"listen": f"127.0.0.1:{listen_port}", "liveReload": live_reload},
    }
    spec.update(extra)
    return spec


def upstream_behind_proxy(listen_port: int, live_reload: bool = False) -> dict:
    return {
        "command": [sys.executable, str(UPSTREAM), "{port}"],
        "restartOn": [],
        "stopSignal": "SIGTERM",
        "proxy": {"listen": f"127.0.0.1:{listen_port}", "liveReload": live_reload},
    }


def start(tmp_path, servers, example=True, setup=None) -> tuple[LspClient, Path]:
    root = copy_example(tmp_path / "blog") if example else tmp_path / "site"
    root.mkdir(exist_ok=True)
    if setup:
        setup(root)
    write_config(root, servers)
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr")
    client.initialize(str(root))
    return client, root


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None, headers=None, timeout=30.0):
    """One GET; returns (status, headers, body). Raises on any failure (connection or truncation)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()  # IncompleteRead if the body is cut short
        return r.status, dict(r.getheaders()), body.decode()
    finally:
        if own:
            conn.close()


class EventStream:
    """Reads a /__devwatch/events stream line by line."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(b"GET /__devwatch/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        self.file = self.sock.makefile("rb")
        while self.file.readline() not in (b"\r\n", b""):
            pass  # the response head

    def next_event(self) -> str:
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("event stream closed")
            if line.startswith(b"event: "):
                return line[7:].decode().strip()

    def close(self):
        self.file.close()
        self.sock.close()


__all__ = ["EventStream", "django_behind_proxy", "free_port", "get", "start", "upstream_behind_proxy", "wait_state"]


class MarkerLoop:
    """A client thread sending GET /marker/ through the proxy until stopped
    (at most 5,000 requests), new and kept-alive connections alternating.
    Every failure counts (refused, reset, truncated, not a marker line)."""

    def __init__(self, port: int):
        self.port = port
        self.responses: list[str] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def __enter__(self) -> "MarkerLoop":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for i in range(5000):
            if self._stop.is_set():
                break
            try:
                status, _, body = get(self.port, "/marker/", conn if i % 2 else None)
                if status != 200 or not body.startswith("marker: v") or not body.endswith("\n"):
                    self.failures.append(f"request {i}: {status} {body[:200]!r}")
                self.responses.append(body.strip())
            except Exception as e:  # every failure counts
                self.failures.append(f"request {i}: {type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()

    def until_served(self, marker: str, deadline: float) -> None:
        """Polls until `marker` was served (or a request failed) before the deadline."""
        while marker not in self.responses and not self.failures:
            assert time.monotonic() < deadline, "the request loop made no progress before the deadline"
            time.sleep(0.005)

    def assert_no_failures(self) -> None:
        assert self.failures == [], (f"{len(self.failures)} of {len(self.responses) + len(self.failures)} "
                                     f"requests failed: {self.failures[:3]}")
