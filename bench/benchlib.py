"""Shared helpers of devwatch's benchmarks (stdlib only).

Where the peers live (a cache outside the repo), how to find the devwatch
binary, process-tree measurement from /proc, percentiles, and rewriting one
marked section of docs/benchmarks.md. Nothing here is threaded except
ProcSampler, which owns its own thread and lock.
"""
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cache_dir():
    base = os.environ.get("DEVWATCH_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "devwatch-dev")
    return Path(base) / "bench"


def find_devwatch(explicit=None):
    """Returns (path or None, reason when None)."""
    candidates = [explicit] if explicit else [
        os.environ.get("DEVWATCH"), str(REPO / "build" / "server" / "devwatch")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c), ""
    tried = ", ".join(c for c in candidates if c)
    return None, "no devwatch binary (tried %s; build it or pass --devwatch PATH)" % tried


def percentile(values, p):
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def median(values):
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def proc_tree(pid):
    """pid and all its descendants that still exist."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, task)) as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pids):
    """utime+stime of the given processes (their own threads included)."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


class ProcSampler:
    """Samples the memory of a process tree every `interval` seconds.

    peak_kb is the largest sum of VmHWM over the measured processes seen at
    any sample (VmHWM is each process's own high-water mark, so a short spike
    between samples still counts). With exclude_root the root process (an
    adapter that only relays a server's output) is left out.
    """

    def __init__(self, pid, interval=0.02, exclude_root=False):
        self.pid = pid
        self.interval = interval
        self.exclude_root = exclude_root
        self.peak_kb = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def pids(self):
        tree = proc_tree(self.pid)
        return tree[1:] if self.exclude_root else tree

    def sample(self):
        kb = sum(_status_kb(p, "VmHWM") for p in self.pids())
        with self._lock:
            self.peak_kb = max(self.peak_kb, kb)
        return kb

    def peak_mb(self):
        self.sample()
        with self._lock:
            return self.peak_kb / 1024.0

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self):
        self._stop.set()
        self._thread.join(1)


def kill_group(proc, term_timeout=5.0):
    """SIGTERM the process group of `proc` (started with start_new_session),
    then SIGKILL what is left after term_timeout. Never raises."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except OSError:
        pass
    try:
        proc.wait(term_timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass


def update_doc_section(doc_path, name, text):
    """Replaces the text between <!-- NAME:begin --> and <!-- NAME:end --> in
    doc_path (appending the section when the markers are missing)."""
    begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    doc = Path(doc_path)
    old = doc.read_text() if doc.exists() else ""
    block = "%s\n%s\n%s" % (begin, text.rstrip("\n"), end)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + block + "\n"
    doc.write_text(new)


def fmt(value, unit="", digits=1):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return ("%%.%df%%s" % digits) % (value, unit)


def now_ms():
    return time.monotonic_ns() / 1e6
