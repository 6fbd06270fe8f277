"""`devwatch watch`: change lines, JSON lines, the ready line, signals, usage errors."""
import json
import os
import queue
import signal
import subprocess
import threading
import time


class Watch:
    """Runs `devwatch watch ...` and reads its stdout lines with a deadline."""

    def __init__(self, binary, *args, cwd=None):
        self.proc = subprocess.Popen([binary, "watch", *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines: "queue.Queue[bytes]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip(b"\n"))

    def next_line(self, timeout=10.0) -> bytes:
        return self.lines.get(timeout=timeout)

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.next_line(max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            if predicate(line):
                return seen
        raise AssertionError(f"no matching line; saw {seen!r}")

    def stop(self, sig=signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=10)


def test_prints_ready_then_changes_and_exits_0_on_sigint(binary, tmp_path):
    (tmp_path / "sub").mkdir()
    w = Watch(binary, str(tmp_path))
    ready = w.next_line()
    assert ready.startswith(b"ready: watching 2 folders in "), ready
    (tmp_path / "sub" / "new.txt").write_text("x")
    w.wait_for(lambda l: l == b"created " + str(tmp_path / "sub" / "new.txt").encode())
    os.mkdir(tmp_path / "a")
    os.makedirs(tmp_path / "a" / "b" / "c")
    (tmp_path / "a" / "b" / "c" / "deep.txt").write_text("d")
    w.wait_for(lambda l: l == b"created " + str(tmp_path / "a" / "b" / "c" / "deep.txt").encode())
    (tmp_path / "sub" / "new.txt").unlink()
    w.wait_for(lambda l: l == b"deleted " + str(tmp_path / "sub" / "new.txt").encode())
    assert w.stop(signal.SIGINT) == 0


def test_json_lines_carry_type_path_and_uri(binary, tmp_path):
    w = Watch(binary, "--json", "--settle-ms", "0", str(tmp_path))
    ready = json.loads(w.next_line())
    assert ready["ready"] is True and ready["folders"] == 1 and ready["backend"] == "inotify"
    name = b"odd \xff name"
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as f:
        f.write(b"x")
    lines = w.wait_for(lambda l: b'"uri"' in l)
    change = json.loads(lines[-1])
    assert change["type"] == "created"
    assert change["uri"] == "file://" + str(tmp_path).replace(" ", "%20") + "/odd%20%FF%20name"
    assert w.stop(signal.SIGTERM) == 0


def test_excludes_and_builtin_ignores(binary, tmp_path):
    w = Watch(binary, "--exclude", "**/*.tmp", str(tmp_path))
    assert w.next_line().startswith(b"ready:")
    (tmp_path / "skip.tmp").write_text("x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("x")
    (tmp_path / "keep.txt").write_text("x")
    seen = w.wait_for(lambda l: l.endswith(b"/keep.txt"))
    assert all(b"skip.tmp" not in l and b"node_modules" not in l for l in seen)
    assert w.stop() == 0


def test_default_path_is_cwd(binary, tmp_path):
    w = Watch(binary, cwd=tmp_path)
    assert w.next_line().startswith(b"ready:")
    (tmp_path / "here.txt").write_text("x")
    w.wait_for(lambda l: l == b"created " + str(tmp_path.resolve() / "here.txt").encode())
    assert w.stop() == 0


def test_bad_flags_exit_2(binary, tmp_path):
    for args in (["--frob"], ["--backend", "magic"], ["--settle-ms", "soon"], ["--exclude"]):
        p = subprocess.run([binary, "watch", str(tmp_path), *args], capture_output=True, timeout=30)
        assert p.returncode == 2, args
        assert p.stdout == b""
        assert b"usage: devwatch watch" in p.stderr


def test_missing_path_is_an_error(binary, tmp_path):
    p = subprocess.run([binary, "watch", str(tmp_path / "nope")], capture_output=True, timeout=30)
    assert p.returncode == 1
    assert b"cannot watch" in p.stderr
