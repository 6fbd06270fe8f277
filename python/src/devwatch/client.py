"""A small client for ``devwatch --stdio``, standard library only.

It spawns the server, frames JSON-RPC 2.0 messages the way LSP's base
protocol does (``Content-Length`` headers), sends requests with timeouts,
hands notifications to a callback and/or an iterator (typed dataclasses for
the ones it knows), and shuts the server down cleanly (``shutdown`` +
``exit``, wait, kill on timeout). ``docs/protocol.md`` is the contract.

    from devwatch.client import Client, FilesDidChange

    with Client(["/path/to/project"]) as dw:
        dw.subscribe("**/*.py")
        for note in dw.notifications(timeout=30):
            if isinstance(note, FilesDidChange):
                print([c.path for c in note.changes])

Threading: one reader thread parses stdout and completes requests; the
callback runs on that thread (keep it short). Every public method may be
called from any thread.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import queue
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from devwatch import find_devwatch_bin

__all__ = [
    "Client",
    "ClientError",
    "RequestError",
    "ServerExited",
    "FileChange",
    "FilesDidChange",
    "DevServerStateChanged",
    "LogMessage",
    "ShowMessage",
    "Notification",
    "parse_notification",
    "uri_to_path",
    "path_to_uri",
]

# LSP FileChangeType
CREATED, CHANGED, DELETED = 1, 2, 3
# LSP MessageType
ERROR, WARNING, INFO, LOG = 1, 2, 3, 4


class ClientError(Exception):
    """Something went wrong talking to devwatch (see the message)."""


class ServerExited(ClientError):
    """The devwatch process ended (or its stdout closed) while we waited."""


class RequestError(ClientError):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, method: str, code: int, message: str, data: Any = None):
        super().__init__(f"{method}: error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


# ---- URIs ---------------------------------------------------------------

_URI_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"


def path_to_uri(path: Union[str, bytes]) -> str:
    """``file://`` URI of an absolute path, encoded as devwatch encodes them."""
    raw = os.fsencode(os.path.abspath(path))
    return "file://" + "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in raw)


def uri_to_path(uri: str) -> str:
    """The local path of a ``file://`` URI (percent-decoded bytes, fs-decoded)."""
    parsed = urllib.parse.urlsplit(uri)
    if parsed.scheme != "file":
        raise ValueError(f"not a file URI: {uri}")
    return os.fsdecode(urllib.parse.unquote_to_bytes(parsed.path))


# ---- notifications --------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    """A notification this client has no dataclass for."""

    method: str
    params: Any


@dataclass(frozen=True)
class FileChange:
    uri: str
    type: int  # 1 created, 2 changed, 3 deleted

    @property
    def path(self) -> str:
        return uri_to_path(self.uri)


@dataclass(frozen=True)
class FilesDidChange:
    """``devwatch/files/didChange``."""

    subscription_id: str
    changes: List[FileChange]
    resync_reason: Optional[str] = None  # set when the batch comes from a rescan
    method: str = field(default="devwatch/files/didChange", repr=False)


@dataclass(frozen=True)
class DevServerStateChanged:
    """``devwatch/devServer/stateChanged``."""

    name: str
    state: str
    reason: str = ""
    root: Optional[str] = None
    pid: Optional[int] = None
    exit_code: Optional[int] = None
    signal: Optional[str] = None
    ready_ms: Optional[int] = None
    changed_files: List[str] = field(default_factory=list)
    last_lines: List[str] = field(default_factory=list)
    exception: Optional[str] = None
    killed: bool = False
    method: str = field(default="devwatch/devServer/stateChanged", repr=False)


@dataclass(frozen=True)
class LogMessage:
    """``window/logMessage``: type 1 error, 2 warning, 3 info, 4 log."""

    type: int
    message: str
    method: str = field(default="window/logMessage", repr=False)


@dataclass(frozen=True)
class ShowMessage:
    """``window/showMessage``: something the user must see (a limit, a fallback, a crash)."""

    type: int
    message: str
    method: str = field(default="window/showMessage", repr=False)


AnyNotification = Union[FilesDidChange, DevServerStateChanged, LogMessage, ShowMessage, Notification]


def parse_notification(method: str, params: Any) -> AnyNotification:
    """The typed form of a notification; ``Notification`` for unknown ones."""
    p = params if isinstance(params, dict) else {}
    try:
        if method == "devwatch/files/didChange":
            resync = p.get("resync")
            return FilesDidChange(
                subscription_id=str(p["subscriptionId"]),
                changes=[FileChange(str(c["uri"]), int(c["type"])) for c in p.get("changes", [])],
                resync_reason=resync.get("reason") if isinstance(resync, dict) else None,
            )
        if method == "devwatch/devServer/stateChanged":
            return DevServerStateChanged(
                name=str(p["name"]),
                state=str(p["state"]),
                reason=str(p.get("reason", "")),
                root=p.get("root"),
                pid=p.get("pid"),
                exit_code=p.get("exitCode"),
                signal=p.get("signal"),
                ready_ms=p.get("readyMs"),
                changed_files=list(p.get("changedFiles", [])),
                last_lines=list(p.get("lastLines", [])),
                exception=p.get("exception"),
                killed=bool(p.get("killed", False)),
            )
        if method == "window/logMessage":
            return LogMessage(int(p["type"]), str(p["message"]))
        if method == "window/showMessage":
            return ShowMessage(int(p["type"]), str(p["message"]))
    except (KeyError, TypeError, ValueError):
        pass  # malformed: hand it over raw rather than lose it
    return Notification(method, params)


# ---- framing --------------------------------------------------------------


def encode_frame(message: Dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_frame(stream: Any) -> Optional[Dict[str, Any]]:
    """One message from a binary stream; None at end of input."""
    length: Optional[int] = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if not line:
            if length is None:
                raise ClientError("devwatch sent a header block without Content-Length")
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body.decode("utf-8"))


# ---- the client -----------------------------------------------------------


class _Pending:
    __slots__ = ("method", "event", "result", "error")

    def __init__(self, method: str):
        self.method = method
        self.event = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None


class Client:
    """One ``devwatch --stdio`` process serving ``roots``.

    ``initialization_options`` defaults to ``{"trusted": False}``: this client
    only watches, so devwatch never runs a command from the workspace (no
    detected dev server is started). Pass ``{}`` (or your own) to supervise
    dev servers. ``on_notification`` is called with each typed notification
    on the reader thread; without a callback, ``notifications()`` iterates
    over them instead.
    ``stderr_lines`` keeps the last lines devwatch logged (for error reports).
    """

    def __init__(
        self,
        roots: Sequence[Union[str, os.PathLike]],
        *,
        binary: Optional[str] = None,
        args: Sequence[str] = (),
        env: Optional[Dict[str, str]] = None,
        log_level: str = "warn",
        initialization_options: Optional[Dict[str, Any]] = None,
        on_notification: Optional[Callable[[AnyNotification], None]] = None,
        on_stderr: Optional[Callable[[str], None]] = None,
        client_name: str = "devwatch.client",
        start_timeout: float = 10.0,
        start: bool = True,
    ):
        self.roots = [os.path.abspath(os.fspath(r)) for r in roots]
        self.binary = binary or find_devwatch_bin()
        self.args = list(args)
        self.env = env
        self.log_level = log_level
        self.initialization_options = (
            {"trusted": False} if initialization_options is None else initialization_options
        )
        self.on_notification = on_notification
        self.on_stderr = on_stderr
        self.client_name = client_name
        self.start_timeout = start_timeout
        self.stderr_lines: Deque[str] = collections.deque(maxlen=200)
        self.server_info: Dict[str, Any] = {}
        self.capabilities: Dict[str, Any] = {}
        self.proc: Optional[subprocess.Popen] = None
        self._ids = itertools.count(1)
        self._pending: Dict[int, _Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._queue: "queue.Queue[Optional[AnyNotification]]" = queue.Queue()
        self._closed = threading.Event()
        self._threads: List[threading.Thread] = []
        if start:
            self.start()

    # -- lifecycle --

    def start(self) -> Dict[str, Any]:
        """Spawn devwatch and run ``initialize`` / ``initialized``; the result."""
        argv = [self.binary, "--stdio", "--log-level", self.log_level, *self.args]
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.roots[0] if self.roots else None,
                env=self.env,
                close_fds=True,
            )
        except OSError as exc:
            raise ClientError(f"cannot start {self.binary}: {exc.strerror or exc}") from exc
        for target, name in ((self._read_stdout, "stdout"), (self._read_stderr, "stderr")):
            t = threading.Thread(target=target, name=f"devwatch-client-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "clientInfo": {"name": self.client_name},
                "workspaceFolders": [
                    {"uri": path_to_uri(r), "name": os.path.basename(r) or r} for r in self.roots
                ],
                "capabilities": {},
                "initializationOptions": self.initialization_options,
            },
            timeout=self.start_timeout,
        )
        self.server_info = result.get("serverInfo", {}) if isinstance(result, dict) else {}
        self.capabilities = result.get("capabilities", {}) if isinstance(result, dict) else {}
        self.notify("initialized", {})
        return result

    def close(self, timeout: float = 5.0) -> Optional[int]:
        """``shutdown`` + ``exit``, wait up to ``timeout``, then kill. The exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None and not self._closed.is_set():
            try:
                self.request("shutdown", timeout=timeout)
                self.notify("exit")
            except (ClientError, TimeoutError):
                pass  # it gets killed below
        try:
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        for t in self._threads:
            t.join(timeout=1.0)
        for stream in (proc.stdout, proc.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        return code

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> str:
        return str(self.server_info.get("version", "?"))

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

    # -- devwatch methods --

    def status(self, timeout: float = 10.0) -> Dict[str, Any]:
        return self.request("devwatch/status", {}, timeout=timeout)

    def subscribe(
        self,
        glob_pattern: Union[str, Dict[str, Any]] = "**",
        *,
        kind: int = 7,
        excludes: Iterable[str] = (),
        settle_ms: Optional[int] = None,
        timeout: float = 10.0,
    ) -> str:
        """``devwatch/files/subscribe``; the subscription id."""
        params: Dict[str, Any] = {"globPattern": glob_pattern, "kind": kind}
        excludes = list(excludes)
        if excludes:
            params["excludes"] = excludes
        if settle_ms is not None:
            params["settleMs"] = settle_ms
        return str(self.request("devwatch/files/subscribe", params, timeout=timeout)["subscriptionId"])

    def unsubscribe(self, subscription_id: str, timeout: float = 10.0) -> None:
        self.request("devwatch/files/unsubscribe", {"subscriptionId": subscription_id}, timeout=timeout)

    def add_roots(self, roots: Iterable[Union[str, os.PathLike]]) -> List[str]:
        """Watch more folders (``workspace/didChangeWorkspaceFolders``); the ones added."""
        added = [os.path.abspath(os.fspath(r)) for r in roots]
        added = [r for r in added if r not in self.roots]
        if added:
            self.roots.extend(added)
            self.notify(
                "workspace/didChangeWorkspaceFolders",
                {"event": {"added": [{"uri": path_to_uri(r), "name": os.path.basename(r) or r} for r in added],
                           "removed": []}},
            )
        return added

    def wait_until_watching(self, timeout: float = 30.0) -> Dict[str, Any]:
        """Poll ``devwatch/status`` until no crawl is running; the ``watcher`` section."""
        deadline = time.monotonic() + timeout
        while True:
            watcher = self.status().get("watcher") or {}
            if watcher and not watcher.get("crawling", False):
                return watcher
            if time.monotonic() > deadline:
                raise TimeoutError(f"devwatch still crawling after {timeout:g} s")
            time.sleep(0.02)

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
