#!/usr/bin/env python3
"""Watcher benchmark: devwatch's `watch` command against inotifywait,
watchman, @parcel/watcher, chokidar, watchdog and watchfiles, side by side in
one run on generated trees.

Measured per peer: time to ready and peak RSS on each tree; on the main tree
also idle CPU, write-to-delivery latency (one write at a time), completeness
of `mkdir -p a/b/c` followed at once by 20 files per level, and a 10,000-file
burst. Every wait is bounded; a peer that is missing, crashes or never gets
ready is reported as such in the table and the run goes on.

Peers are installed by setup.sh into ${DEVWATCH_CACHE:-~/.cache/devwatch-dev}/bench.

    bench/watchers/setup.sh
    python3 bench/watchers/run.py --quick            # 10k files, a few minutes
    python3 bench/watchers/run.py --update-doc       # full run, rewrites docs/benchmarks.md
"""
import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib  # noqa: E402

HERE = Path(__file__).resolve().parent
ADAPTERS = HERE / "adapters"
ALL_PEERS = ["devwatch", "devwatch-settle0", "inotifywait", "watchman", "parcel", "chokidar", "watchdog", "watchfiles"]
LABELS = {
    "devwatch": "devwatch", "devwatch-settle0": "devwatch --settle-ms 0",
    "inotifywait": "inotifywait -r", "watchman": "watchman",
    "parcel": "@parcel/watcher", "chokidar": "chokidar", "watchdog": "watchdog",
    "watchfiles": "watchfiles",
}


class PeerFailed(Exception):
    pass


# ---------------------------------------------------------------- peers

def _parse_adapter(line):
    if line == "READY":
        return ("ready", None)
    if line.startswith("EV "):
        return ("ev", line[3:])
    if line.startswith("ERR "):
        return ("err", line[4:])
    return None


def _parse_devwatch(line):
    try:
        obj = json.loads(line)
    except ValueError:
        return ("err", "unparsable line: " + line[:200])
    if not isinstance(obj, dict):
        return None
    if obj.get("ready"):
        return ("ready", None)
    path = obj.get("path")
    if path is None and isinstance(obj.get("uri"), str) and obj["uri"].startswith("file://"):
        path = urllib.parse.unquote(obj["uri"][7:])
    if path is not None:
        return ("ev", path)
    if "resync" in obj or "error" in obj or "warning" in obj:
        return ("err", line[:300])
    return None


def _parse_inotifywait_out(line):
    kind, _, path = line.partition(" ")
    if "Q_OVERFLOW" in kind:
        return ("err", "queue overflow")
    return ("ev", path) if path else None


def _parse_inotifywait_err(line):
    if line.startswith("Watches established"):
        return ("ready", None)
    if line.startswith("Setting up watches"):
        return None
    return ("err", line)


def peer_spec(name, args, cache):
    """Returns (argv, env, stdout parser, stderr parser, exclude_root) or
    raises PeerFailed with the reason the peer cannot run here."""
    env = dict(os.environ)
    venv_py = cache / "venv" / "bin" / "python"
    node_modules = cache / "npm" / "node_modules"
    if name in ("devwatch", "devwatch-settle0"):
        binary, why = benchlib.find_devwatch(args.devwatch)
        if not binary:
            raise PeerFailed(why)
        # An old build may not have the command yet: say so instead of a
        # confusing "never ready".
        probe = subprocess.run([binary, "watch", "--help"], capture_output=True,
                               text=True, timeout=10)
        if probe.returncode != 0:
            detail = (probe.stderr or probe.stdout).strip().splitlines()
            raise PeerFailed("`devwatch watch` not available in %s (exit %d: %s)"
                             % (binary, probe.returncode, detail[-1] if detail else ""))
        # devwatch-settle0 shows the latency floor without the default 20 ms
        # settle window (issue 3 compares that one with inotifywait).
        settle = ["--settle-ms", "0"] if name == "devwatch-settle0" else []
        argv = [binary, "watch", "--json"] + settle + shlex.split(args.devwatch_args)
        return argv, env, _parse_devwatch, None, False
    if name == "inotifywait":
        if not shutil.which("inotifywait"):
            raise PeerFailed("inotifywait not installed (apt-get install inotify-tools)")
        argv = ["inotifywait", "-m", "-r", "--format", "%e %w%f", "-e", "create",
                "-e", "close_write", "-e", "moved_to", "-e", "moved_from", "-e", "delete"]
        return argv, env, _parse_inotifywait_out, _parse_inotifywait_err, False
    if name == "watchman":
        wm = shutil.which("watchman")
        if not wm:
            raise PeerFailed("watchman not installed (apt-get install watchman)")
        env["WATCHMAN"] = wm
        argv = [sys.executable, str(ADAPTERS / "watchman_adapter.py")]
        return argv, env, _parse_adapter, None, True
    if name in ("parcel", "chokidar"):
        pkg = node_modules / ("@parcel/watcher" if name == "parcel" else "chokidar")
        if not shutil.which("node"):
            raise PeerFailed("node not installed")
        if not pkg.is_dir():
            raise PeerFailed("%s not installed in %s (run bench/watchers/setup.sh)"
                             % (pkg.name, node_modules))
        env["BENCH_NODE_MODULES"] = str(node_modules)
        script = "parcel.js" if name == "parcel" else "chokidar.mjs"
        return ["node", str(ADAPTERS / script)], env, _parse_adapter, None, False
    if name in ("watchdog", "watchfiles"):
        if not venv_py.exists():
            raise PeerFailed("no venv at %s (run bench/watchers/setup.sh)" % venv_py.parent.parent)
        check = subprocess.run([str(venv_py), "-c", "import " + name], capture_output=True,
                               timeout=30)
        if check.returncode != 0:
            raise PeerFailed("%s not importable in %s (run bench/watchers/setup.sh)"
                             % (name, venv_py))
        env["PYTHONUNBUFFERED"] = "1"
        return ([str(venv_py), str(ADAPTERS / (name + "_adapter.py"))], env,
                _parse_adapter, None, False)
    raise PeerFailed("unknown peer")


class Watcher:
    """One running peer: its process group, its parsed output, its samples."""

    def __init__(self, name, spec, root):
        argv, env, out_parser, err_parser, exclude_root = spec
        self.name = name
        self.root = root
        self.cond = threading.Condition()
        self.first_seen = {}  # path -> monotonic ms of its first event
        self.event_lines = 0
        self.last_event_ms = 0.0
        self.errors = []
        self.ready_ms = None
        self._since = 0.0
        self.stderr_tail = []
        self.t_spawn = benchlib.now_ms()
        self.proc = subprocess.Popen(argv + [root], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.sampler = benchlib.ProcSampler(self.proc.pid, exclude_root=exclude_root)
        self._threads = [threading.Thread(target=self._read, args=(self.proc.stdout, out_parser, False),
                                          daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, err_parser, True),
                                          daemon=True)]
        for t in self._threads:
            t.start()

    def _read(self, stream, parser, is_stderr):
        for raw in stream:
            t = benchlib.now_ms()
            line = raw.decode("utf-8", "surrogateescape").rstrip("\n")
            if is_stderr:
                self.stderr_tail = (self.stderr_tail + [line])[-20:]
            item = parser(line) if parser else None
            if item is None:
                continue
            kind, value = item
            with self.cond:
                if kind == "ready" and self.ready_ms is None:
                    self.ready_ms = t
                elif kind == "ev":
                    self.event_lines += 1
                    self.last_event_ms = t
                    path = value.rstrip("/") if len(value) > 1 else value
                    self.first_seen.setdefault(path, t)
                elif kind == "err":
                    if len(self.errors) < 50:
                        self.errors.append(value)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _check_alive(self):
        code = self.proc.poll()
        if code is not None:
            tail = " | ".join(self.stderr_tail[-3:])
            raise PeerFailed("exited with code %s%s" % (code, (": " + tail) if tail else ""))

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.ready_ms is None:
                self._check_alive()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PeerFailed("not ready after %.0f s" % timeout)
                self.cond.wait(min(left, 0.2))
        return self.ready_ms - self.t_spawn

    def wait_path(self, path, timeout):
        """monotonic ms of the first event for path, or None at timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while path not in self.first_seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._check_alive()
                    return None
                self.cond.wait(min(left, 0.2))
            return self.first_seen[path]

    def wait_all(self, paths, quiet, cap):
        """Waits until every path was seen, or until no event at all came for
        `quiet` seconds, or `cap` seconds. Returns how many were seen."""
        deadline = time.monotonic() + cap
        with self.cond:
            while True:
                missing = sum(1 for p in paths if p not in self.first_seen)
                if missing == 0:
                    return len(paths)
                now = time.monotonic()
                last = max(self.last_event_ms / 1000.0, self._since)
                if now >= deadline or now - last >= quiet:
                    self._check_alive()
                    return len(paths) - missing
                self.cond.wait(0.2)

    def mark(self):
        """Starts a new wait_all window (quiet counts from here)."""
        with self.cond:
            self._since = time.monotonic()

    def cpu(self):
        pids = self.sampler.pids()
        return benchlib.cpu_seconds(pids)

    def stop(self):
        self.sampler.stop()
        benchlib.kill_group(self.proc)


# ---------------------------------------------------------------- trees

def make_tree(base, kind):
    """kind: files10k (10,000 files in 1,111 dirs), files100k (99,999 files in
    11,111 dirs), dirs10k (10,100 empty dirs). Each also holds lat/ and burst/."""
    root = os.path.join(base, kind)
    os.makedirs(root)
    if kind.startswith("files"):
        depth = 3 if kind == "files10k" else 4
        dirs = [root]
        level = [root]
        for _ in range(depth):
            nxt = []
            for d in level:
                for i in range(10):
                    p = os.path.join(d, "d%d" % i)
                    os.mkdir(p)
                    nxt.append(p)
            dirs.extend(nxt)
            level = nxt
        per_dir = 9
        for d in dirs:
            for i in range(per_dir):
                with open(os.path.join(d, "f%d.txt" % i), "w") as f:
                    f.write("x")
    else:
        for i in range(100):
            top = os.path.join(root, "d%d" % i)
            os.mkdir(top)
            for j in range(100):
                os.mkdir(os.path.join(top, "s%d" % j))
    os.mkdir(os.path.join(root, "lat"))
    os.mkdir(os.path.join(root, "burst"))
    return root


def tree_stats(root):
    files = dirs = 0
    for _, ds, fs in os.walk(root):
        dirs += len(ds)
        files += len(fs)
    return files, dirs + 1


def reset_tree(root):
    """Removes what a measurement added, so the next peer sees the same tree."""
    for sub in ("lat", "burst"):
        p = os.path.join(root, sub)
        shutil.rmtree(p, ignore_errors=True)
        os.mkdir(p)
    for entry in os.listdir(root):
        if entry.startswith("mk"):
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
    for _ in os.walk(root):  # warm the dentry cache equally for every peer
        pass


def write_file(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, b"x")
    os.close(fd)


# ---------------------------------------------------------------- measurements

def measure_latency(w, root, n):
    lat, lost = [], 0
    d = os.path.join(root, "lat")
    consecutive_lost = 0
    for i in range(n):
        p = os.path.join(d, "w%d.txt" % i)
        t0 = benchlib.now_ms()
        write_file(p)
        t1 = w.wait_path(p, 3.0)
        if t1 is None:
            lost += 1
            consecutive_lost += 1
            if consecutive_lost >= 5:  # a peer that stopped delivering: don't wait 3 s per write
                lost += n - i - 1
                break
        else:
            consecutive_lost = 0
            lat.append(t1 - t0)
        time.sleep(0.002)
    return lat, lost


def measure_mkdir(w, root, rounds):
    seen = expected = 0
    for r in range(rounds):
        base = os.path.join(root, "mk%d" % r)
        levels = [os.path.join(base, "a"), os.path.join(base, "a", "b"),
                  os.path.join(base, "a", "b", "c")]
        w.mark()
        os.makedirs(levels[-1])
        paths = []
        for lv in levels:
            for i in range(20):
                p = os.path.join(lv, "f%d.txt" % i)
                write_file(p)
                paths.append(p)
        expected += len(paths)
        seen += w.wait_all(paths, quiet=3.0, cap=15.0)
    return seen, expected


def measure_burst(w, root, n):
    d = os.path.join(root, "burst")
    paths = [os.path.join(d, "b%05d.txt" % i) for i in range(n)]
    w.mark()
    t0 = benchlib.now_ms()
    for p in paths:
        write_file(p)
    seen = w.wait_all(paths, quiet=5.0, cap=120.0)
    with w.cond:
        times = [w.first_seen[p] for p in paths if p in w.first_seen]
    last = (max(times) - t0) if times else None
    return seen, last


def run_peer(name, args, cache, root, full_suite):
    res = {"peer": name}
    try:
        spec = peer_spec(name, args, cache)
    except (PeerFailed, subprocess.SubprocessError, OSError) as e:
        res["status"] = "not available: %s" % e
        return res
    reset_tree(root)
    w = None
    try:
        w = Watcher(name, spec, root)
        res["ready_ms"] = w.wait_ready(args.ready_timeout)
        res["rss_ready_mb"] = w.sampler.peak_mb()
        if full_suite:
            time.sleep(0.5)  # let a peer finish what it does right after saying ready
            c0, t0 = w.cpu(), time.monotonic()
            time.sleep(args.idle_seconds)
            w._check_alive()
            res["idle_cpu_ms"] = (w.cpu() - c0) * 1000.0
            res["idle_seconds"] = round(time.monotonic() - t0, 1)
            lat, lost = measure_latency(w, root, args.writes)
            res["latency_ms"] = {"p50": benchlib.percentile(lat, 50),
                                 "p99": benchlib.percentile(lat, 99),
                                 "n": len(lat), "lost": lost}
            seen, expected = measure_mkdir(w, root, args.mkdir_rounds)
            res["mkdir"] = {"seen": seen, "expected": expected}
            seen, last = measure_burst(w, root, args.burst)
            res["burst"] = {"seen": seen, "expected": args.burst, "last_ms": last}
            res["rss_peak_mb"] = w.sampler.peak_mb()
        w._check_alive()
        res["status"] = "ok"
    except PeerFailed as e:
        res["status"] = "failed: %s" % e
    finally:
        if w is not None:
            w.stop()
            if w.errors:
                res["reported"] = w.errors[:5]
                res["reported_count"] = len(w.errors)
            if w.stderr_tail:
                # What the peer said on stderr is kept: watchdog, for one,
                # only says there that it is stuck in an overflow loop.
                res["stderr_tail"] = w.stderr_tail[-5:]
    return res


# ---------------------------------------------------------------- report

def ratio(peer_value, dw_value):
    if peer_value is None or dw_value in (None, 0):
        return "—"
    return "%.2f×" % (peer_value / dw_value)


def render(results, trees, main_tree, args, command):
    lines = []
    idle = args.idle_seconds
    head_trees = [t for t in trees]
    cols = ["peer"] + ["ready %s" % t for t in head_trees] + [
        "RSS at ready (%s)" % main_tree, "peak RSS (%s)" % main_tree,
        "p50 latency", "p99 latency", "lost writes", "mkdir -p + 60 files",
        "burst %d" % args.burst, "idle CPU (%d s)" % idle, "status"]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for name in args.peers:
        row = [LABELS[name]]
        main = results[main_tree].get(name, {})
        for t in head_trees:
            r = results[t].get(name, {})
            row.append(benchlib.fmt(r.get("ready_ms"), " ms", 0) if "ready_ms" in r else "—")
        lat = main.get("latency_ms") or {}
        mk = main.get("mkdir")
        burst = main.get("burst")
        row += [benchlib.fmt(main.get("rss_ready_mb"), " MB"),
                benchlib.fmt(main.get("rss_peak_mb"), " MB"),
                benchlib.fmt(lat.get("p50"), " ms", 2), benchlib.fmt(lat.get("p99"), " ms", 2),
                ("%d/%d" % (lat["lost"], lat["lost"] + lat["n"])) if lat else "—",
                ("%d/%d" % (mk["seen"], mk["expected"])) if mk else "—",
                ("%d/%d in %s" % (burst["seen"], burst["expected"],
                                  benchlib.fmt(burst["last_ms"] and burst["last_ms"] / 1000.0, " s")))
                if burst else "—",
                benchlib.fmt(main.get("idle_cpu_ms"), " ms", 0)]
        statuses = sorted({results[t].get(name, {}).get("status", "—") for t in trees})
        status = "; ".join(statuses)
        if main.get("reported_count"):
            status += " (reported %d: %s)" % (main["reported_count"], main["reported"][0][:60])
        elif main.get("stderr_tail") and name != "inotifywait":
            status += " (stderr: %s)" % main["stderr_tail"][-1][:80]
        row.append(status.replace("|", "/"))
        lines.append("| " + " | ".join(row) + " |")
    # Ratios vs devwatch.
    dwm = results[main_tree].get("devwatch", {})
    lines.append("")
    if dwm.get("status") == "ok":
        lines.append("Ratios, peer ÷ devwatch (above 1× means devwatch is faster or smaller):")
        lines.append("")
        rc = ["peer"] + ["ready %s" % t for t in head_trees] + ["peak RSS", "p50 latency", "p99 latency"]
        lines.append("| " + " | ".join(rc) + " |")
        lines.append("|" + "---|" * len(rc))
        for name in args.peers:
            if name == "devwatch":
                continue
            m = results[main_tree].get(name, {})
            row = [LABELS[name]]
            for t in head_trees:
                row.append(ratio(results[t].get(name, {}).get("ready_ms"),
                                 results[t].get("devwatch", {}).get("ready_ms")))
            row.append(ratio(m.get("rss_peak_mb"), dwm.get("rss_peak_mb")))
            pl, dl = m.get("latency_ms") or {}, dwm.get("latency_ms") or {}
            row.append(ratio(pl.get("p50"), dl.get("p50")))
            row.append(ratio(pl.get("p99"), dl.get("p99")))
            lines.append("| " + " | ".join(row) + " |")
    else:
        lines.append("No ratios: devwatch was not measured in this run (%s)."
                     % dwm.get("status", "not selected"))
    lines.append("")
    lines.append("Command: `%s`" % command)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="10k-file tree only, 100 writes, 3 mkdir rounds, 5 s idle")
    ap.add_argument("--peers", default=",".join(ALL_PEERS),
                    help="comma-separated subset of: " + ",".join(ALL_PEERS))
    ap.add_argument("--devwatch", help="devwatch binary (default: $DEVWATCH or build/server/devwatch)")
    ap.add_argument("--devwatch-args", default="", help="extra arguments for `devwatch watch`")
    ap.add_argument("--trees", help="comma-separated: files10k,files100k,dirs10k")
    ap.add_argument("--writes", type=int, help="latency writes (default 500, quick 100)")
    ap.add_argument("--burst", type=int, default=10000)
    ap.add_argument("--mkdir-rounds", type=int)
    ap.add_argument("--idle-seconds", type=float)
    ap.add_argument("--ready-timeout", type=float, default=180.0)
    ap.add_argument("--tmp", help="where to generate trees (default: system temp dir)")
    ap.add_argument("--json", default=os.path.join(tempfile.gettempdir(), "devwatch-bench-watchers.json"))
    ap.add_argument("--update-doc", action="store_true",
                    help="rewrite the watchers section of docs/benchmarks.md")
    args = ap.parse_args()
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    for p in args.peers:
        if p not in ALL_PEERS:
            ap.error("unknown peer %r" % p)
    trees = (args.trees.split(",") if args.trees else
             ["files10k"] if args.quick else ["files10k", "files100k", "dirs10k"])
    main_tree = "files100k" if "files100k" in trees else trees[0]
    args.writes = args.writes or (100 if args.quick else 500)
    args.mkdir_rounds = args.mkdir_rounds or (3 if args.quick else 10)
    args.idle_seconds = args.idle_seconds or (5.0 if args.quick else 20.0)
    command = "python3 bench/watchers/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    cache = benchlib.cache_dir()

    base = tempfile.mkdtemp(prefix="devwatch-bench-", dir=args.tmp)
    base = os.path.realpath(base)
    results = {}
    meta = {"command": command, "kernel": platform.release(), "cpus": os.cpu_count(),
            "max_user_watches": Path("/proc/sys/fs/inotify/max_user_watches").read_text().strip(),
            "max_queued_events": Path("/proc/sys/fs/inotify/max_queued_events").read_text().strip(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg_start": os.getloadavg()}
    try:
        for t in trees:
            t0 = time.monotonic()
            root = make_tree(base, t)
            files, dirs = tree_stats(root)
            meta["tree_" + t] = {"files": files, "dirs": dirs}
            print("tree %s: %d files, %d dirs (made in %.1f s)" % (t, files, dirs, time.monotonic() - t0),
                  file=sys.stderr)
            results[t] = {}
            for name in args.peers:
                r = run_peer(name, args, cache, root, full_suite=(t == main_tree))
                results[t][name] = r
                print("  %-12s %s" % (name, json.dumps(r)), file=sys.stderr)
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    meta["loadavg_end"] = os.getloadavg()
    table = render(results, trees, main_tree, args, command)
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    print(table)
    print("\nJSON: %s" % args.json, file=sys.stderr)
    if args.update_doc:
        intro = ("Measured %s on %s CPUs (load average %.1f at the start, %.1f at the end), "
                 "Linux %s (max_user_watches %s, max_queued_events %s). "
                 "Trees: %s. Main tree (latency, mkdir, burst, idle): %s.\n\n"
                 % (meta["started"], meta["cpus"], meta["loadavg_start"][0], meta["loadavg_end"][0],
                    meta["kernel"], meta["max_user_watches"],
                    meta["max_queued_events"],
                    ", ".join("%s = %d files in %d dirs" % (t, meta["tree_" + t]["files"],
                                                            meta["tree_" + t]["dirs"]) for t in trees),
                    main_tree))
        benchlib.update_doc_section(benchlib.REPO / "docs" / "benchmarks.md", "watchers", intro + table)


if __name__ == "__main__":
    main()
