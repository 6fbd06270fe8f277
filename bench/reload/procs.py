"""What bench/reload/reloaders.py measures processes and projects with:
a generated Django project of N modules, a process whose output lines are
timestamped as they arrive, and /proc readings over a process tree."""
import os
import signal
import subprocess
import threading
import time
from pathlib import Path


def generate(root: Path, modules: int, app: str) -> None:
    """A project whose N modules are all imported at start-up (as a large
    project's are) and whose / serves gen.p000.m0000.VALUE, the module edited."""
    (root / "gen").mkdir(parents=True)
    (root / "manage.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gen.settings')\n"
        "from django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n")
    (root / "gen" / "__init__.py").write_text("")
    apps = [app] if app else []
    (root / "gen" / "settings.py").write_text(
        "SECRET_KEY = 'bench'\nDEBUG = True\nALLOWED_HOSTS = ['*']\nROOT_URLCONF = 'gen.urls'\n"
        f"INSTALLED_APPS = {apps!r}\nDATABASES = {{}}\nUSE_TZ = True\n")
    imports = []
    per_package = 100
    for i in range(modules):
        pkg = root / "gen" / f"p{i // per_package:03d}"
        if not pkg.exists():
            pkg.mkdir()
            (pkg / "__init__.py").write_text("")
        (pkg / f"m{i:04d}.py").write_text(module_text(i))
        imports.append(f"from gen.p{i // per_package:03d} import m{i:04d}  # noqa")
    (root / "gen" / "everything.py").write_text("\n".join(imports) + "\n")
    (root / "gen" / "urls.py").write_text(
        "from django.http import HttpResponse\nfrom django.urls import path\nimport gen.everything  # noqa\n"
        "from gen.p000 import m0000\n\n"
        "def index(request):\n    return HttpResponse('value: %d\\n' % m0000.VALUE, content_type='text/plain')\n\n"
        "urlpatterns = [path('', index)]\n")


def module_text(value: int) -> str:
    return f"VALUE = {value}\n\ndef f(x):\n    return x + VALUE\n"


def write_in_place(path, text: str) -> None:
    """One write into the existing file, as most editors save."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def tree_pids(root_pid: int) -> list:
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def memory(pids) -> list:
    """Per process: its name, VmHWM (peak RSS) and Pss (now; each shared page
    divided among every process that maps it, so libc's pages, mapped by
    all of them, are not counted once per process as in a sum of RSS)."""
    out = []
    for pid in pids:
        try:
            entry = {"pid": pid}
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("Name:"):
                        entry["name"] = line.split()[1]
                    elif line.startswith("VmHWM:"):
                        entry["hwm_kib"] = int(line.split()[1])
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        entry["pss_kib"] = int(line.split()[1])
            out.append(entry)
        except OSError:
            pass
    return out


def peak_rss_kib(pids) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Proc:
    """A process group whose output lines are kept with the time they arrived."""

    def __init__(self, argv, cwd, env):
        self.lines = []
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def find_line(self, text, after=0.0):
        for t, line in list(self.lines):
            if t >= after and text in line:
                return t
        return None

    def tail(self, n=4):
        return [line for _, line in self.lines[-n:]]

    def wait_line(self, text, after=0.0, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.find_line(text, after)
            if t is not None:
                return t
            if self.p.poll() is not None:
                break
            time.sleep(0.002)  # polling the reader thread's list: a sample every 2 ms
        raise RuntimeError(f"no {text!r} within {timeout:g} s; last output: {self.tail()}")

    def stop(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGINT)
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()
            except ProcessLookupError:
                pass
        try:  # anything of its group left (a reloader's child): gone too
            os.killpg(self.p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
