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

Layers: ``framing`` (bytes <-> messages), ``connection`` (JSON-RPC over the
child's pipes: requests, replies, notifications), ``notifications`` (the
typed dataclasses), and this module (devwatch's lifecycle and methods). Every
name of the public API is importable from here.

Threading: one reader thread parses stdout and completes requests; the
callback runs on that thread (keep it short). Every public method may be
called from any thread.
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

from devwatch import find_devwatch_bin
from devwatch.connection import Connection
from devwatch.errors import ClientError, RequestError, ServerExited
from devwatch.framing import encode_frame, read_frame
from devwatch.notifications import (CHANGED, CREATED, DELETED, ERROR, INFO, LOG, WARNING, AnyNotification,
                                    DevServerStateChanged, FileChange, FilesDidChange, LogMessage, Notification,
                                    ShowMessage, parse_notification)
from devwatch.uris import path_to_uri, uri_to_path

# The public API of devwatch.client, wherever each name is defined.
__all__ = [
    "Client", "ClientError", "RequestError", "ServerExited",
    "FileChange", "FilesDidChange", "DevServerStateChanged", "LogMessage", "ShowMessage", "Notification",
    "AnyNotification", "parse_notification", "encode_frame", "read_frame", "uri_to_path", "path_to_uri",
    "CREATED", "CHANGED", "DELETED", "ERROR", "WARNING", "INFO", "LOG",
]


class Client(Connection):
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
        super().__init__(on_notification, on_stderr)
        self.client_name = client_name
        self.start_timeout = start_timeout
        self.server_info: Dict[str, Any] = {}
        self.capabilities: Dict[str, Any] = {}
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
        self._start_readers()
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
