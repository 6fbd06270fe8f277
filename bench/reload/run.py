#!/usr/bin/env python3
"""Reload benchmark: save-to-served latency on examples/django-blog.

Every tool runs at once, each on its own copy of the example and its own
port. Then, in each round, each tool's copy gets one edit (`blog/views.py`'s
MARKER line rewritten in place) in a shuffled order, and one cold start of
`runserver --noreload` (the floor: exec to first HTTP 200) is made at a
shuffled place among them; /marker/ is polled every ~2 ms until the new
marker is served, and the time from the write to that first response is the
sample. One measurement is in flight at a time. Each sample is compared with
the floor of its own round, so rows share the load of the same few seconds
on a machine whose load drifts.

Tools: devwatch (`devwatch run -- python manage.py runserver --noreload`),
Django's autoreloader with DevwatchReloader (devwatch.django, from
python/src), with StatReloader and with WatchmanReloader,
django-watchfiles, nodemon, entr and `watchexec -r` restarting
`runserver --noreload`. Peers are installed by setup.sh into
${DEVWATCH_CACHE:-~/.cache/devwatch-dev}/bench. Every wait is bounded; a tool
that is missing, crashes or stops serving is reported and the run goes on.

    bench/reload/setup.sh
    python3 bench/reload/run.py                  # all tools, 20 rounds
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
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib  # noqa: E402
import run_report  # noqa: E402

EXAMPLE = benchlib.REPO / "examples" / "django-blog"
ALL_TOOLS = ["floor", "devwatch", "devwatch-default", "devwatch-sigint", "devwatch-baseline",
             "devwatch-baseline-sigint", "django-devwatch", "django-stat", "django-watchman", "django-watchfiles",
             "nodemon", "entr", "watchexec"]
# The devwatch rows that take their binary from --baseline (another build,
# e.g. the commit before a change), for a before/after in the same run.
BASELINE_ROWS = {"devwatch-baseline": "devwatch", "devwatch-baseline-sigint": "devwatch-sigint"}
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

    def timings_count(self):
        with self.lock:
            return len(self.timings)

    def timings_after(self, count, timeout):
        """The first --timings line after the first `count`, or None. devwatch
        prints it when its ready probe fires, which can come a little after
        the first response this script sees, hence the bounded wait."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.timings) > count:
                    return dict(self.timings[count])
            time.sleep(0.01)
        return None

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


def server_sched(root_pid):
    """(CPU ms, run-queue wait ms) of the newest `python manage.py runserver`
    under root_pid, from /proc/PID/schedstat (since that process started),
    or None. On an oversubscribed machine most of a start is spent waiting
    for a CPU, and how long depends on the scheduler's grouping of the
    process (autogroups by session), not on the restarter: this separates
    that wait from the work."""
    best = None
    for pid in benchlib.proc_tree(root_pid):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().decode("utf-8", "replace").split("\0")
            with open("/proc/%d/stat" % pid) as f:
                started = int(f.read().rsplit(")", 1)[1].split()[19])
        except (OSError, IndexError, ValueError):
            continue
        if os.path.basename(argv[0]).startswith("python") and "manage.py" in argv and "runserver" in argv:
            if best is None or started > best[0]:
                best = (started, pid)
    if best is None:
        return None
    try:
        with open("/proc/%d/schedstat" % best[1]) as f:
            on_cpu, waited, _ = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    return on_cpu / 1e6, waited / 1e6


def cold_start(args, copy, port, env):
    """One floor sample: `runserver --noreload` from exec to its first 200."""
    if not wait_port_free(port):
        raise ToolFailed("port %d still in use before a cold start" % port)
    t0 = benchlib.now_ms()
    srv = Server([args.python, "manage.py", "runserver", "--noreload", "127.0.0.1:%d" % port], copy, env)
    try:
        served = wait_served(port, "marker: v1", args.timeout, srv, args.poll_ms / 1000.0) - t0
        return served, server_sched(srv.proc.pid)
    finally:
        srv.stop()


class Running:
    """One tool, started on its own copy and port, kept running for every
    round; samples[i] is round i's save-to-served (None: not served)."""

    def __init__(self, name, port):
        self.name, self.port = name, port
        self.srv = self.watchman = self.views = None
        self.info, self.failures = {}, []
        self.samples, self.timings, self.sched = [], [], []
        self.status = "ok"

    def stop(self):
        if self.srv is not None:
            self.srv.stop()
        if self.watchman is not None:
            self.watchman.stop()
        if self.srv is not None and not wait_port_free(self.port, 5.0):
            self.info["orphan"] = "port %d still held after the tool's process group was killed" % self.port
        self.srv = self.watchman = None


def start_tool(run, args, cache, base, env):
    """Starts the tool and waits for its first serve (no edit yet)."""
    name, port = run.name, run.port
    argv, extra_env, stdin_kind, expect = tool_command(name, args, cache, port)
    settings_extra = {"django-watchfiles": '\nINSTALLED_APPS = INSTALLED_APPS + ["django_watchfiles"]\n',
                      "django-devwatch": '\nINSTALLED_APPS = INSTALLED_APPS + ["devwatch.django"]\n'}.get(name, "")
    copy = prepare_copy(base, name, settings_extra)
    run.views = os.path.join(copy, "blog", "views.py")
    env = dict(env, **extra_env)
    stdin_data = None
    if stdin_kind == "FILES":
        stdin_data = "".join(str(p) + "\n" for p in sorted(Path(copy).rglob("*.py")))
    if not wait_port_free(port):
        raise ToolFailed("port %d in use before start" % port)
    if name == "django-watchman":
        run.watchman, sock = start_private_watchman(base)
        env["WATCHMAN_SOCK"] = sock
    run.srv = Server(argv, copy, env, stdin_data)
    t0 = benchlib.now_ms()
    try:
        wait_served(port, "marker: v1", args.timeout, run.srv, args.poll_ms / 1000.0)
    except ToolFailed as e:
        out = [line for line in run.srv.output() if line.strip()]
        raise ToolFailed("%s; last output: %s" % (e, " / ".join(out[-2:]) or "(none)")) from None
    run.info["first_serve_ms"] = round(benchlib.now_ms() - t0, 1)
    if expect and not any(re.search(expect, line) for line in run.srv.output()):
        # Wrong reloader: the numbers would be someone else's.
        raise ToolFailed("expected %s in the output, got: %s" % (expect, " | ".join(run.srv.output()[-4:])))


def warm_up(run, args):
    """One uncounted edit, retried: a reloader whose watcher is still
    crawling (WatchmanReloader with a fresh watchman server watches all of
    sys.path) drops the first edit. How long it took is reported, not hidden."""
    for attempt in range(3):
        want = "warmup-%d" % attempt
        t0 = benchlib.now_ms()
        set_marker(run.views, want)
        try:
            wait_served(run.port, "marker: " + want, 15.0, run.srv, args.poll_ms / 1000.0)
            run.info["warmup"] = {"tries": attempt + 1, "ms": round(benchlib.now_ms() - t0, 1)}
            return
        except ToolFailed:
            run.srv.check_alive()
    raise ToolFailed("3 warm-up edits were never served")


def edit_once(run, args, want):
    """Save-to-served of one edit; devwatch's own timings of that restart are
    kept beside it (None for the other tools)."""
    before = run.srv.timings_count()
    t0 = benchlib.now_ms()
    set_marker(run.views, want)
    served = wait_served(run.port, "marker: " + want, args.timeout, run.srv, args.poll_ms / 1000.0) - t0
    sched = server_sched(run.srv.proc.pid)
    timing = run.srv.timings_after(before, 3.0) if before else None
    return served, timing, sched


def idle_cpu(runs, seconds):
    """CPU % of one core that each running tool's process tree used while
    nothing changed: what it costs the others to keep it running."""
    pids = {r.name: benchlib.proc_tree(r.srv.proc.pid) for r in runs}
    start = {n: benchlib.cpu_seconds(p) for n, p in pids.items()}
    time.sleep(seconds)
    return {n: round(100.0 * (benchlib.cpu_seconds(benchlib.proc_tree(pids[n][0])) - start[n]) / seconds, 2)
            for n in pids}


def run_rounds(args, cache, base, env, log):
    """Every tool runs at once; each round edits each tool's copy once, in a
    shuffled order, with one cold start (the floor) at a shuffled place among
    them. Only one edit is in flight at a time, so a restart competes with
    the other tools' idle watchers, not with their restarts; and every row of
    a round sees the same machine load, which drifts between rounds."""
    tools = [t for t in ALL_TOOLS if t in args.tools and t != "floor"]
    runs = {name: Running(name, args.port + ALL_TOOLS.index(name)) for name in tools}
    live = []
    for run in runs.values():
        try:
            start_tool(run, args, cache, base, env)
            live.append(run)
        except (ToolFailed, OSError, subprocess.SubprocessError) as e:
            run.status = "failed: %s" % e
            run.stop()
    time.sleep(args.settle)  # watchers finish their crawl after the first serve
    for run in list(live):
        try:
            warm_up(run, args)
        except (ToolFailed, OSError) as e:
            run.status = "failed: %s" % e
            run.stop()
            live.remove(run)
    idle = idle_cpu(live, args.idle) if live and args.idle > 0 else {}
    for name, pct in idle.items():
        runs[name].info["idle_cpu_percent"] = pct
    floor_copy = prepare_copy(base, "floor") if "floor" in args.tools else None
    floor, floor_sched, floor_errors, loads = [], [], [], []
    rng = random.Random(args.seed)
    for i in range(args.reps):
        loads.append(os.getloadavg()[0])
        order = [r.name for r in live] + ["floor"] * (args.floor_reps if floor_copy else 0)
        rng.shuffle(order)
        cold = []
        served = {}
        for name in order:
            time.sleep(args.gap + rng.random() * args.gap)  # a varying phase against pollers
            if name == "floor":
                try:
                    cold.append(cold_start(args, floor_copy, args.port, env))
                except (ToolFailed, OSError, subprocess.SubprocessError) as e:
                    floor_errors.append(str(e))
                continue
            run = runs[name]
            if run not in live:
                continue
            try:
                served[name] = edit_once(run, args, "r%02d-%d" % (i, rng.randrange(1000, 9999)))
            except (ToolFailed, OSError) as e:
                run.failures.append(str(e))
                try:
                    run.srv.check_alive()
                    if len(run.failures) >= 3:
                        raise ToolFailed("3 edits never served; last: %s" % e)
                except ToolFailed as gone:
                    run.status = "failed in round %d: %s" % (i, gone)
                    run.stop()
                    live.remove(run)
        floor.append(benchlib.median([c[0] for c in cold]))
        waits = [c for c in cold if c[1]]
        # The round's floor with its run-queue wait taken out, and its CPU.
        floor_sched.append((benchlib.median([c[0] - c[1][1] for c in waits]),
                            benchlib.median([c[1][0] for c in waits]), benchlib.median([c[1][1] for c in waits]))
                           if waits else None)
        for name, run in runs.items():
            sample, timing, sched = served.get(name, (None, None, None))
            run.samples.append(sample)
            run.timings.append(timing)
            run.sched.append(sched)
        log("round %2d load %.1f floor %s  %s" % (
            i, loads[-1], benchlib.fmt(floor[-1], "", 0),
            "  ".join("%s %s" % (n, benchlib.fmt(v[0], "", 0)) for n, v in sorted(served.items()))))
    for run in runs.values():
        run.stop()
    return runs, floor, floor_sched, floor_errors, loads


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


# ---------------------------------------------------------------- results

def _spread(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return {}
    return {"p50": benchlib.median(vals), "p90": benchlib.percentile(vals, 90),
            "min": min(vals), "max": max(vals), "n": len(vals)}


def summarise(runs, floor, floor_sched, floor_errors, args):
    """Per tool: its samples, and per round its delta over that round's floor
    and its difference from the reference row of the same round."""
    results = {"floor": dict(_spread(floor), tool="floor", port=args.port,
                             samples=[None if f is None else round(f, 1) for f in floor],
                             status="ok" if not floor_errors else "failed: " + "; ".join(floor_errors[:2]))}
    if any(floor_sched):
        results["floor"]["server_cpu"] = _spread([f[1] for f in floor_sched if f])
        results["floor"]["server_wait"] = _spread([f[2] for f in floor_sched if f])
    for name, run in runs.items():
        r = dict(_spread(run.samples), tool=name, port=run.port, status=run.status, **run.info)
        r["samples"] = [None if s is None else round(s, 1) for s in run.samples]
        deltas = [s - f for s, f in zip(run.samples, floor) if s is not None and f is not None]
        if deltas:
            r["delta"] = _spread(deltas)
            r["deltas"] = [round(d, 1) for d in deltas]
        if run.failures:
            r["failures"] = run.failures
        if any(run.sched):
            # The new server's CPU and run-queue wait; and the delta with both
            # sides' waits taken out: (sample − wait) − (floor − its wait).
            r["server_cpu"] = _spread([x[0] for x in run.sched if x])
            r["server_wait"] = _spread([x[1] for x in run.sched if x])
            unwaited = [s - x[1] - f[0] for s, x, f in zip(run.samples, run.sched, floor_sched)
                        if s is not None and x and f]
            if unwaited:
                r["delta_unwaited"] = _spread(unwaited)
        if any(run.timings):
            # devwatch's own spans per restart, and what is left of the delta
            # once its first change → spawn is taken out (the write → inotify
            # event, and its spawn → served against the floor's).
            spans = {}
            for t in run.timings:
                for key, value in (t or {}).items():
                    try:
                        if float(value) >= 0:
                            spans.setdefault(key, []).append(float(value))
                    except ValueError:
                        pass
            r["overhead_p50_ms"] = {k: round(benchlib.median(v), 2) for k, v in spans.items()}
            r["overhead_p90_ms"] = {k: round(benchlib.percentile(v, 90), 2) for k, v in spans.items()}
            rest = [s - f - float(t["event_to_spawn_ms"])
                    for s, f, t in zip(run.samples, floor, run.timings)
                    if s is not None and f is not None and t and float(t.get("event_to_spawn_ms", -1)) >= 0]
            if rest:
                r["rest_over_floor"] = _spread(rest)
            r["timings"] = run.timings
        results[name] = r
    ref = reference(args, results)
    if ref:
        for name, run in runs.items():
            if name == ref:
                continue
            pairs = [(s, o) for s, o in zip(run.samples, runs[ref].samples) if s is not None and o is not None]
            if pairs:
                results[name]["vs_ref"] = {"ref": ref, "diff": _spread([s - o for s, o in pairs]),
                                           "ref_faster": sum(1 for s, o in pairs if o < s), "rounds": len(pairs)}
    return results, ref


def reference(args, results):
    """The devwatch row the ratios are taken against."""
    if args.ref != "auto":
        return args.ref if results.get(args.ref, {}).get("p50") is not None else None
    for name in ("devwatch-default", "devwatch", "devwatch-sigint", "django-devwatch"):
        if name in args.tools and results.get(name, {}).get("p50") is not None:
            return name
    return None


def main():
    cache = benchlib.cache_dir()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated subset of: " + ",".join(ALL_TOOLS))
    ap.add_argument("--python", default=str(cache / "reload-venv" / "bin" / "python"),
                    help="interpreter with Django (default: the setup.sh venv; /usr/bin/python3 for Debian's 3.2)")
    ap.add_argument("--devwatch", help="devwatch binary (default: $DEVWATCH or build/server/devwatch)")
    ap.add_argument("--baseline", help="another devwatch binary for the devwatch-baseline rows (before/after)")
    ap.add_argument("--reps", type=int, default=20, help="rounds: one edit per tool and the floor's cold starts each")
    ap.add_argument("--floor-reps", type=int, default=1, help="cold starts per round (their median is the round's floor)")
    ap.add_argument("--poll-ms", type=float, default=2.0)
    ap.add_argument("--gap", type=float, default=1.0, help="pause before each measurement (s; plus up to as much again)")
    ap.add_argument("--settle", type=float, default=1.0, help="pause after every tool's first serve (s)")
    ap.add_argument("--idle", type=float, default=5.0, help="window for the tools' idle CPU, before round 1 (s; 0: skip)")
    ap.add_argument("--timeout", type=float, default=20.0, help="per-edit and per-start limit (s)")
    ap.add_argument("--port", type=int, default=18300, help="first port; each tool gets its own")
    ap.add_argument("--seed", type=int, default=7, help="seed of the per-round order and the gaps")
    ap.add_argument("--ref", default="auto", help="row the ratios are against (default: devwatch-default, else devwatch)")
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "devwatch-bench-reload.json"))
    ap.add_argument("--update-doc", action="store_true", help="rewrite the reload section of docs/benchmarks.md")
    args = ap.parse_args()
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in args.tools + ([] if args.ref == "auto" else [args.ref]):
        if t not in ALL_TOOLS:
            ap.error("unknown tool %r" % t)
    if not os.path.exists(args.python):
        ap.error("no interpreter at %s (run bench/reload/setup.sh or pass --python)" % args.python)
    probe = subprocess.run([args.python, "-c", "import django, sys; print(django.get_version()); "
                            "print(sys.version.split()[0])"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        ap.error("%s cannot import django: %s" % (args.python, probe.stderr.strip()))
    dj_version, py_version = probe.stdout.split()
    uptime = lambda: subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: E731
    meta = {"django": dj_version, "python_version": py_version, "python": args.python,
            "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "loadavg_start": os.getloadavg(), "uptime_start": uptime()}
    command = "python3 bench/reload/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    env = dict(os.environ)
    # No .pyc: two edits in the same second with the same size would
    # otherwise be served from stale bytecode by every tool alike.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base = os.path.realpath(tempfile.mkdtemp(prefix="devwatch-bench-reload-"))
    try:
        runs, floor, floor_sched, floor_errors, loads = run_rounds(args, cache, base, env,
                                                      lambda text: print(text, file=sys.stderr, flush=True))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    meta.update(finished=time.strftime("%Y-%m-%d %H:%M:%S"), loadavg_end=os.getloadavg(),
                uptime_end=uptime(), round_loads=loads)
    results, ref = summarise(runs, floor, floor_sched, floor_errors, args)
    table = run_report.render(results, args, ref, command, meta)
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    print(table)
    print("\nJSON: %s" % args.json, file=sys.stderr)
    if args.update_doc:
        benchlib.update_doc_section(benchlib.REPO / "docs" / "benchmarks.md", "reload", table)


if __name__ == "__main__":
    main()
