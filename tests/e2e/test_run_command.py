"""`devwatch run`: the terminal mode, end to end with real processes and signals."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from devserver_util import copy_example, free_port, http_get, port_is_free, wait_until
from lsp_client import devwatch_binary


class Run:
    """devwatch run in the background, its stderr collected line by line."""

    def __init__(self, args, cwd, env=None):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([devwatch_binary(), "run", *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
        self.out = []
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out), daemon=True).start()

    def _pump(self, stream, sink):
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, text, count=1, timeout=60):
        with self.cond:
            ok = self.cond.wait_for(lambda: sum(text in l for l in self.lines) >= count, timeout)
        assert ok, f"no {count}x {text!r} in devwatch's output: {self.lines}"

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=30)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def server_script(tmp_path, port, version="v1"):
    script = tmp_path / "app" / "server.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(textwrap.dedent(f"""
        import http.server
        VERSION = "{version}"
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(VERSION.encode())
            def log_message(self, *a):
                pass
        print("serving", flush=True)
        http.server.HTTPServer(("127.0.0.1", {port}), H).serve_forever()
        """))
    return script


def test_run_given_command_restarts_on_change_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    script = server_script(tmp_path, port)
    run = Run(["--timings", "--port", str(port), "--restart-on", "**/*.py", "--", "python3", str(script)],
              cwd=tmp_path / "app")
    try:
        run.wait_line("app ready in")
        assert http_get(f"http://127.0.0.1:{port}/") == (200, "v1")
        script.write_text(script.read_text().replace('"v1"', '"v2"'))
        run.wait_line("restarting app (server.py changed)")
        run.wait_line("app ready in", count=2)
        run.wait_line("timings: event_to_spawn_ms=", count=2)
        assert http_get(f"http://127.0.0.1:{port}/") == (200, "v2")
        assert "serving" in run.out  # the child's stdout passes through
        assert run.interrupt() == 0
        assert port_is_free(port)
    finally:
        run.kill()


def test_run_reports_a_crash_with_its_exception(tmp_path):
    (tmp_path / "app").mkdir()
    bad = tmp_path / "app" / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    run = Run(["--no-restart", "--", "python3", str(bad)], cwd=tmp_path / "app")
    try:
        run.wait_line("app crashed (exit 1): SyntaxError")
        run.wait_line("waiting for changes")
        assert run.interrupt() == 0
    finally:
        run.kill()


def test_run_detects_the_django_project(tmp_path):
    root = copy_example(tmp_path / "blog")
    # The project's own interpreter: python3 on PATH may have no Django, and
    # then devwatch run refuses to start (test_setup_problems.py).
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    (venv_bin / "python").chmod(0o755)
    port = free_port()
    run = Run(["--port", str(port)], cwd=root, env={"VIRTUAL_ENV": str(tmp_path / "no-venv")})
    try:
        run.wait_line("using detected Django project")
        run.wait_line("interpreter: .venv/bin/python (found)")
        run.wait_line("Watching")  # started: the interpreter imports Django
        assert not any("cannot run" in l for l in run.lines), run.lines
        assert run.interrupt() == 0
    finally:
        run.kill()


def test_run_usage_errors(tmp_path):
    p = subprocess.run([devwatch_binary(), "run", "--port", "x"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2 and "--port needs a port number" in p.stderr
    p = subprocess.run([devwatch_binary(), "run"], capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert p.returncode == 1 and "nothing to run here" in p.stderr
    p = subprocess.run([devwatch_binary(), "run", "--", "/no/such/binary"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=30)
    assert p.returncode == 1 and "/no/such/binary" in p.stderr and "ENOENT" in p.stderr


def test_run_below_a_django_project_says_where_it_is(tmp_path):
    project = copy_example(tmp_path / "project")
    below = project / "blog"
    p = subprocess.run([devwatch_binary(), "run"], capture_output=True, text=True, cwd=below, timeout=30)
    assert p.returncode == 1 and "nothing to run here" in p.stderr
    assert f"manage.py found in {project}" in p.stderr
