"""Overlapped restarts through the proxy (docs/proxy.md "Overlapped restarts"):
the old server answers while the new one starts, on a fresh port, and is
stopped only once the new one is ready. Real devwatch, real sockets, a real
stand-in server whose start a test can hold, and real Django."""
import os
import sys
import time

from devserver_util import free_port
from proxy_util import UPSTREAM, MarkerLoop, django_behind_proxy, get, start, wait_state

PYTHON = sys.executable


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_old_server_answers_until_the_new_one_is_ready_then_goes(tmp_path):
    listen = free_port()
    gate, version = tmp_path / "gate", tmp_path / "version"
    gate.write_text("open")
    version.write_text("v1")
    spec = {
        "command": [PYTHON, str(UPSTREAM), "{port}"],
        "env": {"UPSTREAM_GATE": str(gate), "UPSTREAM_VERSION_FILE": str(version)},
        "restartOn": [],
        "stopSignal": "SIGTERM",
        # A request held instead of forwarded would get a 504 after 1 s.
        "proxy": {"listen": f"127.0.0.1:{listen}", "overlap": True, "holdTimeoutMs": 1000},
    }
    client, _ = start(tmp_path, {"web": spec}, example=False)
    with client:
        first = wait_state(client, "web", "ready")
        status, _, body = get(listen, "/version")
        assert status == 200 and body.startswith("v1 ")
        old_pid = int(body.split()[1])
        assert old_pid == first["pid"]

        version.write_text("v2")
        gate.unlink()  # the new server will not listen until the gate is back
        client.request("devwatch/devServer/restart", {"name": "web"})
        starting = client.wait_notification("devwatch/devServer/stateChanged",
                                            lambda p: p["state"] == "starting" and p.get("cause") == "request")
        assert starting.get("overlapped") is True, starting
        # Served, not held, by the old server, several times over.
        for _ in range(3):
            status, _, body = get(listen, "/version")
            assert (status, body) == (200, f"v1 {old_pid}")
        assert alive(old_pid)

        gate.write_text("open")
        ready = wait_state(client, "web", "ready")
        assert "overlapped" not in ready
        status, _, body = get(listen, "/version")
        assert status == 200 and body.startswith("v2 ")
        assert int(body.split()[1]) == ready["pid"] != old_pid
        deadline = time.monotonic() + 30
        while alive(old_pid):
            assert time.monotonic() < deadline, "the old server was never stopped"
            time.sleep(0.01)
        changes = [m["params"] for m in client.inbox if m.get("method") == "devwatch/devServer/stateChanged"]
        assert [c["state"] for c in changes if c["state"] in ("stopping", "stopped")] == []
        assert client.shutdown_and_exit() == 0


def test_overlapped_django_restarts_serve_every_request_and_hold_none(tmp_path):
    listen = free_port()
    spec = django_behind_proxy(PYTHON, listen)
    spec["proxy"]["overlap"] = True
    client, root = start(tmp_path, {"web": spec})
    views = root / "blog" / "views.py"
    with client:
        wait_state(client, "web", "ready")
        deadline = time.monotonic() + 60
        with MarkerLoop(listen) as loop:
            for n in range(2, 7):
                loop.until_served(f"marker: v{n - 1}", deadline)
                text = views.read_text()
                views.write_text(text.replace(f"marker: v{n - 1}", f"marker: v{n}"))
                wait_state(client, "web", "ready", timeout=max(1, deadline - time.monotonic()))
            loop.until_served("marker: v6", deadline)
        loop.assert_no_failures()
        responses = loop.responses
        assert {f"marker: v{n}" for n in range(1, 7)} <= set(responses)
        # Versions only move forward: the switch happens once per restart.
        order = [int(r.split("v")[1]) for r in responses]
        assert order == sorted(order)
        changes = [m["params"] for m in client.inbox if m.get("method") == "devwatch/devServer/stateChanged"]
        starts = [c for c in changes if c["state"] == "starting"]
        assert len(starts) >= 5 and all(c.get("overlapped") for c in starts[-5:]), starts
        assert [c for c in changes if c["state"] in ("stopping", "stopped")] == []
        assert client.shutdown_and_exit() == 0
