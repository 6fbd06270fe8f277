"""JSON-RPC 2.0 over a child process's pipes: the transport half of
``devwatch.client`` (it knows no devwatch method). One reader thread parses
stdout, completes requests and queues or hands over notifications; another
keeps devwatch's last stderr lines for error reports.

Threading: every public method may be called from any thread; callbacks run
on the reader threads (keep them short).
"""

from __future__ import annotations

import collections
import itertools
import queue
import subprocess
import threading
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional

from devwatch.errors import ClientError, RequestError, ServerExited
from devwatch.framing import encode_frame, read_frame
from devwatch.notifications import AnyNotification, parse_notification

__all__ = ["Connection"]


class _Pending:
    __slots__ = ("method", "event", "result", "error")

    def __init__(self, method: str):
        self.method = method
        self.event = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None


class Connection:
    """Requests, notifications and replies with the process in ``self.proc``."""

    def __init__(
        self,
        on_notification: Optional[Callable[[AnyNotification], None]] = None,
        on_stderr: Optional[Callable[[str], None]] = None,
    ):
        self.on_notification = on_notification
        self.on_stderr = on_stderr
        self.stderr_lines: Deque[str] = collections.deque(maxlen=200)
        self.proc: Optional[subprocess.Popen] = None
        self._ids = itertools.count(1)
        self._pending: Dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._queue: "queue.Queue[Optional[AnyNotification]]" = queue.Queue()
        self._closed = threading.Event()
        self._threads: List[threading.Thread] = []

    def _start_readers(self) -> None:
        for target, name in ((self._read_stdout, "stdout"), (self._read_stderr, "stderr")):
            t = threading.Thread(target=target, name=f"devwatch-client-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    # -- messages --

    def request(self, method: str, params: Optional[Dict[str, Any]] = None, timeout: float = 10.0) -> Any:
        """Send a request and wait for its result; raises RequestError, TimeoutError, ServerExited."""
        msg_id = next(self._ids)
        pending = _Pending(method)
        with self._lock:
            if self._closed.is_set():
                raise ServerExited(self._exit_description(f"{method}: devwatch is not running"))
            self._pending[msg_id] = pending
        message: Dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:  # never `null`: omit instead
            message["params"] = params
        self._send(message)
        if not pending.event.wait(timeout):
            with self._lock:
                self._pending.pop(msg_id, None)
            self._send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": msg_id}}, quiet=True)
            raise TimeoutError(f"{method}: no reply from devwatch within {timeout:g} s")
        if pending.error is not None:
            raise pending.error
        return pending.result

    def notify(self, method: str, params: Optional[Dict[str, Any]] = None) -> None:
        message: Dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def notifications(self, timeout: Optional[float] = None) -> Iterator[AnyNotification]:
        """Notifications as they arrive; stops after ``timeout`` seconds without one
        (None: wait forever) or when devwatch exits."""
        while True:
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                return
            if item is None:
                self._queue.put(None)  # keep later iterators stopping too
                return
            yield item

    def next_notification(self, timeout: Optional[float] = None) -> Optional[AnyNotification]:
        """The next notification, or None after ``timeout`` / when devwatch has exited."""
        for note in self.notifications(timeout=timeout):
            return note
        return None

    # -- internals --

    def _send(self, message: Dict[str, Any], quiet: bool = False) -> None:
        data = encode_frame(message)
        proc = self.proc
        try:
            with self._write_lock:
                assert proc is not None and proc.stdin is not None
                proc.stdin.write(data)
                proc.stdin.flush()
        except (OSError, ValueError, AssertionError) as exc:
            if not quiet:
                raise ServerExited(self._exit_description(f"cannot write to devwatch: {exc}")) from exc

    def _exit_description(self, what: str) -> str:
        proc = self.proc
        code = proc.poll() if proc else None
        text = what
        if code is not None:
            text += f" (devwatch exited with {code})"
        tail = [line for line in list(self.stderr_lines)[-5:] if line.strip()]
        if tail:
            text += "; its last output: " + " | ".join(tail)
        return text

    def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stream = self.proc.stdout
        try:
            while True:
                message = read_frame(stream)
                if message is None:
                    break
                self._dispatch(message)
        except (OSError, ValueError, ClientError) as exc:
            self.stderr_lines.append(f"devwatch.client: unreadable output from devwatch: {exc}")
        finally:
            self._closed.set()
            try:
                self.proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
            with self._lock:
                pending, self._pending = self._pending, {}
            for p in pending.values():
                p.error = ServerExited(self._exit_description(f"{p.method}: devwatch went away before replying"))
                p.event.set()
            self._queue.put(None)

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stderr_lines.append(line)
            if self.on_stderr:
                self.on_stderr(line)

    def _dispatch(self, message: Dict[str, Any]) -> None:
        if "method" in message:
            if "id" in message:  # a request from the server: we announce no capabilities
                if message["method"] == "window/workDoneProgress/create":
                    self._send({"jsonrpc": "2.0", "id": message["id"], "result": None}, quiet=True)
                else:
                    self._send({"jsonrpc": "2.0", "id": message["id"],
                                "error": {"code": -32601, "message": f"unsupported: {message['method']}"}},
                               quiet=True)
                return
            note = parse_notification(message["method"], message.get("params"))
            if self.on_notification:
                self.on_notification(note)
            else:
                self._queue.put(note)
            return
        msg_id = message.get("id")
        with self._lock:
            pending = self._pending.pop(msg_id, None) if isinstance(msg_id, int) else None
        if pending is None:
            return
        if "error" in message:
            err = message["error"] or {}
            pending.error = RequestError(pending.method, int(err.get("code", 0)), str(err.get("message", "")),
                                         err.get("data"))
        else:
            pending.result = message.get("result")
        pending.event.set()
