#!/usr/bin/env python3
"""Django's reloaders against devwatch, every row of issue 10 in one run.

Rows: DevwatchReloader (devwatch.django from python/src), StatReloader,
WatchmanReloader (Debian's watchman, a private server per row, with
pywatchman from PyPI), django-watchfiles, and `devwatch run` restarting
`runserver --noreload`, on examples/django-blog and on a generated project
whose N modules (default 3,000) are all imported at start-up; then
DevwatchReloader and StatReloader again on Debian's Django 3.2
(/usr/bin/python3). A project's rows are measured side by side, phase by
phase, so the load of any one minute falls on all of them alike:

- floor: --floor-reps cold starts of `runserver --noreload` on each row's
  copy (the least any restart can cost), taken in turns across the rows;
  rows are compared with the median of all of a project's floor samples;
- then every row's reloader starts and stays up until the project is done;
- idle CPU: utime+stime of each row's process tree (runserver's parent and
  child, devwatch, the watchman server) over one shared --idle window
  without a change, as % of one core, after --settle seconds for crawls;
- peak RSS: the sum of VmHWM over that tree at the end of the idle window,
  and, by process, with the tree's PSS (memory_table; with every row alive,
  PSS splits the interpreter's shared pages among all of them);
- then --reps rounds of edits, the rows in a new random order each round
  (one in-place write of the module the page shows, one edit at a time,
  1-2 s apart, after one uncounted warm-up edit per row): detection is the
  write to the tool saying so ("<file> changed, reloading." for Django's
  reloaders, "restarting ... (<file> changed)" for devwatch run), before any
  restart; save-to-served is the write to the first response showing the new
  value (polled every 2 ms).

    bench/reload/setup.sh
    python3 bench/reload/reloaders.py --update-doc          # everything: ~30 min on 2 cores
    python3 bench/reload/reloaders.py --reps 3 --idle 5 --modules 300 --rows example   # a quick look
"""
import argparse
import http.client
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import benchlib  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402

EXAMPLE = benchlib.REPO / "examples" / "django-blog"
TOOLS = ["django-devwatch", "django-stat", "django-watchman", "django-watchfiles", "devwatch"]
DEBIAN_TOOLS = ["django-devwatch", "django-stat"]
EXPECT = {"django-devwatch": "DevwatchReloader (devwatch", "django-stat": "StatReloader",
          "django-watchman": "WatchmanReloader", "django-watchfiles": "WatchfilesReloader", "devwatch": None}
APPS = {"django-devwatch": "devwatch.django", "django-watchfiles": "django_watchfiles"}
MARKER_RE = re.compile(r'^MARKER = "marker: [^"]*"$', re.M)
NO_WATCHMAN = "/nonexistent/devwatch-bench.sock"  # Django then never picks WatchmanReloader


class Failed(Exception):
    pass


class Project:
    """A fresh copy per row: the file an edit rewrites and the page that shows it."""

    def __init__(self, kind, base, tool, modules):
        self.kind = kind
        self.dir = Path(tempfile.mkdtemp(prefix=f"{kind}-{tool}-", dir=base))
        app = APPS.get(tool, "")
        if kind == "example":
            shutil.rmtree(self.dir)
            shutil.copytree(EXAMPLE, self.dir, ignore=shutil.ignore_patterns("__pycache__", "db.sqlite3*"))
            if app:
                with open(self.dir / "blogsite" / "settings.py", "a") as f:
                    f.write(f"\nINSTALLED_APPS = INSTALLED_APPS + [{app!r}]\n")
            self.edited, self.path = self.dir / "blog" / "views.py", "/marker/"
        else:
            procs.generate(self.dir, modules, app)
            self.edited, self.path = self.dir / "gen" / "p000" / "m0000.py", "/"
        self.value = 1 if kind == "example" else 0  # what the fresh copy serves

    def expected(self, value):
        return f"marker: v{value}\n" if self.kind == "example" else f"value: {value}\n"

    def edit(self, value):
        if self.kind == "example":
            text = MARKER_RE.sub(f'MARKER = "marker: v{value}"', self.edited.read_text())
        else:
            text = procs.module_text(value)
        procs.write_in_place(self.edited, text)
        self.value = value

    def served(self, port, value):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2.0)
        try:
            conn.request("GET", self.path)
            resp = conn.getresponse()
            body = resp.read().decode("utf-8", "replace")
            return resp.status == 200 and self.expected(value) in body
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def wait_served(self, port, value, timeout, proc=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.served(port, value):
                return time.monotonic()
            if proc is not None and proc.p.poll() is not None:
                raise Failed(f"exited with {proc.p.returncode}: {proc.tail()}")
            time.sleep(0.002)
        raise Failed(f"{self.expected(value)!r} not served within {timeout:g} s"
                     + (f"; last output: {proc.tail()}" if proc else ""))


def command(tool, python, port, args):
    """(argv, extra env)."""
    serve = [python, "manage.py", "runserver", f"127.0.0.1:{port}"]
    if tool == "devwatch":
        return ([args.devwatch, "run", "--timings", "--restart-on", "**/*.py", "--stop-signal", "SIGTERM",
                 "--port", str(port), "--", python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                {})
    if tool == "django-devwatch":
        pythonpath = os.pathsep.join(filter(None, [args.package_src, os.environ.get("PYTHONPATH")]))
        return serve, {"DEVWATCH_BIN": args.devwatch, "DEVWATCH_FALLBACK": "strict", "PYTHONPATH": pythonpath,
                       "WATCHMAN_SOCK": NO_WATCHMAN}
    if tool == "django-watchman":
        return serve, {}  # WATCHMAN_SOCK: the private server's
    return serve, {"WATCHMAN_SOCK": NO_WATCHMAN}


def compiled_package(src, base, pythons):
    """A copy of devwatch's Python package with its bytecode compiled, as
    pip leaves an installed package (django-watchfiles and Django come from
    pip too). The rows run with PYTHONDONTWRITEBYTECODE, so a source tree
    imported as it is would be compiled again in every runserver process:
    about 0.9 MiB more peak RSS in the child than an installed package."""
    dest = Path(base) / "package"
    shutil.copytree(Path(src) / "devwatch", dest / "devwatch", ignore=shutil.ignore_patterns("__pycache__"))
    for python in sorted(pythons):
        subprocess.run([python, "-m", "compileall", "-q", str(dest)], check=True)
    return str(dest)


def private_watchman(base):
    state = Path(tempfile.mkdtemp(prefix="wm-", dir=base))
    sock = state / "sock"
    proc = procs.Proc(["watchman", "--foreground", f"--sockname={sock}", f"--statefile={state / 'state'}",
                       f"--logfile={state / 'log'}", f"--pidfile={state / 'pid'}", "--no-save-state"],
                      str(state), dict(os.environ))
    deadline = time.monotonic() + 15
    while not sock.exists():
        if proc.p.poll() is not None or time.monotonic() > deadline:
            proc.stop()
            raise Failed(f"the private watchman server did not start: {proc.tail()}")
        time.sleep(0.02)
    return proc, str(sock)


def floor(project, python, port, env, count, timeout):
    samples = []
    for _ in range(count):
        t0 = time.monotonic()
        proc = procs.Proc([python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], str(project.dir), env)
        try:
            samples.append((project.wait_served(port, project.value, timeout, proc) - t0) * 1000.0)
        finally:
            proc.stop()
    return samples


class Live:
    """One row's reloader, running for the whole of its project's group."""

    def __init__(self, row, args, base, env):
        self.row, self.args = row, args
        self.project = Project(row["project"], base, row["tool"], args.modules)
        self.port = args.port + row["index"]
        self.argv, extra = command(row["tool"], row["python"], self.port, args)
        self.env = dict(env, **extra)
        self.proc = self.watchman = None
        self.rng = random.Random(row["index"])
        row.update(floor_ms=[], served_ms=[], detect_ms=[], missed=[])

    @property
    def ok(self):
        return "status" not in self.row

    def fail(self, exc):
        self.row["status"] = f"failed: {exc}"
        self.stop()

    def floor_sample(self):
        args = self.args
        self.row["floor_ms"] += floor(self.project, self.row["python"], self.port, self.env, 1, args.timeout * 3)

    def start(self):
        tool, args = self.row["tool"], self.args
        if tool == "django-watchman":
            self.watchman, self.env["WATCHMAN_SOCK"] = private_watchman(self.project.dir.parent)
        self.proc = procs.Proc(self.argv, str(self.project.dir), self.env)
        self.project.wait_served(self.port, self.project.value, args.timeout * 3, self.proc)
        if EXPECT[tool]:  # the reloader meant, or the numbers are another's
            self.proc.wait_line(EXPECT[tool], timeout=args.timeout)

    def pids(self):
        return procs.tree_pids(self.proc.p.pid) + ([self.watchman.p.pid] if self.watchman else [])

    def warm_up(self):
        for attempt in range(3):  # one uncounted edit, retried
            try:
                self.project.edit(100 + attempt)
                self.project.wait_served(self.port, self.project.value, 15.0, self.proc)
                self.row["warmup_tries"] = attempt + 1
                return
            except Failed:
                if self.proc.p.poll() is not None:
                    raise
        raise Failed("3 warm-up edits were never served")

    def edit(self, i):
        row, project, proc = self.row, self.project, self.proc
        detect_text = (f"{project.edited.name} changed)" if row["tool"] == "devwatch"
                       else f"{project.edited.name} changed, reloading.")
        time.sleep(self.args.gap + self.rng.random() * self.args.gap)
        start = time.monotonic()
        project.edit(1000 + i)
        try:
            done = project.wait_served(self.port, project.value, self.args.timeout, proc)
        except Failed as exc:
            row["missed"].append(str(exc))
            if proc.p.poll() is not None or len(row["missed"]) >= 3:
                raise
            return
        row["served_ms"].append(round((done - start) * 1000.0, 1))
        seen = proc.find_line(detect_text, after=start)
        if seen is not None:
            row["detect_ms"].append(round((seen - start) * 1000.0, 1))

    def stop(self):
        if self.proc:
            if self.row["tool"] == "devwatch":
                self.row["timings"] = [line for _, line in self.proc.lines if "timings:" in line][1:]
            self.proc.stop()
        if self.watchman:
            self.watchman.stop()
        self.proc = self.watchman = None


def each(lives, step, order=None):
    """step(live) for every live row still measuring; a failure ends that row only."""
    for live in order or lives:
        if live.ok:
            try:
                step(live)
            except (Failed, RuntimeError, OSError, subprocess.SubprocessError) as exc:
                live.fail(exc)


def measure_group(group, args, base, env):
    """A project's rows measured side by side: every phase runs for all of
    them before the next, and edits go round the rows in a new order each
    round, so a minute of load lands on every row alike instead of on
    whichever row it was measuring."""
    lives = [Live(row, args, base, env) for row in group]
    for row in group:
        row["load_before"] = os.getloadavg()[0]
    try:
        for rep in range(args.floor_reps):
            each(lives, Live.floor_sample, lives[rep % len(lives):] + lives[:rep % len(lives)])
        each(lives, Live.start)
        time.sleep(args.settle)  # crawls and first snapshots finish (a benchmark, not a test)
        hz = os.sysconf("SC_CLK_TCK")
        live_now = [live for live in lives if live.ok]
        pids = {id(live): live.pids() for live in live_now}
        t0, c0 = time.monotonic(), {k: procs.cpu_ticks(v) for k, v in pids.items()}
        time.sleep(args.idle)  # one idle window for every row
        t1 = time.monotonic()
        for live in live_now:
            mine = pids[id(live)]
            gone = [pid for pid in mine if not os.path.exists(f"/proc/{pid}")]
            if gone:
                live.fail(Failed(f"processes {gone} ended while idle; output: {live.proc.tail()}"))
                continue
            row = live.row
            row["idle_cpu_percent"] = round(100.0 * (procs.cpu_ticks(mine) - c0[id(live)]) / hz / (t1 - t0), 3)
            row["peak_rss_mib"] = round(procs.peak_rss_kib(mine) / 1024.0, 1)
            row["memory"] = procs.memory(mine)
            row["pss_mib"] = round(sum(m.get("pss_kib", 0) for m in row["memory"]) / 1024.0, 1)
            row["processes"] = len(mine)
        each(lives, Live.warm_up)
        order = list(lives)
        shuffle = random.Random(len(group))
        for i in range(args.reps):
            shuffle.shuffle(order)
            each(lives, lambda live: live.edit(i), order)
        for live in lives:
            if live.ok:
                live.row["status"] = "ok"
    finally:
        for live in lives:
            live.stop()


def stats(row):
    for key in ("served_ms", "detect_ms", "floor_ms"):
        values = row.get(key) or []
        row[key.replace("_ms", "_p50")] = benchlib.median(values)
        row[key.replace("_ms", "_p90")] = benchlib.percentile(values, 90)


def pool_floors(rows):
    """Every floor sample of a project and interpreter, pooled: 3 cold starts
    next to a row swing with the load of that minute more than rows differ."""
    for r in rows:
        same = [s for o in rows if (o["project"], o["python"]) == (r["project"], r["python"]) for s in o.get("floor_ms") or []]
        r["pooled_floor_p50"] = benchlib.median(same)
        if r.get("served_p50") is not None and r["pooled_floor_p50"] is not None:
            r["over_floor"] = r["served_p50"] - r["pooled_floor_p50"]


def memory_table(rows, meta):
    """Peak RSS by process, and PSS: a sum of RSS counts the pages of libc
    and friends once per process, so a reloader in a process of its own
    (devwatch, watchman) pays for them again, while one inside runserver's
    child (watchfiles) does not; PSS splits shared pages among their users."""
    out = ["Memory by process at the end of the idle window: peak RSS (VmHWM) of runserver's parent, its child "
           "and the reloader's own processes, and the tree's PSS (shared pages divided among every process "
           "mapping them), with its ratio to DevwatchReloader's on the same Django:", "",
           "| project | reloader | Django | peak RSS by process | peak RSS | PSS | PSS ratio |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if not r.get("memory"):
            continue
        ours = next((o for o in rows if o["tool"] == "django-devwatch" and o["python"] == r["python"]
                     and o["project"] == r["project"]), None)
        parts = " + ".join(f"{m['name']} {m.get('hwm_kib', 0) / 1024.0:.1f}" for m in r["memory"])
        ratio = (f"{r['pss_mib'] / ours['pss_mib']:.2f}×" if ours and ours.get("pss_mib") and r is not ours else "—")
        django = meta["versions"][r["python"]].split(",")[0].replace("Django ", "")
        out.append(f"| {r['project']} | {report.LABEL(r)} | {django} | {parts} | {r['peak_rss_mib']:.1f} MiB "
                   f"| {r['pss_mib']:.1f} MiB | {ratio} |")
    return "\n".join(out)


def versions(python):
    code = ("import django, sys\nfrom importlib import metadata as m\nout = ['Django ' + django.get_version(), "
            "'Python ' + sys.version.split()[0]]\nfor d in ('django-watchfiles', 'watchfiles', 'pywatchman'):\n"
            "    try: out.append(d + ' ' + m.version(d))\n    except Exception: pass\nprint(', '.join(out))")
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    return r.stdout.strip() or r.stderr.strip().splitlines()[-1]


def main():
    cache = benchlib.cache_dir()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=str(cache / "reload-venv" / "bin" / "python"))
    ap.add_argument("--debian-python", default="/usr/bin/python3", help="'' to skip the Django 3.2 rows")
    ap.add_argument("--devwatch", default=str(benchlib.REPO / "build" / "server" / "devwatch"))
    ap.add_argument("--package-src", default=str(benchlib.REPO / "python" / "src"),
                    help="where devwatch.django is imported from (to compare two versions)")
    ap.add_argument("--rows", default="example,large", help="projects: example, large")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--modules", type=int, default=3000)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--floor-reps", type=int, default=3)
    ap.add_argument("--idle", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--gap", type=float, default=1.0, help="pause before each edit (s; plus up to as much again)")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--port", type=int, default=18500)
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "devwatch-bench-reloaders.json"))
    ap.add_argument("--update-doc", action="store_true")
    args = ap.parse_args()
    tools = [t for t in TOOLS if t in args.tools.split(",")]
    rows = []
    for kind in args.rows.split(","):
        rows += [{"project": kind, "tool": t, "python": args.python} for t in tools]
        if args.debian_python:
            rows += [{"project": kind, "tool": t, "python": args.debian_python, "debian": True}
                     for t in DEBIAN_TOOLS if t in tools]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(),
            "modules": args.modules, "reps": args.reps, "idle_s": args.idle,
            "versions": {p: versions(p) for p in {r["python"] for r in rows}},
            "command": "python3 bench/reload/reloaders.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])}
    base = os.path.realpath(tempfile.mkdtemp(prefix="devwatch-bench-reloaders-"))
    try:
        args.package_src = compiled_package(args.package_src, base, {r["python"] for r in rows})
        for python in dict.fromkeys(r["python"] for r in rows):  # page cache warm: no row pays for it
            try:
                floor(Project("example", base, "warmup", 0), python, args.port + len(rows), env, 1, args.timeout * 3)
            except Failed as exc:
                print(f"warm-up start with {python} failed: {exc}", file=sys.stderr)
        for index, row in enumerate(rows):
            row["index"] = index
        for kind in dict.fromkeys(r["project"] for r in rows):
            group = [r for r in rows if r["project"] == kind]
            measure_group(group, args, base, env)
            for row in group:
                stats(row)
                print(json.dumps({k: v for k, v in row.items() if not k.endswith("_ms")}), file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    pool_floors(rows)
    meta["loadavg_end"] = os.getloadavg()
    meta["finished"] = time.strftime("%H:%M:%S")
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    text = report.render(meta, rows, args) + "\n\n" + memory_table(rows, meta)
    print(text)
    print(f"\nJSON: {args.json}", file=sys.stderr)
    if args.update_doc:
        benchlib.update_doc_section(benchlib.REPO / "docs" / "benchmarks.md", "reloaders", text)


if __name__ == "__main__":
    main()
