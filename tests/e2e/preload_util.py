"""Helpers for the preload tests: sessions, one start at a time, the zygote's processes."""
from __future__ import annotations

import os
import re
from pathlib import Path

from devserver_util import copy_example, django_server, write_config
from lsp_client import LspClient

STATE = "devwatch/devServer/stateChanged"


def session(tmp_path: Path, name: str, python: str, port: int, preload, init=None, **extra):
    root = copy_example(tmp_path / name)
    spec = django_server(python, port, stopSignal="SIGTERM", autoRestart=False, **extra)
    if preload is not None:
        spec["preload"] = preload
    write_config(root, {"web": spec})
    client = LspClient(stderr_path=tmp_path / f"{name}.stderr")
    client.initialize(str(root), **(init or {}))
    return client, root


def settle(client) -> dict:
    """The end of the next start: its ready or crashed stateChanged."""
    return client.wait_notification(STATE, lambda p: p["name"] == "web" and p["state"] in ("ready", "crashed"),
                                    timeout=60)


def restart(client) -> dict:
    reply = client.request("devwatch/devServer/restart", {"name": "web"})
    assert "result" in reply, reply
    return settle(client)


def restart_until_preloaded(client, attempts: int = 40) -> dict:
    """Restarts until a start forked the zygote (it is built in the background
    after the first start, or after a stale answer); each restart is a real
    event to wait on, so there is no sleep here."""
    for _ in range(attempts):
        done = restart(client)
        if done.get("start", {}).get("mode") == "preloaded":
            return done
    raise AssertionError(f"no preloaded start after {attempts} restarts: {done}")


def processes_with(*needles: str) -> list[int]:
    """Pids whose command line contains every needle (zombies excluded)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] != "Z" and all(n in cmdline for n in needles):
            out.append(int(entry))
    return out


def zygotes(port: int) -> list[int]:
    """The zygote of the server listening on `port`: the launcher process
    whose parent is a shim (the servers it forks share its command line, as
    a fork does not exec, but their parent is the zygote)."""
    shims = set(processes_with("__shim", "--no-subreaper", f"127.0.0.1:{port}"))
    out = []
    for pid in processes_with("preload_launcher.py", f"127.0.0.1:{port}"):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) in shims:
            out.append(pid)
    return out


def normalise(text: str, root: Path) -> str:
    """Paths below the two runs' different roots, and clock times, compare equal."""
    text = text.replace(root.as_uri(), "<root-uri>").replace(str(root), "<root>")
    return re.sub(r"\d{2}/\w{3}/\d{4} \d{2}:\d{2}:\d{2}|\w+ \d{2}, \d{4} - \d{2}:\d{2}:\d{2}", "<time>", text)
