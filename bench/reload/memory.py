#!/usr/bin/env python3
"""Where devwatch's resident memory goes, mapping by mapping, for the work
DevwatchReloader gives it: one subscription to "**" over a project, watched
until the crawl is done.

    python3 bench/reload/memory.py                          # build/server/devwatch on examples/django-blog
    python3 bench/reload/memory.py --binary A --binary B    # two builds, same tree, side by side

Prints, per binary, VmHWM (what reloaders.py's peak-RSS row sums) and the
Rss of each mapping group (the executable, each shared library, heap, thread
stacks, other anonymous memory), so a change to how devwatch is built or
allocates can be read against the one before it in the same run.
"""
import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "python" / "src"))

from devwatch.client import Client  # noqa: E402


def mapping_rss(pid: int) -> dict:
    """Rss in KiB per mapping name: a file's base name, or [heap], [stack],
    [anon] (thread stacks and malloc arenas are anonymous)."""
    groups = defaultdict(int)
    name = "[anon]"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                name = os.path.basename(fields[5]) if len(fields) >= 6 else "[anon]"
            elif fields[0] == "Rss:":
                groups[name] += int(fields[1])
    return dict(groups)


def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure(binary: str, root: Path) -> dict:
    with Client([root], binary=binary, client_name="bench.memory",
                initialization_options={"autoStart": False, "autoRestart": False,
                                        "settings": {"watch": {"respectGitignore": False}}}) as client:
        client.subscribe("**", kind=7, settle_ms=10)
        watcher = client.wait_until_watching(timeout=120.0)
        pid = client.proc.pid
        return {"hwm": status_kib(pid, "VmHWM"), "rss": status_kib(pid, "VmRSS"),
                "threads": status_kib(pid, "Threads"), "maps": mapping_rss(pid),
                "folders": watcher.get("watchedDirectories", watcher.get("folders"))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", action="append", help="devwatch executable (repeatable); default build/server/devwatch")
    ap.add_argument("--root", default=str(REPO / "examples" / "django-blog"), help="folder to watch")
    args = ap.parse_args()
    binaries = [os.path.abspath(b) for b in args.binary or [str(REPO / "build" / "server" / "devwatch")]]
    results = [(b, measure(b, Path(args.root))) for b in binaries]
    names = sorted({n for _, r in results for n in r["maps"]},
                   key=lambda n: -max(r["maps"].get(n, 0) for _, r in results))
    print(f"root: {args.root}")
    print("| mapping | " + " | ".join(b for b, _ in results) + " |")
    print("|---|" + "---|" * len(results))
    for key, label in (("hwm", "VmHWM (peak)"), ("rss", "VmRSS (now)")):
        print(f"| **{label}** | " + " | ".join(f"{r[key] / 1024:.2f} MiB" for _, r in results) + " |")
    for n in names:
        print(f"| {n} | " + " | ".join(f"{r['maps'].get(n, 0)} KiB" for _, r in results) + " |")
    print("| threads | " + " | ".join(str(r["threads"]) for _, r in results) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
