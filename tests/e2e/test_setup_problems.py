"""Setup problems end to end: a command that cannot be executed is said first,
with the PATH searched, and waits for the configuration; a server that was
never ready and crashes the same way is said once, with the fix; `devwatch
run` refuses an interpreter without Django before anything crashes."""
import os
import subprocess
import sys

from devserver_util import copy_example, free_port, write_config
from lsp_client import LspClient, devwatch_binary
from test_run_command import Run, server_script

STATE = "devwatch/devServer/stateChanged"


def session(tmp_path, servers):
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    write_config(root, servers)
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr")
    client.initialize(str(root))
    return client


def test_run_says_an_exec_failure_first_with_the_path_and_waits_for_the_config(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    path = f"{tmp_path}/bin:/usr/bin:/bin"
    write_config(root, {"web": {"command": ["nosuchcmd-x"], "env": {"PATH": path}}})
    run = Run([], cwd=root)
    try:
        run.wait_line("waiting for a change of devwatch.json")
        run.wait_line("Watching 1 folder")  # devwatch.json is watched from here on
        first = next(i for i, l in enumerate(run.lines) if "web" in l)
        about_web = run.lines[first:]
        assert about_web[0].endswith(
            "cannot run web: exec failed: nosuchcmd-x: No such file or directory (ENOENT); nosuchcmd-x is in "
            f"none of PATH's directories ({tmp_path}/bin, /usr/bin, /bin)"), about_web
        assert "fix: install nosuchcmd-x, or add the folder that holds it to PATH" in about_web[1]
        assert not any("crashed" in l or "restarting" in l or "cannot start" in l for l in run.lines), run.lines
        # The configuration changes: it is tried again, and runs.
        port = free_port()
        script = server_script(tmp_path, port)
        write_config(root, {"web": {"command": [sys.executable, str(script)], "ready": {"port": port}}})
        run.wait_line("web ready in")
        assert run.interrupt() == 0
    finally:
        run.kill()


def test_run_of_a_command_line_that_cannot_be_executed_says_it_once_and_exits(tmp_path):
    p = subprocess.run([devwatch_binary(), "run", "--", "nosuchcmd-x", "--flag"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=30)
    assert p.returncode == 1
    said = [l for l in p.stderr.splitlines() if "nosuchcmd-x" in l]
    assert said[0].startswith("devwatch: cannot run app: exec failed: nosuchcmd-x: No such file or directory"), said
    assert "is in none of PATH's directories (" in said[0]
    assert "crashed" not in p.stderr and "cannot start" not in p.stderr


def test_run_refuses_an_interpreter_without_django_with_the_fix(tmp_path):
    root = copy_example(tmp_path / "blog")
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    python = venv_bin / "python"
    # An interpreter that cannot see any site-packages: no Django.
    python.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    p = subprocess.run([devwatch_binary(), "run"], capture_output=True, text=True, cwd=root, env=env, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "devwatch: cannot run django: the project's interpreter" in p.stderr
    assert "cannot import Django: ModuleNotFoundError: No module named 'django'" in p.stderr
    assert "(interpreter: .venv/bin/python (found)" in p.stderr
    assert f"fix: install Django into it: {python} -m pip install Django" in p.stderr
    assert "crashed" not in p.stderr and "ready" not in p.stderr


def test_the_same_crash_of_a_server_never_ready_is_said_once_as_a_setup_problem(tmp_path):
    # A ready probe that never passes: without one a server counts as ready when spawned.
    client = session(tmp_path, {"web": {"command": ["python3", "-c", "import nosuchmod_x"],
                                        "ready": {"pattern": "Listening"}}})
    with client:
        backoff = client.wait_notification(STATE, lambda p: p["name"] == "web" and p["state"] == "backoff",
                                           timeout=90)
        problem = backoff["setupProblem"]
        assert problem["kind"] == "sameCrash" and problem["crashes"] == 5
        assert problem["message"] == ("a setup problem: it crashed 5 times in a row the same way and was never "
                                      "ready (exit 1: ModuleNotFoundError: No module named 'nosuchmod_x')")
        assert problem["fix"].startswith("install the package that provides 'nosuchmod_x' into python3 "
                                         "(python3 -m pip install nosuchmod_x)")
        verdict = client.wait_notification("window/showMessage", lambda p: "cannot run" in p["message"])
        assert verdict["message"].startswith("devwatch: web cannot run: a setup problem: it crashed 5 times")
        # Before it (still unconsumed): four plain crashes, of which only the first was shown.
        crashes = [m["params"] for m in client.inbox if m.get("method") == STATE and m["params"]["name"] == "web"
                   and m["params"]["state"] in ("crashed", "backoff")]
        assert [bool(c.get("setupProblem")) for c in crashes] == [False] * 4
        shown = [m["params"]["message"] for m in client.inbox if m.get("method") == "window/showMessage"]
        assert len(shown) == 1, shown
        info = client.request("devwatch/devServer/list")["result"]["servers"][0]
        assert info["setupProblem"] == problem
        assert client.shutdown_and_exit() == 0


def test_an_exec_failure_carries_the_path_searched(tmp_path):
    client = session(tmp_path, {"web": {"command": ["nosuchcmd-x"], "env": {"PATH": "/devwatch-a::/usr/bin"}}})
    with client:
        crashed = client.wait_notification(STATE, lambda p: p["name"] == "web" and p["state"] == "crashed")
        problem = crashed["setupProblem"]
        assert problem["kind"] == "exec"
        assert problem["searchedPath"] == ["/devwatch-a", ".", "/usr/bin"]
        assert crashed["reason"] == problem["message"]
        assert problem["message"].startswith("exec failed: nosuchcmd-x: No such file or directory (ENOENT); ")
        assert client.shutdown_and_exit() == 0


def test_run_says_a_repeated_crash_once_then_the_verdict(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    write_config(root, {"web": {"command": ["python3", "-c", "import nosuchmod_x"],
                                "ready": {"pattern": "Listening"}}})
    run = Run([], cwd=root)
    try:
        run.wait_line("cannot run web: a setup problem: it crashed 5 times in a row the same way")
        ours = [l for l in run.lines if l.startswith("devwatch:")]
        crashed = [l for l in ours if "web crashed" in l]
        assert crashed == ["devwatch: web crashed (exit 1): ModuleNotFoundError: No module named 'nosuchmod_x' "
                           "— restarting"], ours
        assert not any("starting web" in l for l in ours), ours
        assert run.interrupt() == 0
    finally:
        run.kill()
