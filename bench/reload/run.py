#!/usr/bin/env python3
"""Reload benchmark: save-to-served latency on examples/django-blog.

For each tool: its own copy of the example, its own port; the server is
started, then `blog/views.py`'s MARKER line is rewritten N times (one at a
time) and /marker/ is polled every ~2 ms until the new marker is served. The
time from the write to that first response is the sample. The floor is the
cold start of `runserver --noreload` to its first HTTP 200.

Tools: devwatch (`devwatch run -- python manage.py runserver --noreload`),
Django's autoreloader with DevwatchReloader (devwatch.django, from
python/src), with StatReloader and with WatchmanReloader,
django-watchfiles, nodemon, entr and `watchexec -r` restarting
`runserver --noreload`. Peers are installed by setup.sh into
${DEVWATCH_CACHE:-~/.cache/devwatch-dev}/bench. Every wait is bounded; a tool
that is missing, crashes or stops serving is reported and the run goes on.

    bench/reload/setup.sh
    python3 bench/reload/run.py                  # all tools, 20 repetitions
    python3 bench/reload/run.py --update-doc     # and rewrite docs/benchmarks.md's section
"""
import argparse
import http.client
import json
import os
import random
import re
import shlex
import shutil
import statistics
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib  # noqa: E402

EXAMPLE = benchlib.REPO / "examples" / "django-blog"
ALL_TOOLS = ["floor", "devwatch", "devwatch-default", "devwatch-sigint", "devwatch-baseline",
             "devwatch-baseline-sigint", "django-devwatch", "django-stat", "django-watchman", "django-watchfiles",
             "nodemon", "entr", "watchexec"]
# The devwatch rows that take their binary from --baseline (another build,
# e.g. the commit before a change), for a before/after in the same run.
BASELINE_ROWS = {"devwatch-baseline": "devwatch", "devwatch-baseline-sigint": "devwatch-sigint"}
LABELS = {
    "floor": "floor: cold start of runserver --noreload",
    "devwatch": "devwatch run",
    "devwatch-default": "devwatch run, no --stop-signal (runserver recognised: SIGTERM)",
    "devwatch-sigint": "devwatch run --stop-signal SIGINT (slow stop, leading edge)",
    "devwatch-baseline": "devwatch run, --baseline build",
    "devwatch-baseline-sigint": "devwatch run --stop-signal SIGINT, --baseline build",
    "django-devwatch": "Django autoreloader (DevwatchReloader, devwatch.django)",
    "django-stat": "Django autoreloader (StatReloader)",
    "django-watchman": "Django autoreloader (WatchmanReloader)",
    "django-watchfiles": "django-watchfiles",
    "nodemon": "nodemon → runserver --noreload",
    "entr": "entr -r → runserver --noreload",
    "watchexec": "watchexec -r → runserver --noreload",
}
MARKER_RE = re.compile(r'^MARKER = "marker: [^"]*"$', re.M)


class ToolFailed(Exception):
    pass


# ---------------------------------------------------------------- HTTP

def get_marker(port, timeout=2.0):
    """Body of /marker/ or None when the server does not answer (yet)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/marker/")
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        return body if resp.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def port_in_use(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_port_free(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_in_use(port):
            return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------- tools

class Server:
    """A tool's process group with its output kept (last 200 lines)."""

    def __init__(self, argv, cwd, env, stdin_data=None):
        self.argv = argv
        self.lines = []
        self.timings = []  # devwatch run --timings lines, all of them
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                     stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if stdin_data is not None:
            self.proc.stdin.write(stdin_data.encode())
            self.proc.stdin.close()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            with self.lock:
                self.lines = (self.lines + [line])[-200:]
                if "timings: event_to_spawn_ms=" in line:
                    self.timings.append(dict(kv.split("=") for kv in line.split("timings: ", 1)[1].split()))

    def output(self):
        with self.lock:
            return list(self.lines)

    def check_alive(self):
        code = self.proc.poll()
        if code is not None:
            tail = " | ".join(self.output()[-3:])
            raise ToolFailed("exited with code %s: %s" % (code, tail))

    def stop(self):
        benchlib.kill_group(self.proc)


def tool_command(name, args, cache, port):
    """(argv, extra env, stdin text or None, expected output regex or None)."""
    py = args.python
    serve = [py, "manage.py", "runserver", "--noreload", "127.0.0.1:%d" % port]
    if name in ("floor",):
        return serve, {}, None, None
    if name in BASELINE_ROWS:
        if not args.baseline:
            raise ToolFailed("no --baseline binary given")
        argv, env, stdin_kind, expect = tool_command(BASELINE_ROWS[name], args, cache, port)
        argv[0] = args.baseline
        return argv, env, stdin_kind, expect
    if name in ("devwatch", "devwatch-default", "devwatch-sigint"):
        binary, why = benchlib.find_devwatch(args.devwatch)
        if not binary:
            raise ToolFailed(why)
        probe = subprocess.run([binary, "run", "--help"], capture_output=True, text=True, timeout=10)
        if probe.returncode != 0:
            detail = (probe.stderr or probe.stdout).strip().splitlines()
            raise ToolFailed("`devwatch run` not available in %s (exit %d: %s)"
                             % (binary, probe.returncode, detail[-1] if detail else ""))
        # Like the peers (-e py), only Python files restart it; SIGTERM, as entr
        # and watchexec send and as devwatch's detected Django server uses.
        # devwatch-default leaves the stop signal to devwatch (it recognises
        # runserver); devwatch-sigint shows a slow stop behind the leading edge.
        stop = {"devwatch": ["--stop-signal", "SIGTERM"], "devwatch-default": [],
                "devwatch-sigint": ["--stop-signal", "SIGINT"]}[name]
        return ([binary, "run", "--timings", "--restart-on", "**/*.py"] + stop +
                ["--port", str(port), "--"] + serve,
                {}, None, None)
    if name == "django-devwatch":
        # runserver with its autoreloader, "devwatch.django" in INSTALLED_APPS;
        # the package from python/src and the same binary as `devwatch run`.
        binary, why = benchlib.find_devwatch(args.devwatch)
        if not binary:
            raise ToolFailed(why)
        pythonpath = str(benchlib.REPO / "python" / "src")
        if os.environ.get("PYTHONPATH"):
            pythonpath += os.pathsep + os.environ["PYTHONPATH"]
        return ([py, "manage.py", "runserver", "127.0.0.1:%d" % port],
                {"DEVWATCH_BIN": binary, "PYTHONPATH": pythonpath, "DEVWATCH_FALLBACK": "strict",
                 "WATCHMAN_SOCK": "/nonexistent/devwatch-bench.sock"}, None, r"DevwatchReloader \(devwatch")
    if name == "django-stat":
        # An unreachable socket makes Django fall back to StatReloader even
        # where pywatchman is importable.
        return ([py, "manage.py", "runserver", "127.0.0.1:%d" % port],
                {"WATCHMAN_SOCK": "/nonexistent/devwatch-bench.sock"}, None, r"StatReloader")
    if name == "django-watchman":
        return ([py, "manage.py", "runserver", "127.0.0.1:%d" % port], {}, None, r"WatchmanReloader")
    if name == "django-watchfiles":
        return ([py, "manage.py", "runserver", "127.0.0.1:%d" % port],
                {"WATCHMAN_SOCK": "/nonexistent/devwatch-bench.sock"}, None, r"WatchfilesReloader")
    if name == "nodemon":
        nodemon = cache / "npm" / "node_modules" / ".bin" / "nodemon"
        if not nodemon.exists():
            raise ToolFailed("nodemon not installed (run bench/reload/setup.sh)")
        # As its docs show it: --exec with the command line, watching .py.
        return ([str(nodemon), "-e", "py", "--exec", shlex.join(serve)], {}, None, None)
    if name == "entr":
        if not shutil.which("entr"):
            raise ToolFailed("entr not installed (apt-get install entr)")
        return (["entr", "-n", "-r"] + serve, {}, "FILES", None)
    if name == "watchexec":
        wx = cache / "cargo" / "bin" / "watchexec"
        if not wx.exists():
            wx = shutil.which("watchexec")
        if not wx:
            raise ToolFailed("watchexec not installed (bench/reload/setup.sh builds it with cargo)")
        return ([str(wx), "-r", "-e", "py", "--"] + serve, {}, None, None)
    raise ToolFailed("unknown tool")


def prepare_copy(base, name, settings_extra=""):
    dst = os.path.join(base, name)
    shutil.copytree(EXAMPLE, dst, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3*"))
    if settings_extra:
        with open(os.path.join(dst, "blogsite", "settings.py"), "a") as f:
            f.write(settings_extra)
    return dst


def set_marker(views_path, text):
    src = Path(views_path).read_text()
    new, n = MARKER_RE.subn('MARKER = "marker: %s"' % text, src)
    if n != 1:
        raise ToolFailed("MARKER line not found in %s" % views_path)
    # In place, one write, as most editors save: a rename would hide the
    # change from entr's per-file watches on some versions.
    fd = os.open(views_path, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, new.encode())
    finally:
        os.close(fd)


def wait_served(port, want, timeout, server, poll_s):
    """monotonic ms when /marker/ first served `want`, polling every poll_s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = get_marker(port)
        if body is not None and want in body:
            return benchlib.now_ms()
        if server is not None and server.proc.poll() is not None:
            server.check_alive()
        time.sleep(poll_s)
    raise ToolFailed("%r not served within %.0f s" % (want, timeout))


def measure_floor(args, base, port, env, count):
    copy = os.path.join(base, "floor")
    if not os.path.isdir(copy):
        prepare_copy(base, "floor")
    samples = []
    for i in range(count):
        if not wait_port_free(port):
            raise ToolFailed("port %d still in use before cold start %d" % (port, i))
        t0 = benchlib.now_ms()
        srv = Server([args.python, "manage.py", "runserver", "--noreload", "127.0.0.1:%d" % port],
                     copy, env)
        try:
            t1 = wait_served(port, "marker: v1", args.timeout, srv, args.poll_ms / 1000.0)
            samples.append(t1 - t0)
        finally:
            srv.stop()
    return samples, {}


def measure_tool(name, args, cache, base, port, env):
    argv, extra_env, stdin_kind, expect = tool_command(name, args, cache, port)
    settings_extra = ""
    if name == "django-watchfiles":
        settings_extra = '\nINSTALLED_APPS = INSTALLED_APPS + ["django_watchfiles"]\n'
    if name == "django-devwatch":
        settings_extra = '\nINSTALLED_APPS = INSTALLED_APPS + ["devwatch.django"]\n'
    copy = prepare_copy(base, name, settings_extra)
    views = os.path.join(copy, "blog", "views.py")
    env = dict(env, **extra_env)
    stdin_data = None
    if stdin_kind == "FILES":
        stdin_data = "".join(str(p) + "\n" for p in sorted(Path(copy).rglob("*.py")))
    if not wait_port_free(port):
        raise ToolFailed("port %d in use before start" % port)
    watchman_srv = None
    if name == "django-watchman":
        watchman_srv, sock = start_private_watchman(base)
        env["WATCHMAN_SOCK"] = sock
    srv = Server(argv, copy, env, stdin_data)
    info = {}
    samples, failures = [], []
    rng = random.Random(7)
    try:
        t0 = benchlib.now_ms()
        try:
            wait_served(port, "marker: v1", args.timeout, srv, args.poll_ms / 1000.0)
        except ToolFailed as e:
            out = [line for line in srv.output() if line.strip()]
            raise ToolFailed("%s; last output: %s" % (e, " / ".join(out[-2:]) or "(none)")) from None
        info["first_serve_ms"] = round(benchlib.now_ms() - t0, 1)
        if expect and not any(re.search(expect, line) for line in srv.output()):
            # Wrong reloader: the numbers would be someone else's.
            raise ToolFailed("expected %s in the output, got: %s"
                             % (expect, " | ".join(srv.output()[-4:])))
        time.sleep(args.settle)  # watchers finish their crawl after the first serve
        # One uncounted warm-up edit, retried: a reloader whose watcher is
        # still crawling (WatchmanReloader with a fresh watchman server
        # watches all of sys.path) drops the first edit. How long it took is
        # reported, not hidden.
        for attempt in range(3):
            want = "warmup-%d" % attempt
            t0 = benchlib.now_ms()
            set_marker(views, want)
            try:
                wait_served(port, "marker: " + want, 15.0, srv, args.poll_ms / 1000.0)
                info["warmup"] = {"tries": attempt + 1, "ms": round(benchlib.now_ms() - t0, 1)}
                break
            except ToolFailed:
                srv.check_alive()
        else:
            raise ToolFailed("3 warm-up edits were never served")
        time.sleep(args.gap)
        for i in range(args.reps):
            want = "r%02d-%d" % (i, rng.randrange(1000, 9999))
            t0 = benchlib.now_ms()
            set_marker(views, want)
            try:
                t1 = wait_served(port, "marker: " + want, args.timeout, srv, args.poll_ms / 1000.0)
                samples.append(t1 - t0)
            except ToolFailed as e:
                failures.append(str(e))
                srv.check_alive()
                if len(failures) >= 3:
                    raise ToolFailed("3 edits never served; last: %s" % e)
            # Let the new server settle, at a varying phase against pollers.
            time.sleep(args.gap + rng.random() * args.gap)
    finally:
        srv.stop()
        if watchman_srv is not None:
            watchman_srv.stop()
        if not wait_port_free(port, 5.0):
            info["orphan"] = "port %d still held after the tool's process group was killed" % port
    if failures:
        info["failures"] = failures
    if srv.timings:
        # devwatch's own overhead per restart (the first line is the cold start).
        spans = {}
        for row in srv.timings[1:]:
            for key, value in row.items():
                if float(value) >= 0:
                    spans.setdefault(key, []).append(float(value))
        info["overhead_p50_ms"] = {k: round(statistics.median(v), 2) for k, v in spans.items()}
    return samples, info


def start_private_watchman(base):
    """A watchman server with its own socket and state, so the user's daemon
    (if any) is neither used nor disturbed. pywatchman finds it through
    WATCHMAN_SOCK."""
    wm = shutil.which("watchman")
    if not wm:
        raise ToolFailed("watchman not installed (apt-get install watchman)")
    state = tempfile.mkdtemp(prefix="wm-", dir=base)
    sock = os.path.join(state, "sock")
    srv = Server([wm, "--foreground", "--sockname=" + sock, "--statefile=" + os.path.join(state, "state"),
                  "--logfile=" + os.path.join(state, "log"), "--pidfile=" + os.path.join(state, "pid"),
                  "--no-save-state"], base, dict(os.environ))
    deadline = time.monotonic() + 15
    while not os.path.exists(sock):
        srv.check_alive()
        if time.monotonic() > deadline:
            srv.stop()
            raise ToolFailed("private watchman server did not start")
        time.sleep(0.02)
    return srv, sock


# ---------------------------------------------------------------- report

def render(results, args, command, meta):
    floor = results.get("floor", {}).get("p50")
    lines = ["| tool | p50 | p90 | min | max | n | p50 − adjacent floor | p50 ÷ devwatch | status |",
             "|---|---|---|---|---|---|---|---|---|"]
    dw = results.get("devwatch", {}).get("p50")
    for name in args.tools:
        r = results.get(name, {})
        p50, p90 = r.get("p50"), r.get("p90")
        near = r.get("floor_before_p50", floor)
        over = (p50 - near) if (p50 is not None and near is not None and name != "floor") else None
        rat = ("%.2f×" % (p50 / dw)) if (p50 is not None and dw) else "—"
        status = r.get("status", "—")
        if r.get("failures"):
            status += " (%d edits not served)" % len(r["failures"])
        if r.get("warmup", {}).get("tries", 1) > 1:
            status += " (warm-up edit served only on try %d)" % r["warmup"]["tries"]
        if r.get("orphan"):
            status += "; " + r["orphan"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            LABELS[name], benchlib.fmt(p50, " ms", 0), benchlib.fmt(p90, " ms", 0),
            benchlib.fmt(r.get("min"), " ms", 0), benchlib.fmt(r.get("max"), " ms", 0),
            r.get("n", 0), benchlib.fmt(over, " ms", 0), rat, status.replace("|", "/")))
    lines.append("")
    lines.append("Django %s on Python %s; %d edits per tool, /marker/ polled every %.0f ms. "
                 "The floor row pools %d cold starts made right before each tool and after the "
                 "last; \"adjacent floor\" is the median of the %d made right before that tool."
                 % (meta["django"], meta["python_version"], args.reps, args.poll_ms,
                    args.floor_reps, args.floor_reps))
    overhead = results.get("devwatch", {}).get("overhead_p50_ms")
    if overhead:
        lines.append("")
        lines.append("devwatch's own part of a restart (medians from `devwatch run --timings`): "
                     "first change event → new command spawned %s ms (includes the 50 ms burst settle "
                     "and stopping the old server), old group gone → spawn %s ms, most the ready probe "
                     "could add %s ms. The rest is Django starting."
                     % (overhead.get("event_to_spawn_ms", "—"), overhead.get("gone_to_spawn_ms", "—"),
                        overhead.get("probe_slack_ms", "—")))
    for name in ("devwatch-default", "devwatch-sigint", "devwatch-baseline", "devwatch-baseline-sigint"):
        spans = results.get(name, {}).get("overhead_p50_ms")
        if spans:
            lines.append("")
            lines.append("%s, medians: first change event → spawn %s ms, old group gone → spawn %s ms."
                         % (LABELS[name], spans.get("event_to_spawn_ms", "—"), spans.get("gone_to_spawn_ms", "—")))
    lines.append("")
    lines.append("Command: `%s`" % command)
    return "\n".join(lines)


def main():
    cache = benchlib.cache_dir()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated subset of: " + ",".join(ALL_TOOLS))
    ap.add_argument("--python", default=str(cache / "reload-venv" / "bin" / "python"),
                    help="interpreter with Django (default: the setup.sh venv; /usr/bin/python3 for Debian's 3.2)")
    ap.add_argument("--devwatch", help="devwatch binary (default: $DEVWATCH or build/server/devwatch)")
    ap.add_argument("--baseline", help="another devwatch binary for the devwatch-baseline rows (before/after)")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--floor-reps", type=int, default=5, help="cold starts before each tool and after the last")
    ap.add_argument("--poll-ms", type=float, default=2.0)
    ap.add_argument("--gap", type=float, default=1.0, help="pause after each served edit (s; plus up to as much again)")
    ap.add_argument("--settle", type=float, default=1.0, help="pause after the first serve (s)")
    ap.add_argument("--timeout", type=float, default=20.0, help="per-edit and per-start limit (s)")
    ap.add_argument("--port", type=int, default=18300, help="first port; each tool gets its own")
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "devwatch-bench-reload.json"))
    ap.add_argument("--update-doc", action="store_true", help="rewrite the reload section of docs/benchmarks.md")
    args = ap.parse_args()
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in args.tools:
        if t not in ALL_TOOLS:
            ap.error("unknown tool %r" % t)
    if not os.path.exists(args.python):
        ap.error("no interpreter at %s (run bench/reload/setup.sh or pass --python)" % args.python)
    probe = subprocess.run([args.python, "-c", "import django, sys; print(django.get_version()); "
                            "print(sys.version.split()[0])"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        ap.error("%s cannot import django: %s" % (args.python, probe.stderr.strip()))
    dj_version, py_version = probe.stdout.split()
    meta = {"django": dj_version, "python_version": py_version, "python": args.python,
            "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "loadavg_start": os.getloadavg()}
    command = "python3 bench/reload/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = dict(os.environ)
    # No .pyc: two edits in the same second with the same size would
    # otherwise be served from stale bytecode by every tool alike.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base = os.path.realpath(tempfile.mkdtemp(prefix="devwatch-bench-reload-"))
    results = {}
    # The floor is measured in slots between the tools (and after the last),
    # so that each tool is compared with cold starts made under the same
    # machine load: on a shared machine the load drifts within one run.
    floor_port = args.port
    floor_samples, floor_errors = [], []

    def floor_slot():
        if "floor" not in args.tools:
            return []
        try:
            got, _ = measure_floor(args, base, floor_port, env, args.floor_reps)
        except (ToolFailed, OSError, subprocess.SubprocessError) as e:
            floor_errors.append(str(e))
            return []
        floor_samples.extend(got)
        return got

    try:
        for idx, name in enumerate(ALL_TOOLS):
            if name not in args.tools or name == "floor":
                continue
            port = args.port + idx
            r = {"tool": name, "port": port}
            before = floor_slot()
            try:
                samples, info = measure_tool(name, args, cache, base, port, env)
                r.update(info)
                r["status"] = "ok"
            except (ToolFailed, OSError, subprocess.SubprocessError) as e:
                samples = []
                r["status"] = "failed: %s" % e
            if samples and before:
                r["floor_before_p50"] = benchlib.median(before)
            if samples:
                r.update(p50=benchlib.median(samples), p90=benchlib.percentile(samples, 90),
                         min=min(samples), max=max(samples), n=len(samples),
                         samples=[round(s, 1) for s in samples])
            results[name] = r
            print("%-18s %s" % (name, json.dumps({k: v for k, v in r.items() if k != "samples"})),
                  file=sys.stderr)
        floor_slot()
        if "floor" in args.tools:
            r = {"tool": "floor", "port": floor_port,
                 "status": "ok" if not floor_errors else "failed: " + "; ".join(floor_errors[:2])}
            if floor_samples:
                r.update(p50=benchlib.median(floor_samples), p90=benchlib.percentile(floor_samples, 90),
                         min=min(floor_samples), max=max(floor_samples), n=len(floor_samples),
                         samples=[round(x, 1) for x in floor_samples])
            results["floor"] = r
            print("%-18s %s" % ("floor", json.dumps({k: v for k, v in r.items() if k != "samples"})),
                  file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    meta["loadavg_end"] = os.getloadavg()
    table = render(results, args, command, meta)
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    print(table)
    print("\nJSON: %s" % args.json, file=sys.stderr)
    if args.update_doc:
        intro = ("Measured %s on %s CPUs (load average %.1f at the start, %.1f at the end).\n\n"
                 % (meta["started"], meta["cpus"], meta["loadavg_start"][0], meta["loadavg_end"][0]))
        benchlib.update_doc_section(benchlib.REPO / "docs" / "benchmarks.md", "reload", intro + table)


if __name__ == "__main__":
    main()
