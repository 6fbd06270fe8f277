"""Save-to-served latency of preloaded vs cold restarts (docs/preload.md),
measured in one run: `devwatch run` with and without "preload" on the example
project and on a heavier one (Django REST framework from PyPI plus a
synthetic package that takes 200 ms of CPU to import), and Django's own
StatReloader (`runserver` without --noreload) as the baseline people have.

    bench/preload/setup.sh && python3 bench/preload/run.py [--reps 15] [--write-doc]

Save-to-served: from the write of blog/views.py (a new marker) to the first
HTTP response carrying it, polling every 5 ms. Stdlib only.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib  # noqa: E402

sys.path.insert(0, str(benchlib.REPO / "python" / "src" / "devwatch"))
import preload_launcher  # noqa: E402  (its default module list, nothing runs on import)

EXAMPLE = benchlib.REPO / "examples" / "django-blog"
SLOW = '''"""Synthetic dependency: 200 ms of CPU at import, like a big framework."""
import time
_t0 = time.perf_counter()
while time.perf_counter() - _t0 < 0.2:
    pass
VALUE = "slow"
'''
HEAVY_VIEW = '''

from rest_framework.decorators import api_view  # noqa: E402
from rest_framework.response import Response  # noqa: E402
import slowimport  # noqa: E402,F401


@api_view(["GET"])
def api(request):
    return Response({"marker": MARKER})
'''
# rest_framework.decorators and .views read settings at import: they cannot be preloaded.
DRF_PRELOAD = ["rest_framework", "rest_framework.response", "rest_framework.serializers", "slowimport"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except Exception:  # noqa: BLE001 - down while restarting
        return None


def make_project(dest, heavy):
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    if heavy:
        views = dest / "blog" / "views.py"
        views.write_text(views.read_text() + HEAVY_VIEW)
        settings = dest / "blogsite" / "settings.py"
        settings.write_text(settings.read_text().replace('    "blog",\n', '    "rest_framework",\n    "blog",\n'))
    return dest


def config(python, port, mode, heavy):
    spec = {"command": [python, "manage.py", "runserver", "--noreload", "127.0.0.1:%d" % port],
            "env": {"PYTHONUNBUFFERED": "1"}, "ready": {"port": port}, "restartOn": ["**/*.py"],
            "stopSignal": "SIGTERM"}
    if mode == "preloaded":
        defaults = preload_launcher.DJANGO_DEFAULT + preload_launcher.DJANGO_SELF_CONTAINED
        spec["preload"] = (defaults + DRF_PRELOAD) if heavy else True
    return {"servers": {"web": spec}}


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise RuntimeError("timed out waiting for " + what)


def measure(root, port, reps, edit_version):
    """save-to-served samples (ms) for `reps` edits of the marker."""
    views = root / "blog" / "views.py"
    samples = []
    for _ in range(reps):
        old = views.read_text()
        n = edit_version[0] = edit_version[0] + 1
        new_marker = "marker: b%d" % n
        start = benchlib.now_ms()
        views.write_text(old.replace(old.split('MARKER = "')[1].split('"')[0], new_marker, 1))
        wait_for(lambda: (get("http://127.0.0.1:%d/marker/" % port) or "").startswith(new_marker), 30, new_marker)
        samples.append(benchlib.now_ms() - start)
        time.sleep(0.3)  # a user does not save twice within the same restart
    return samples


def run_devwatch(devwatch, python, work, mode, heavy, reps):
    root = make_project(work / ("%s-%s" % (mode, "heavy" if heavy else "example")), heavy)
    port = free_port()
    (root / "devwatch.json").write_text(json.dumps(config(python, port, mode, heavy)))
    log = open(root / "devwatch.log", "w")
    proc = subprocess.Popen([devwatch, "run"], cwd=root, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for(lambda: get("http://127.0.0.1:%d/marker/" % port), 60, "the first start")
        if mode == "preloaded":
            # The zygote is built after the first start: warm up until a restart is preloaded.
            version = [1000]
            for _ in range(20):
                measure(root, port, 1, version)
                if "(preloaded)" in (root / "devwatch.log").read_text():
                    break
        count = lambda: (root / "devwatch.log").read_text().count("(preloaded)")  # noqa: E731
        before = count()
        samples = measure(root, port, reps, [0])
        preloaded = count() - before
        return samples, preloaded
    finally:
        benchlib.kill_group(proc)
        log.close()


def run_statreloader(python, work, heavy, reps):
    root = make_project(work / ("stat-%s" % ("heavy" if heavy else "example")), heavy)
    port = free_port()
    proc = subprocess.Popen([python, "manage.py", "runserver", "127.0.0.1:%d" % port], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        wait_for(lambda: get("http://127.0.0.1:%d/marker/" % port), 60, "the first start")
        # StatReloader snapshots mtimes on its first 1 s tick: an edit before
        # that becomes its baseline and is never reloaded.
        time.sleep(2)
        return measure(root, port, reps, [0]), 0
    except RuntimeError as e:
        print("StatReloader row failed: %s" % e, file=sys.stderr)
        return [], 0
    finally:
        benchlib.kill_group(proc)


def row(name, samples):
    return "| %s | %s | %s | %d |" % (name, benchlib.fmt(benchlib.percentile(samples, 50), " ms", 0),
                                     benchlib.fmt(benchlib.percentile(samples, 90), " ms", 0), len(samples))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--python", default=str(benchlib.cache_dir() / "preload-venv" / "bin" / "python"))
    ap.add_argument("--devwatch")
    ap.add_argument("--write-doc", action="store_true")
    args = ap.parse_args()
    devwatch, why = benchlib.find_devwatch(args.devwatch)
    if devwatch is None:
        sys.exit(why)
    if not os.access(args.python, os.X_OK):
        sys.exit("no bench venv at %s: run bench/preload/setup.sh" % args.python)
    lines = ["| project / restarter | p50 | p90 | n |", "|---|---|---|---|"]
    ratios = []
    with tempfile.TemporaryDirectory(prefix="devwatch-bench-preload-") as tmp:
        work = Path(tmp)
        for heavy in (False, True):
            label = "DRF + 200 ms import" if heavy else "example"
            cold, _ = run_devwatch(devwatch, args.python, work, "cold", heavy, args.reps)
            warm, count = run_devwatch(devwatch, args.python, work, "preloaded", heavy, args.reps)
            stat, _ = run_statreloader(args.python, work, heavy, args.reps)
            print("\n".join(lines[2:] + [row(label + " cold", cold), row(label + " preloaded", warm)]), flush=True)
            lines += [row("%s: devwatch cold" % label, cold), row("%s: devwatch preloaded" % label, warm),
                      row("%s: Django StatReloader" % label, stat)]
            ratios.append("%s: preloaded p50 / cold p50 = %.2f (%d preloaded starts in the log)" % (
                label, benchlib.percentile(warm, 50) / benchlib.percentile(cold, 50), count))
            # The measured reps only count if they were preloaded.
            if count != args.reps:
                ratios.append("%s: only %d of %d measured restarts were preloaded: see devwatch.log" % (
                    label, count, args.reps))
    load = os.getloadavg()
    text = "\n".join(lines + ["", *["- " + r for r in ratios],
                              "- load average during the run: %.1f %.1f %.1f (2 cores)" % load,
                              "- rerun: `bench/preload/setup.sh && python3 bench/preload/run.py --reps %d`" % args.reps])
    print(text)
    if args.write_doc:
        benchlib.update_doc_section(benchlib.REPO / "docs" / "benchmarks.md", "preload", text)


if __name__ == "__main__":
    main()
