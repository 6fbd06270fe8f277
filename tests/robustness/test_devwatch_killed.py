"""devwatch killed by SIGKILL, SIGTERM or SIGINT at three moments of a restart.

3 signals x 3 moments = 9 bounded iterations. After each: no process of any
supervised group (nor a shim) survives, the port is free, and a new devwatch
on the same folder starts the server cleanly.
"""
import json
import os
import signal

import pytest

from devserver_util import free_port, port_is_free, wait_until
from rutil import STATE, children, record, script, session, survivors, wait_state

SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
MOMENTS = ["after_change", "while_stopping", "while_starting"]
FIGURES: dict = {}


def server(tmp_path, port):
    # Slow to stop (ignores SIGINT, its stop signal, for up to stopTimeoutMs) and slow to
    # start (a grandchild binds the port after reading a line from the trigger file).
    cmd = script(tmp_path, "srv.py", f"""
        import os, signal, socket, sys, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if os.fork() == 0:       # the grandchild holds the port
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", {port})); s.listen()
            while True:
                s.accept()[0].close()
        time.sleep(600)
        """)
    return {"srv": {"command": cmd, "ready": {"port": port}, "restartOn": ["src/**"],
                    "stopSignal": "SIGINT", "stopTimeoutMs": 1500}}


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_devwatch_killed_mid_restart_leaves_nothing(tmp_path, sig, moment):
    port = free_port()
    client, root = session(tmp_path, server(tmp_path, port))
    (root / "src").mkdir()
    with client:
        first = wait_state(client, "srv", "ready")
        client.inbox.clear()  # the first start's notifications: what follows is the restart's
        groups = {first["pid"]}
        shims = set(children(client.proc.pid))
        if moment == "after_change":
            (root / "src" / "a.py").write_text("x = 1\n")
        elif moment == "while_stopping":
            client.request("devwatch/devServer/restart", {"name": "srv"})
            wait_state(client, "srv", "stopping")
        else:
            # stopping takes up to 1.5 s (SIGINT ignored): restart, and catch it once the new one spawned.
            client.request("devwatch/devServer/restart", {"name": "srv"})
            started = client.wait_notification(STATE, lambda p: p["state"] == "starting"
                                               and p.get("pid") not in (None, first["pid"]), timeout=30)
            groups.add(started["pid"])
        shims |= set(children(client.proc.pid))
        for m in client.inbox:
            if m.get("method") == STATE and m["params"].get("pid"):
                groups.add(m["params"]["pid"])
        client.proc.send_signal(sig)
        code = client.proc.wait(timeout=30)
        left_at_exit = survivors(shims, groups)
        wait_until(lambda: not survivors(shims, groups), timeout=15, what="every supervised process to be gone")
        wait_until(lambda: port_is_free(port), timeout=15, what="the port to be free")
    if sig != signal.SIGKILL:
        # A caught signal is a clean exit: devwatch stopped the groups itself, before exiting.
        assert code == 1, code
        assert left_at_exit == [], f"devwatch exited on {sig.name} before its groups were gone: {left_at_exit}"
    # A new devwatch on the same folder starts cleanly (the port is free, no stale state).
    again, _ = session(tmp_path, server(tmp_path, port), root=root)
    with again:
        ready = wait_state(again, "srv", "ready")
        assert ready["pid"] not in groups
        assert again.shutdown_and_exit() == 0
    assert port_is_free(port)
    FIGURES[f"{sig.name}/{moment}"] = {"groups": len(groups), "shims": len(shims), "exit_code": code,
                                       "left_at_exit": len(left_at_exit)}
    record("devwatch_killed", iterations=FIGURES)
