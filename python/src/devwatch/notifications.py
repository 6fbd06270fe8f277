"""The notifications devwatch sends, as frozen dataclasses, and the one
function that parses them (``docs/protocol.md`` is the contract). A
notification this module has no class for, or a malformed one, comes back as
``Notification(method, params)``: never dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Union

from devwatch.uris import uri_to_path

__all__ = [
    "CREATED", "CHANGED", "DELETED", "ERROR", "WARNING", "INFO", "LOG",
    "Notification", "FileChange", "FilesDidChange", "DevServerStateChanged", "LogMessage", "ShowMessage",
    "AnyNotification", "parse_notification",
]

# LSP FileChangeType
CREATED, CHANGED, DELETED = 1, 2, 3
# LSP MessageType
ERROR, WARNING, INFO, LOG = 1, 2, 3, 4


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
