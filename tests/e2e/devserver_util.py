"""Helpers for dev-server tests: free ports, HTTP with deadlines, process groups."""
from __future__ import annotations

import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "django-blog"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def http_get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "db.sqlite3"))
    return dest


def django_server(python: str, port: int, **extra) -> dict:
    spec = {
        "command": [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        "env": {"PYTHONUNBUFFERED": "1"},
        "restartOn": ["**/*.py", "**/templates/**"],
        "ignore": ["**/static/**"],
        "ready": {"port": port},
        "stopTimeoutMs": 5000,
    }
    spec.update(extra)
    return spec


def write_config(root: Path, servers: dict, watch: Optional[dict] = None) -> None:
    config = {"servers": servers}
    if watch:
        config["watch"] = watch
    (root / "devwatch.json").write_text(json.dumps(config, indent=2))


def group_members(pgid: int) -> list[int]:
    """Pids whose process group is pgid (from /proc, zombies excluded)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


def wait_until(predicate, timeout: float = 20.0, what: str = "condition", interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)  # polling an external condition (HTTP, /proc): no event to wait on
