#!/usr/bin/env python3
"""Django autoreloaders on a generated project with many modules: idle CPU,
peak memory and change-detection latency, measured in one run.

For each reloader — DevwatchReloader (devwatch.django, from python/src),
StatReloader, WatchmanReloader (a private watchman server) and
django-watchfiles — `manage.py runserver` (autoreload on) serves a
generated project whose N modules are all imported at start-up. Then:

- idle CPU: the CPU time (user + system) of runserver's whole process tree,
  plus the watchman server for WatchmanReloader, over `--idle` seconds with
  no change, as a percentage of one core;
- peak RSS: the sum of VmHWM over that tree (the reloader's helper process
  included) at the end of the idle window;
- change detection: from writing a module to runserver printing
  "… changed, reloading." (before the restart, so it measures the watcher).

    bench/reload/setup.sh
    python3 bench/reload/idle.py                       # 3,000 modules, 30 s idle, 5 edits
    python3 bench/reload/idle.py --modules 300 --idle 10
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib  # noqa: E402

TOOLS = ["django-devwatch", "django-stat", "django-watchman", "django-watchfiles"]
LABELS = {
    "django-devwatch": "DevwatchReloader (devwatch.django)",
    "django-stat": "StatReloader",
    "django-watchman": "WatchmanReloader",
    "django-watchfiles": "django-watchfiles",
}
EXPECT = {"django-devwatch": "DevwatchReloader (devwatch", "django-stat": "StatReloader",
          "django-watchman": "WatchmanReloader", "django-watchfiles": "WatchfilesReloader"}


def generate(root: Path, modules: int, app: str) -> None:
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
        (pkg / f"m{i:04d}.py").write_text(f"VALUE = {i}\n\ndef f(x):\n    return x + VALUE\n")
        imports.append(f"from gen.p{i // per_package:03d} import m{i:04d}  # noqa")
    (root / "gen" / "everything.py").write_text("\n".join(imports) + "\n")
    (root / "gen" / "urls.py").write_text(
        "from django.http import HttpResponse\nfrom django.urls import path\nimport gen.everything  # noqa\n\n"
        "def index(request):\n    return HttpResponse('ok')\n\nurlpatterns = [path('', index)]\n")


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
    def __init__(self, argv, cwd, env):
        self.lines = []
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_line(self, text, after=0.0, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, line in list(self.lines):
                if t >= after and text in line:
                    return t
            if self.p.poll() is not None:
                break
            time.sleep(0.002)
        raise RuntimeError(f"no {text!r}; last output: {[l for _, l in self.lines[-5:]]}")

    def stop(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGINT)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()


def measure(tool, args, base, env):
    app = {"django-devwatch": "devwatch.django", "django-watchfiles": "django_watchfiles"}.get(tool, "")
    root = Path(tempfile.mkdtemp(prefix=tool + "-", dir=base))
    generate(root, args.modules, app)
    env = dict(env)
    watchman = None
    if tool == "django-watchman":
        state = Path(tempfile.mkdtemp(prefix="wm-", dir=base))
        sock = state / "sock"
        watchman = subprocess.Popen(["watchman", "--foreground", f"--sockname={sock}",
                                     f"--statefile={state / 'state'}", f"--logfile={state / 'log'}",
                                     f"--pidfile={state / 'pid'}", "--no-save-state"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        env["WATCHMAN_SOCK"] = str(sock)
    else:
        env["WATCHMAN_SOCK"] = "/nonexistent/devwatch-bench.sock"
    if tool == "django-devwatch":
        env["DEVWATCH_BIN"] = args.devwatch
        env["DEVWATCH_FALLBACK"] = "strict"
        env["PYTHONPATH"] = str(benchlib.REPO / "python" / "src")
    port = args.port + TOOLS.index(tool)
    proc = Proc([args.python, "manage.py", "runserver", f"127.0.0.1:{port}"], root, env)
    result = {"tool": tool}
    try:
        proc.wait_line(EXPECT[tool], timeout=120)
        proc.wait_line("Quit the server with", timeout=120)
        time.sleep(args.settle)  # crawls and first snapshots finish
        pids = tree_pids(proc.p.pid) + ([watchman.pid] if watchman else [])
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0 = time.monotonic(), cpu_ticks(pids)
        time.sleep(args.idle)
        t1, c1 = time.monotonic(), cpu_ticks(pids)
        # A process of the tree that ended (a restart) would make the numbers meaningless.
        gone = [pid for pid in pids if not os.path.exists(f"/proc/{pid}")]
        noise = [line for t, line in list(proc.lines) if t0 <= t <= t1 and line.strip()]
        if gone:
            raise RuntimeError(f"processes {gone} ended during the idle window; output then: {noise[-5:]}")
        result["idle_cpu_percent"] = round(100.0 * (c1 - c0) / hz / (t1 - t0), 2)
        result["peak_rss_mib"] = round(peak_rss_kib(pids) / 1024.0, 1)
        target = root / "gen" / "p000" / "m0000.py"
        samples = []
        for i in range(args.edits):
            start = time.monotonic()
            target.write_text(f"VALUE = {1000 + i}\n\ndef f(x):\n    return x + VALUE\n")
            seen = proc.wait_line("m0000.py changed, reloading.", after=start, timeout=60)
            samples.append(round((seen - start) * 1000.0, 1))
            proc.wait_line("Quit the server with", after=seen, timeout=120)
            proc.wait_line(EXPECT[tool], after=seen, timeout=120)
            time.sleep(args.settle)
        result["detect_ms"] = samples
        result["detect_p50_ms"] = benchlib.median(samples)
        result["detect_p90_ms"] = benchlib.percentile(samples, 90)
        result["status"] = "ok"
    except (RuntimeError, OSError) as exc:
        result["status"] = f"failed: {exc}"
    finally:
        proc.stop()
        if watchman:
            watchman.terminate()
            watchman.wait(timeout=10)
    return result


def main():
    cache = benchlib.cache_dir()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--python", default=str(cache / "reload-venv" / "bin" / "python"))
    ap.add_argument("--devwatch", default=str(benchlib.REPO / "build" / "server" / "devwatch"))
    ap.add_argument("--modules", type=int, default=3000)
    ap.add_argument("--idle", type=float, default=30.0, help="idle window (s)")
    ap.add_argument("--settle", type=float, default=3.0, help="pause after each start (s)")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--port", type=int, default=18400)
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "devwatch-bench-idle.json"))
    args = ap.parse_args()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base = os.path.realpath(tempfile.mkdtemp(prefix="devwatch-bench-idle-"))
    meta = {"modules": args.modules, "idle_s": args.idle, "cpus": os.cpu_count(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg_start": os.getloadavg()}
    results = []
    try:
        for tool in [t for t in TOOLS if t in args.tools.split(",")]:
            r = measure(tool, args, base, env)
            print(json.dumps(r), file=sys.stderr)
            results.append(r)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    meta["loadavg_end"] = os.getloadavg()
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    print(f"| reloader ({args.modules} modules) | idle CPU over {args.idle:g} s | peak RSS | detect p50 | detect p90 |")
    print("|---|---|---|---|---|")
    for r in results:
        if r["status"] != "ok":
            print(f"| {LABELS[r['tool']]} | {r['status']} | | | |")
            continue
        print(f"| {LABELS[r['tool']]} | {r['idle_cpu_percent']:.2f}% | {r['peak_rss_mib']:.1f} MiB "
              f"| {r['detect_p50_ms']:.0f} ms | {r['detect_p90_ms']:.0f} ms |")
    print("\nJSON: %s" % args.json, file=sys.stderr)


if __name__ == "__main__":
    main()
