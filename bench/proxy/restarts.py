#!/usr/bin/env python3
"""bench/proxy/restarts.py: what a request sees while the server restarts,
with the proxy holding requests (the default) and with overlapped restarts
("overlap": true), in the same run.

Two copies of examples/django-blog run under one `devwatch run`, each behind
its own proxy (runserver --noreload on {port}, SIGTERM): "held" and
"overlapped". One client thread per proxy sends sequential GET /marker/ on a
kept-alive connection the whole time. Each round edits views.py of both
copies one after the other (order alternating per round, so load drift is
shared) and waits until each serves the new marker. Reported per setup:
  - latency of every request (p50, p99, max) and failed requests;
  - save -> new marker served (write of views.py to the first response
    carrying it), p50/p90.
Held: requests during a restart wait for the new server (max latency ~ the
restart). Overlapped: the old server answers meanwhile (max latency ~ one
request), and the new code is served once the new server is ready.

Usage: python3 bench/proxy/restarts.py [--rounds 20] [--devwatch PATH] [--no-doc]
Needs scripts/setup.sh (the venv with Django).
"""
import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchlib import REPO, find_devwatch, fmt, kill_group, median, percentile, update_doc_section  # noqa: E402

CACHE = Path(os.environ.get("DEVWATCH_CACHE", Path.home() / ".cache" / "devwatch-dev"))
PYTHON = CACHE / "venv" / "bin" / "python"
EXAMPLE = REPO / "examples" / "django-blog"
SETUPS = ("held", "overlapped")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client(threading.Thread):
    """Sequential GETs through one proxy; records (sent_at, latency_ms, body) or a failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop = port, threading.Event()
        self.samples, self.failures = [], []
        self.latest = ""

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while not self.stop.is_set():
            sent = time.monotonic()
            try:
                conn.request("GET", "/marker/")
                resp = conn.getresponse()
                body = resp.read().decode()
                done = time.monotonic()
                if resp.status != 200:
                    self.failures.append(f"{resp.status} {body[:80]!r}")
                    continue
                self.samples.append((sent, (done - sent) * 1000.0, done, body.strip()))
                self.latest = body.strip()
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)  # bench: polling the client's latest answer


def run(devwatch, rounds, tmp):
    import shutil
    ports, roots = {}, {}
    servers = {}
    for name in SETUPS:
        root = tmp / name
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
        roots[name], ports[name] = root, free_port()
    # One devwatch run per copy (a run supervises the servers of its folder).
    procs, clients = [], {}
    try:
        for name in SETUPS:
            proxy = {"listen": f"127.0.0.1:{ports[name]}"}
            if name == "overlapped":
                proxy["overlap"] = True
            servers = {"web": {"command": [str(PYTHON), "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
                               "restartOn": ["**/*.py"], "stopSignal": "SIGTERM", "proxy": proxy,
                               "env": {"PYTHONUNBUFFERED": "1"}}}
            (roots[name] / "devwatch.json").write_text(json.dumps({"servers": servers}))
            log = open(roots[name] / "devwatch-run.log", "w")
            procs.append(subprocess.Popen([devwatch, "run"], cwd=roots[name], stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        for name in SETUPS:
            clients[name] = Client(ports[name])
            clients[name].start()
        for name in SETUPS:
            wait_for(lambda n=name: clients[n].latest == "marker: v1", 120, f"{name} to serve")
        save_to_served = {n: [] for n in SETUPS}
        for r in range(rounds):
            order = SETUPS if r % 2 == 0 else tuple(reversed(SETUPS))
            for name in order:
                views = roots[name] / "blog" / "views.py"
                old, new = f"marker: v{r + 1}", f"marker: v{r + 2}"
                text = views.read_text()
                written = time.monotonic()
                views.write_text(text.replace(old, new))
                wait_for(lambda n=name: clients[n].latest == new, 60, f"{name} to serve {new}")
                first = next(done for _, _, done, body in clients[name].samples if body == new)
                save_to_served[name].append((first - written) * 1000.0)
                time.sleep(0.3)  # bench: let the old server go before the next edit
    finally:
        for c in clients.values():
            c.stop.set()
        for c in clients.values():
            c.join(timeout=70)
        for p in procs:
            kill_group(p)
    return clients, save_to_served


def report(clients, save_to_served, rounds):
    lines = [f"Requests through the proxy while the example restarts ({rounds} edits of views.py per setup, "
             "one client sending sequential GET /marker/ on a kept-alive connection; ms):", "",
             "| setup | requests | failed | latency p50 | p99 | max | save → new marker served p50 | p90 |",
             "|---|---|---|---|---|---|---|---|"]
    for name in SETUPS:
        lat = [s[1] for s in clients[name].samples]
        sts = save_to_served[name]
        lines.append(f"| {name} | {len(lat)} | {len(clients[name].failures)} | {fmt(median(lat), digits=2)} | "
                     f"{fmt(percentile(lat, 99), digits=1)} | {fmt(max(lat) if lat else None)} | "
                     f"{fmt(median(sts))} | {fmt(percentile(sts, 90))} |")
    held = [s[1] for s in clients["held"].samples]
    over = [s[1] for s in clients["overlapped"].samples]
    if held and over:
        lines += ["", f"Ratio (held / overlapped): max latency {max(held) / max(over):.1f}x, "
                      f"p99 {percentile(held, 99) / percentile(over, 99):.1f}x; save → served "
                      f"{median(save_to_served['held']) / median(save_to_served['overlapped']):.2f}x."]
    return "\n".join(lines)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--devwatch")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    devwatch, why = find_devwatch(args.devwatch)
    if not devwatch:
        sys.exit(why)
    start_load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="devwatch-bench-restarts-") as tmp:
        clients, sts = run(devwatch, args.rounds, Path(tmp))
    end_load = os.getloadavg()
    text = (report(clients, sts, args.rounds) + "\n\nLoad average (1 min) at the start and end: "
            f"{start_load[0]:.1f}, {end_load[0]:.1f} (2 cores). Rerun: `python3 bench/proxy/restarts.py`.")
    print(text)
    if not args.no_doc:
        update_doc_section(REPO / "docs" / "benchmarks.md", "proxy-restarts",
                           "## Requests during restarts: held vs overlapped (bench/proxy/restarts.py)\n\n" + text)


if __name__ == "__main__":
    main()
