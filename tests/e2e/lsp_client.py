"""A small LSP base-protocol client over real pipes, for end-to-end tests.

It starts the built devwatch binary, writes framed JSON-RPC messages and
reads framed replies with deadlines (never sleeps), and checks that stdout
carries nothing but well-formed frames.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 20.0


def devwatch_binary() -> str:
    env = os.environ.get("DEVWATCH_BIN")
    if env:
        return env
    return str(ROOT / "build" / "server" / "devwatch")


def frame(message: Any) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class ProtocolError(AssertionError):
    pass


class LspClient:
    def __init__(self, args: Optional[list[str]] = None, cwd: Optional[str] = None,
                 env: Optional[dict] = None, stderr_path: Optional[Path] = None):
        cmd = [devwatch_binary(), "--stdio"] + (args or [])
        full_env = dict(os.environ)
        full_env.setdefault("DEVWATCH_LOG", "debug")
        if env:
            full_env.update(env)
        self._stderr_file = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
        self.stderr_path = stderr_path
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file, cwd=cwd, env=full_env)
        self._buf = b""
        self._next_id = 1
        self.inbox: list[dict] = []  # messages read but not yet consumed

    # -- writing ---------------------------------------------------------
    def write_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.write_raw(frame(message))

    def notify(self, method: str, params: Any = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request_async(self, method: str, params: Any = None) -> int:
        rid = self._next_id
        self._next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return rid

    def request(self, method: str, params: Any = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
        rid = self.request_async(method, params)
        return self.wait_reply(rid, timeout)

    def close_stdin(self) -> None:
        self.proc.stdin.close()

    # -- reading ---------------------------------------------------------
    def _read_frame(self, deadline: float) -> Optional[dict]:
        while True:
            sep = self._buf.find(b"\r\n\r\n")
            if sep >= 0:
                header = self._buf[:sep].decode("ascii")
                if not header.startswith("Content-Length: ") or "\r\n" in header:
                    raise ProtocolError(f"stdout is not a clean frame header: {header[:200]!r}")
                length = int(header[len("Content-Length: "):])
                if len(self._buf) >= sep + 4 + length:
                    body = self._buf[sep + 4: sep + 4 + length]
                    self._buf = self._buf[sep + 4 + length:]
                    return json.loads(body)
            elif self._buf and not b"Content-Length: ".startswith(self._buf[:16]):
                raise ProtocolError(f"stdout is not protocol: {self._buf[:200]!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                if self._buf:
                    raise ProtocolError(f"stdout ended inside a frame: {self._buf[:200]!r}")
                return None
            self._buf += chunk

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = DEFAULT_TIMEOUT,
                 what: str = "a message") -> dict:
        for i, msg in enumerate(self.inbox):
            if predicate(msg):
                return self.inbox.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_frame(deadline)
            if msg is None:
                raise AssertionError(f"timed out waiting for {what}; unconsumed: {self.inbox[-10:]}")
            if predicate(msg):
                return msg
            self.inbox.append(msg)

    def wait_reply(self, rid: Any, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout,
                             f"the reply to request {rid!r}")

    def wait_notification(self, method: str, predicate: Callable[[dict], bool] = lambda p: True,
                          timeout: float = DEFAULT_TIMEOUT) -> dict:
        msg = self.wait_for(lambda m: m.get("method") == method and "id" not in m
                            and predicate(m.get("params")), timeout, f"notification {method}")
        return msg.get("params")

    def drain_until_exit(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_frame(deadline)
            if msg is None:
                break
            self.inbox.append(msg)
        return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))

    # -- lifecycle helpers -----------------------------------------------
    def initialize(self, root: Optional[str] = None, **extra: Any) -> dict:
        params: dict = {"processId": None, "capabilities": {}}
        if root is not None:
            params["workspaceFolders"] = [{"uri": Path(root).as_uri(), "name": Path(root).name}]
        params.update(extra)
        reply = self.request("initialize", params)
        assert "result" in reply, reply
        self.notify("initialized", {})
        return reply["result"]

    def shutdown_and_exit(self) -> int:
        reply = self.request("shutdown")
        assert reply.get("result", "missing") is None, reply
        self.notify("exit")
        return self.drain_until_exit()

    def peak_rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM")

    def stderr_text(self) -> str:
        if not self.stderr_path:
            return ""
        return Path(self.stderr_path).read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> "LspClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.kill()
        if hasattr(self._stderr_file, "close"):
            self._stderr_file.close()
