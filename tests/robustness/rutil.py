"""Shared helpers: /proc sampling, process trees, figures, small sessions."""
from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from pathlib import Path
from typing import Iterable, Optional

from devserver_util import group_members, wait_until, write_config
from lsp_client import ROOT, LspClient

OUT = ROOT / "test-output" / "robustness"
STATE = "devwatch/devServer/stateChanged"
OUTPUT = "devwatch/devServer/output"
DIDCHANGE = "devwatch/files/didChange"


def record(name: str, **figures) -> dict:
    """Writes the test's figures to test-output/robustness/<name>.json for the docs."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return figures


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _stat(pid: int) -> Optional[tuple[str, int, int]]:
    """(state, ppid, pgid) of a live pid, None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    f = raw[raw.rindex(")") + 2:].split()
    return f[0], int(f[1]), int(f[2])


def alive(pid: int) -> bool:
    s = _stat(pid)
    return s is not None and s[0] != "Z"


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = _stat(int(entry))
            if s and s[1] == pid and s[0] != "Z":
                out.append(int(entry))
    return out


def descendants(pid: int) -> set[int]:
    seen, todo = set(), [pid]
    while todo:
        for c in children(todo.pop()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def survivors(pids: Iterable[int] = (), pgids: Iterable[int] = ()) -> list[int]:
    left = {p for p in pids if alive(p)}
    for g in pgids:
        left.update(group_members(g))
    return sorted(left)


def wait_gone(pids=(), pgids=(), timeout=20.0, what="the processes to be gone"):
    wait_until(lambda: not survivors(pids, pgids), timeout=timeout, what=what)


def wait_state(client, name, states, timeout=60):
    states = {states} if isinstance(states, str) else set(states)
    return client.wait_notification(STATE, lambda p: p["name"] == name and p["state"] in states, timeout=timeout)


def script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return ["python3", "-u", str(path)]


def session(tmp_path: Path, servers: dict, watch: Optional[dict] = None, root: Optional[Path] = None,
            **init) -> tuple[LspClient, Path]:
    root = root or tmp_path / "ws"
    root.mkdir(exist_ok=True)
    write_config(root, servers, watch)
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr", env={"DEVWATCH_LOG": "info"})
    client.initialize(str(root), **init)
    return client, root


def wait_crawled(client, timeout=120.0) -> dict:
    """Polls devwatch/status (a request, not a sleep) until the crawl is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        w = client.request("devwatch/status", timeout=timeout)["result"]["watcher"]
        if w and not w["crawling"] and w["roots"]:
            return w
    raise AssertionError("crawl did not finish")


def subscribe(client, pattern, **extra) -> str:
    reply = client.request("devwatch/files/subscribe", {"globPattern": pattern, **extra})
    assert "result" in reply, reply
    return reply["result"]["subscriptionId"]


def collect_changes(client, sub, done, timeout=60.0, into=None) -> list[tuple[str, int]]:
    """Reads didChange for sub until done(seen) holds; the inbox first."""
    seen = [] if into is None else into
    deadline = time.monotonic() + timeout
    while not done(seen):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"changes incomplete after {timeout}s: {len(seen)} seen")
        p = client.wait_notification(DIDCHANGE, lambda p: p["subscriptionId"] == sub, timeout=left)
        seen.extend((c["uri"], c["type"]) for c in p["changes"])
    return seen


def kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
