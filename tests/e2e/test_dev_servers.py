"""Dev servers end to end: real Django (PyPI and Debian 3.2), real processes and signals."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devserver_util import (copy_example, django_server, free_port, group_members, http_get, port_is_free,
                            wait_until, write_config)
from lsp_client import LspClient

PYPI_PYTHON = sys.executable  # the test venv: the current Django from PyPI
DEBIAN_PYTHON = "/usr/bin/python3"  # Debian's python3-django 3.2, the oldest supported

DJANGOS = [pytest.param(PYPI_PYTHON, id="django-pypi"), pytest.param(DEBIAN_PYTHON, id="django-3.2")]


def django_version(python):
    out = subprocess.run([python, "-c", "import django; print(django.__version__)"], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"no Django for {python}: {out.stderr.strip()}")
    return tuple(int(x) for x in out.stdout.strip().split(".")[:2])


def wait_state(client, name, states, timeout=60):
    states = {states} if isinstance(states, str) else set(states)
    return client.wait_notification("devwatch/devServer/stateChanged",
                                    lambda p: p["name"] == name and p["state"] in states, timeout=timeout)


def start_session(tmp_path, servers, client_args=None, **init):
    root = copy_example(tmp_path / "blog")
    write_config(root, servers)
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr", **(client_args or {}))
    client.initialize(str(root), **init)
    return client, root


def replace_in(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("python", DJANGOS)
def test_edit_view_restarts_once_and_serves_new_code(tmp_path, python):
    version = django_version(python)
    port = free_port()
    client, root = start_session(tmp_path, {"web": django_server(python, port)})
    with client:
        ready = wait_state(client, "web", "ready")
        assert ready["readyMs"] > 0
        assert http_get(f"http://127.0.0.1:{port}/marker/") == (200, "marker: v1\n")
        replace_in(root / "blog" / "views.py", "marker: v1", "marker: v2")
        stopping = wait_state(client, "web", "stopping")
        assert "views.py" in stopping["reason"]
        again = wait_state(client, "web", "ready")
        assert again["changedFiles"] == [(root / "blog" / "views.py").as_uri()]
        assert again["timings"]["eventToSpawnMs"] >= again["timings"]["goneToSpawnMs"] >= 0
        assert http_get(f"http://127.0.0.1:{port}/marker/") == (200, "marker: v2\n")
        if version >= (4, 1):
            # The cached template loader is on even with DEBUG since 4.1: a
            # template edit is only served after a restart.
            assert "TEMPLATE_MARKER: t1" in http_get(f"http://127.0.0.1:{port}/about/")[1]
            replace_in(root / "pages" / "templates" / "pages" / "about.html", "t1", "t2")
            wait_state(client, "web", "ready")
            assert "TEMPLATE_MARKER: t2" in http_get(f"http://127.0.0.1:{port}/about/")[1]
        assert client.shutdown_and_exit() == 0
        # One start, then exactly one restart per edit.
        starts = [m["params"]["reason"] for m in client.inbox if m.get("method") == "devwatch/devServer/stateChanged"
                  and m["params"]["state"] == "starting"]
        assert len(starts) == (3 if version >= (4, 1) else 2), starts
        assert port_is_free(port)


def test_burst_of_200_changes_gives_one_restart_and_static_changes_none(tmp_path):
    port = free_port()
    client, root = start_session(tmp_path, {"web": django_server(DEBIAN_PYTHON, port)})
    with client:
        sub = client.request("devwatch/files/subscribe", {"globPattern": "static/**"})["result"]["subscriptionId"]
        wait_state(client, "web", "ready")
        # A static change first: seen by the watcher (an event), no restart.
        (root / "static" / "css" / "site.css").write_text("body { color: red }\n")
        client.wait_notification("devwatch/files/didChange", lambda p: p["subscriptionId"] == sub)
        gen = root / "blog" / "generated"
        gen.mkdir()
        for i in range(200):
            (gen / f"m{i}.py").write_text(f"X = {i}\n")
        # Leading edge: the old server stops at the burst's first change; the
        # one start that follows, once the burst settled, has all of them.
        stopping = wait_state(client, "web", "stopping")
        assert stopping["restarting"] is True
        starting = client.wait_notification("devwatch/devServer/stateChanged", lambda p: p["name"] == "web" and
                                            p["state"] == "starting" and p.get("cause") == "change")
        ready = wait_state(client, "web", "ready")
        # The reason counts them all; changedFiles lists the first 100 (the documented cap).
        assert starting["reason"] == "200 files changed" and starting["changedCount"] == 200
        assert ready["changedCount"] == 200
        generated = {(gen / f"m{i}.py").as_uri() for i in range(200)}
        assert len(ready["changedFiles"]) == 100 and set(ready["changedFiles"]) <= generated
        assert not any((root / "static").as_uri() in f for f in ready["changedFiles"])
        # Anything further would be a second restart: ask for the state instead of waiting.
        servers = client.request("devwatch/devServer/list")["result"]["servers"]
        assert servers[0]["state"] == "ready"
        assert client.shutdown_and_exit() == 0
        # The first start and the burst's one restart, nothing else.
        starts = [m["params"]["reason"] for m in client.inbox if m.get("method") == "devwatch/devServer/stateChanged"
                  and m["params"]["state"] == "starting"]
        assert len(starts) == 1, starts  # the first start (the burst's was consumed above)
        assert "changed" in stopping["reason"]


@pytest.mark.parametrize("python", DJANGOS)
def test_syntax_error_gives_diagnostic_then_fix_clears_it(tmp_path, python):
    django_version(python)
    port = free_port()
    client, root = start_session(tmp_path, {"web": django_server(python, port, autoRestart=False)})
    views = root / "blog" / "views.py"
    with client:
        wait_state(client, "web", "ready")
        good = views.read_text()
        lines = good.splitlines()
        bad_line = next(i for i, l in enumerate(lines) if l.startswith("def marker"))
        views.write_text(good.replace("def marker(request):", "def marker(request)", 1))
        crashed = wait_state(client, "web", "crashed")
        assert crashed["exitCode"] == 1
        assert crashed["exception"].startswith("SyntaxError")
        diag = client.wait_notification("textDocument/publishDiagnostics",
                                        lambda p: p["uri"] == views.as_uri() and p["diagnostics"])
        d = diag["diagnostics"][0]
        assert d["range"]["start"]["line"] == bad_line
        assert "SyntaxError" in d["message"]
        assert all(r["location"]["uri"].startswith(root.as_uri()) for r in d.get("relatedInformation", []))
        shown = client.wait_notification("window/showMessage", lambda p: "crashed" in p["message"])
        assert shown["type"] == 1 and "SyntaxError" in shown["message"]
        views.write_text(good)
        wait_state(client, "web", "ready")
        cleared = client.wait_notification("textDocument/publishDiagnostics",
                                           lambda p: p["uri"] == views.as_uri() and p["diagnostics"] == [])
        assert cleared["diagnostics"] == []
        assert http_get(f"http://127.0.0.1:{port}/marker/")[0] == 200
        assert client.shutdown_and_exit() == 0


def test_crash_fields_for_clients_that_render_crashes_themselves(tmp_path):
    """crashMessages: false — no crash popup; stateChanged says where it crashed."""
    port = free_port()
    client, root = start_session(tmp_path, {"web": django_server(PYPI_PYTHON, port, autoRestart=False)},
                                 initializationOptions={"crashMessages": False})
    views = root / "blog" / "views.py"
    with client:
        wait_state(client, "web", "ready")
        good = views.read_text()
        bad_line = next(i for i, l in enumerate(good.splitlines()) if l.startswith("def marker"))
        views.write_text(good.replace("def marker(request):", "def marker(request)", 1))
        crashed = wait_state(client, "web", "crashed")
        assert crashed["exception"].startswith("SyntaxError")
        assert crashed["location"]["uri"] == views.as_uri()
        assert crashed["location"]["range"]["start"]["line"] == bad_line
        views.write_text(good)
        ready = wait_state(client, "web", "ready")
        assert "location" not in ready and "exception" not in ready
        assert client.shutdown_and_exit() == 0
        assert not [m for m in client.inbox if m.get("method") == "window/showMessage"
                    and "crashed" in m["params"]["message"]]


def script_server(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def plain_session(tmp_path, servers):
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    write_config(root, servers)
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr")
    client.initialize(str(root))
    return client, root


def test_server_ignoring_sigint_is_killed_after_the_timeout(tmp_path):
    port = free_port()
    script = script_server(tmp_path, "stubborn.py", f"""
        import signal, socket
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", {port})); s.listen()
        while True:
            s.accept()[0].close()
        """)
    client, _ = plain_session(tmp_path, {"stubborn": {"command": ["python3", script], "ready": {"port": port},
                                                      "stopTimeoutMs": 300}})
    with client:
        wait_state(client, "stubborn", "ready")
        assert client.request("devwatch/devServer/stop", {"name": "stubborn"})["result"]["state"] == "stopping"
        stopped = wait_state(client, "stubborn", "stopped")
        assert stopped.get("killed") is True
        assert port_is_free(port)
        assert client.shutdown_and_exit() == 0


def test_grandchild_holding_the_port_does_not_clash_on_restart(tmp_path):
    port = free_port()
    client, _ = plain_session(tmp_path, {"shell": {
        "command": f"python3 -m http.server {port} --bind 127.0.0.1 & wait", "shell": True,
        "ready": {"port": port}, "stopSignal": "SIGTERM"}})
    with client:
        first = wait_state(client, "shell", "ready")
        client.request("devwatch/devServer/restart", {"name": "shell"})
        second = wait_state(client, "shell", "ready", timeout=30)
        assert second["pid"] != first["pid"]
        assert http_get(f"http://127.0.0.1:{port}/")[0] == 200
        assert client.shutdown_and_exit() == 0
        assert port_is_free(port)


def test_kill_9_of_devwatch_leaves_no_process_and_frees_the_port(tmp_path):
    port = free_port()
    client, _ = plain_session(tmp_path, {"shell": {
        "command": f"python3 -m http.server {port} --bind 127.0.0.1 & wait", "shell": True,
        "ready": {"port": port}}})
    with client:
        ready = wait_state(client, "shell", "ready")
        pgid = os.getpgid(ready["pid"])
        assert group_members(pgid)
        client.proc.send_signal(signal.SIGKILL)
        client.proc.wait()
        wait_until(lambda: not group_members(pgid), timeout=10, what="the process group to be gone")
        wait_until(lambda: port_is_free(port), timeout=10, what="the port to be free")


def test_exec_failure_names_the_command_and_errno(tmp_path):
    client, _ = plain_session(tmp_path, {
        "missing": {"command": ["/no/such/interpreter", "x"], "autoStart": False},
        "badcwd": {"command": ["python3", "-V"], "cwd": "does/not/exist", "autoStart": False}})
    with client:
        err = client.request("devwatch/devServer/start", {"name": "missing"})["error"]
        assert err["code"] == 1103
        assert "/no/such/interpreter" in err["message"] and "ENOENT" in err["message"]
        err = client.request("devwatch/devServer/start", {"name": "badcwd"})["error"]
        assert err["code"] == 1103 and "does/not/exist" in err["message"]
        assert client.shutdown_and_exit() == 0


def test_crash_loop_reaches_backoff(tmp_path):
    client, _ = plain_session(tmp_path, {"crasher": {
        "command": ["python3", "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"]}})
    with client:
        backoff = wait_state(client, "crasher", "backoff", timeout=60)
        assert "5 crashes" in backoff["reason"] or "crash" in backoff["reason"]
        info = client.request("devwatch/devServer/list")["result"]["servers"][0]
        assert info["state"] == "backoff" and info["exitCode"] == 3
        assert client.shutdown_and_exit() == 0


def test_output_backlog_from_a_sequence_number(tmp_path):
    client, _ = plain_session(tmp_path, {"talker": {
        "command": ["python3", "-u", "-c", "import time\nfor i in range(50): print('line', i)\ntime.sleep(600)"],
        "ready": {"pattern": "line 49"}}})
    with client:
        wait_state(client, "talker", "ready")
        everything = client.request("devwatch/devServer/output", {"name": "talker"})["result"]
        texts = [l["text"] for l in everything["lines"]]
        assert texts == [f"line {i}" for i in range(50)]
        seq10 = everything["lines"][10]["seq"]
        tail = client.request("devwatch/devServer/output", {"name": "talker", "fromSeq": seq10})["result"]
        assert [l["text"] for l in tail["lines"]] == [f"line {i}" for i in range(10, 50)]
        assert tail["nextSeq"] == everything["lines"][-1]["seq"] + 1
        streamed = client.wait_notification("devwatch/devServer/output", lambda p: p["text"] == "line 49")
        assert streamed["stream"] == "stdout"
        assert client.shutdown_and_exit() == 0


def test_stop_and_restart_while_starting(tmp_path):
    port = free_port()
    slow = ["python3", "-c", f"import time, http.server as h; time.sleep(1); "
                             f"h.HTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler).serve_forever()"]
    client, _ = plain_session(tmp_path, {"slow": {"command": slow, "ready": {"port": port}, "autoStart": False,
                                                  "stopSignal": "SIGTERM"}})
    with client:
        assert client.request("devwatch/devServer/start", {"name": "slow"})["result"]["state"] == "starting"
        client.request("devwatch/devServer/stop", {"name": "slow"})
        wait_state(client, "slow", "stopped")
        client.request("devwatch/devServer/start", {"name": "slow"})
        restarted = client.request("devwatch/devServer/restart", {"name": "slow"})
        assert "result" in restarted, restarted
        wait_state(client, "slow", "ready", timeout=30)
        assert http_get(f"http://127.0.0.1:{port}/")[0] == 200
        assert client.shutdown_and_exit() == 0


def test_unknown_server_and_invalid_state_errors(tmp_path):
    client, _ = plain_session(tmp_path, {"idle": {"command": ["python3", "-c", "pass"], "autoStart": False}})
    with client:
        err = client.request("devwatch/devServer/start", {"name": "nope"})["error"]
        assert err["code"] == 1101 and err["data"]["known"] == ["idle"]
        err = client.request("devwatch/devServer/stop", {"name": "idle"})["error"]
        assert err["code"] == 1102
        assert client.request("devwatch/devServer/start", {"name": 5})["error"]["code"] == -32602
        assert client.shutdown_and_exit() == 0


def test_untrusted_workspace_starts_nothing(tmp_path):
    root = copy_example(tmp_path / "blog")
    with LspClient(stderr_path=tmp_path / "err") as client:
        client.initialize(str(root), initializationOptions={"trusted": False})
        shown = client.wait_notification("window/showMessage", lambda p: "not trusted" in p["message"])
        assert shown["type"] == 2
        servers = client.request("devwatch/devServer/list")["result"]["servers"]
        assert [s["state"] for s in servers] == ["stopped"]
        err = client.request("devwatch/devServer/start", {})["error"]
        assert err["code"] == 1104
        assert client.request("devwatch/status")["result"]["watcher"]["backend"] == "inotify"
        assert client.shutdown_and_exit() == 0


def test_zero_config_django_is_detected(tmp_path):
    root = copy_example(tmp_path / "blog")
    venv = tmp_path / "venv"
    with LspClient(stderr_path=tmp_path / "err", env={"VIRTUAL_ENV": str(venv)}) as client:
        client.initialize(str(root), initializationOptions={"autoStart": False})
        status = client.request("devwatch/status")["result"]
        (server,) = status["devServers"]
        assert server["name"] == "django"
        assert server["command"][1:] == ["manage.py", "runserver", "--noreload", "127.0.0.1:8000"]
        assert "**/*.py" in server["restartOn"] and "**/templates/**" in server["restartOn"]
        assert any("static" in g for g in server["ignore"])
        assert status["config"][0]["source"] == "detected Django project"
        assert client.shutdown_and_exit() == 0


def test_invalid_config_is_reported_with_its_path_and_reload_applies_edits(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "devwatch.json").write_text('{"servers": {"web": {"command": "python3 -V"}}}')
    with LspClient(stderr_path=tmp_path / "err") as client:
        client.initialize(str(root))
        shown = client.wait_notification("window/showMessage", lambda p: "invalid configuration" in p["message"])
        assert "servers.web.command" in shown["message"]
        assert client.request("devwatch/devServer/list")["result"]["servers"] == []
        write_config(root, {"echo": {"command": ["python3", "-c", "print('hi')"], "autoStart": False}})
        wait_until(lambda: client.request("devwatch/devServer/list")["result"]["servers"], what="the reload")
        assert client.request("devwatch/status")["result"]["config"][0].get("error") is None
        assert client.shutdown_and_exit() == 0


def test_state_changes_carry_structured_causes(tmp_path):
    """Issue 9: clients read cause, restarting and changedCount, never the reason text."""
    client, root = plain_session(tmp_path, {"app": {
        "command": ["python3", "-u", "-c", "print('up', flush=True)\nimport time\ntime.sleep(600)"],
        "ready": {"pattern": "up"}, "restartOn": ["**/*.py"], "stopSignal": "SIGTERM"}})
    with client:
        started = wait_state(client, "app", "starting")
        assert started["cause"] == "autoStart"
        wait_state(client, "app", "ready")
        for i in range(3):
            (root / f"m{i}.py").write_text("x = 1\n")
        stopping = wait_state(client, "app", "stopping")
        assert stopping["cause"] == "change" and stopping["restarting"] is True
        assert stopping["changedCount"] == len(stopping["changedFiles"]) >= 1
        wait_state(client, "app", "ready")
        client.request("devwatch/devServer/stop", {"name": "app"})
        stopped = wait_state(client, "app", "stopping")
        assert stopped["cause"] == "request" and "restarting" not in stopped
        assert client.shutdown_and_exit() == 0
