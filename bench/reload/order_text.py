#!/usr/bin/env python3
"""Write server/hot-text.ld: the code DevwatchReloader's work runs, placed
together at the start of the executable.

    python3 bench/reload/order_text.py                 # profiles build/server/devwatch, writes the script, relinks
    python3 bench/reload/order_text.py --check         # how many 64 KiB windows that code spans, nothing written

Why: the kernel maps a file's pages 64 KiB at a time around each page fault
(fault-around), so every executed function costs the whole 64 KiB window it
sits in. The code devwatch runs for a reloader is about 0.5 MiB, scattered by
the linker over the 2.2 MiB of text, and nearly all of the text ends up
resident: that is most of devwatch's peak RSS (bench/reload/memory.py).
Placed together, the same code spans a few windows.

How: the workload (a client's initialize, subscribe "**", crawl, edits,
creates, deletes and shutdown; then runserver on the example with
devwatch.django, an edit of a view and the restarted child's devwatch, with
the Django of --python) runs under valgrind's callgrind, which names every
function executed, in libc and libstdc++ too. Each name is looked up in the
executable (nm) and then in the link map (build/server/devwatch.map) to find
the input section that holds it: a function section of ours, or a whole
object of libc.a, which has no section per function. The linker script lists
those sections in an output section inserted before .text; the default script
does the rest. Then the executable is relinked with it and the workload runs
natively under perf's page-fault event: a fault in .text outside the hot
section names code valgrind's run did not take (glibc's vDSO set-up, the
pidfd path); those functions join the list, until a round finds none.
A function added later and missing from the list still links, only
elsewhere: rerun this after changes to what the reloader path runs.
"""
import argparse
import bisect
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "python" / "src"))

from devwatch.client import Client  # noqa: E402
from devwatch.notifications import FilesDidChange  # noqa: E402

WINDOW = 64 * 1024


def client_workload(binary: str, root: Path) -> None:
    """The protocol DevwatchReloader uses, and a change of each kind."""
    with Client([root], binary=binary, client_name="bench.order_text", start_timeout=120.0,
                initialization_options={"autoStart": False, "autoRestart": False,
                                        "settings": {"watch": {"respectGitignore": False, "exclude": []}}}) as client:
        client.subscribe("**", kind=7, settle_ms=10, timeout=120.0)
        client.wait_until_watching(timeout=300.0)
        client.status(timeout=120.0)
        steps = [lambda: (root / "blog" / "views.py").write_text("# edited\n"),
                 lambda: os.utime(root / "manage.py"),
                 lambda: (root / "newpkg" / "sub").mkdir(parents=True),
                 lambda: (root / "newpkg" / "sub" / "m.py").write_text("x = 1\n"),
                 lambda: (root / "blog" / "views.py").unlink()]
        for step in steps:
            step()
            while True:
                note = client.next_notification(timeout=120.0)
                if note is None:
                    raise SystemExit("devwatch sent no change notification within 120 s")
                if isinstance(note, FilesDidChange):
                    break


def runserver_workload(binary: str, root: Path, python: str) -> None:
    """DevwatchReloader itself: runserver on the example with devwatch.django
    installed (its roots, excludes and site-packages crawl), an edit of a
    view, the restarted child's devwatch, then Ctrl-C."""
    with open(root / "blogsite" / "settings.py", "a") as f:
        f.write('\nINSTALLED_APPS = INSTALLED_APPS + ["devwatch.django"]\n')
    env = dict(os.environ, DEVWATCH_BIN=binary, DEVWATCH_FALLBACK="strict", PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "python" / "src"), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([python, "manage.py", "runserver", "127.0.0.1:18699"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    try:
        for edit in (True, False):
            for line in proc.stderr:
                lines.append(line)
                if "Watching for file changes with DevwatchReloader" in line:
                    break
            else:
                raise SystemExit("runserver never ran on DevwatchReloader:\n" + "".join(lines[-20:]))
            if edit:
                with open(root / "blog" / "views.py", "a") as f:
                    f.write("\n# edited\n")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def workload(binary: str, work: Path, python: str) -> None:
    for run in (client_workload, lambda b, r: runserver_workload(b, r, python)):
        root = work / "project"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(REPO / "examples" / "django-blog", root)
        run(binary, root)


def wait_for_files(pattern: str, folder: Path, count: int, timeout: float = 120.0) -> list:
    """devwatch instances outlive runserver by a moment (they exit when
    their client does); their profiles appear when they have."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(folder.glob(pattern))
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def executed_functions(binary: str, work: Path, python: str) -> set:
    out = work / "callgrind"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    wrapper = work / "devwatch-under-callgrind"
    wrapper.write_text("#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s/%%p.out --dump-instr=no "
                       "--compress-strings=no --compress-pos=no --demangle=no %s \"$@\"\n" % (out, binary))
    wrapper.chmod(0o755)
    workload(str(wrapper), work, python)
    names = set()
    for profile in wait_for_files("*.out", out, 3):  # the client's, and one per runserver child
        for line in profile.read_text(errors="replace").splitlines():
            if line.startswith("fn="):
                names.add(re.sub(r"'\d+$", "", line[3:]))  # callgrind's recursion-depth suffix
    return names


def faulting_functions(binary: str, work: Path, python: str) -> set:
    """The functions whose code page-faulted outside .text.hot_path in a
    native run (perf's page-fault event): what valgrind's run cannot show,
    such as glibc's vDSO set-up (valgrind gives no vDSO) or the pidfd path
    (valgrind does not know pidfd_open)."""
    out = work / "faults"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    wrapper = work / "devwatch-under-perf"
    wrapper.write_text("#!/bin/sh\nexec perf record -q -e page-faults -c 1 -d -o %s/$$.data %s \"$@\"\n"
                       % (out, binary))
    wrapper.chmod(0o755)
    workload(str(wrapper), work, python)
    text, hot = section_bounds(binary, ".text"), section_bounds(binary, ".text.hot_path")
    functions = sorted((a, n) for n, addrs in symbol_addresses(binary).items() for a in addrs)
    starts = [a for a, _ in functions]
    names = set()
    for data in wait_for_files("*.data", out, 3):
        script = subprocess.run(["perf", "script", "-i", str(data), "-F", "addr"],
                                capture_output=True, text=True).stdout
        for word in script.split():
            address = int(word, 16)
            if text[0] <= address < text[1] and not hot[0] <= address < hot[1]:
                k = bisect.bisect_right(starts, address) - 1
                if k >= 0:
                    names.add(functions[k][1])
    return names


def section_bounds(binary: str, name: str):
    listing = subprocess.run(["readelf", "-SW", binary], check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == name:
            return int(fields[3], 16), int(fields[3], 16) + int(fields[5], 16)
    return 0, 0


def symbol_addresses(binary: str) -> dict:
    by_name = {}
    listing = subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tTwWiI":
            by_name.setdefault(fields[2], []).append(int(fields[0], 16))
    return by_name


def text_sections(map_file: Path) -> list:
    """(address, size, section name, input file) of every input section the
    link map places in an output section whose name starts with .text."""
    out, pending, inside = [], None, False
    for line in map_file.read_text(errors="replace").splitlines():
        if line and not line[0].isspace():
            inside = line.startswith(".text")
            continue
        if not inside:
            continue
        m = re.match(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m:
            out.append((int(m[2], 16), int(m[3], 16), m[1], m[4].strip()))
            pending = None
            continue
        m = re.match(r"^ (\S+)\s*$", line)
        if m:
            pending = m[1]
            continue
        m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and pending:
            out.append((int(m[1], 16), int(m[2], 16), pending, m[3].strip()))
        pending = None
    return sorted(s for s in out if s[1] > 0)


def section_pattern(name: str, source: str):
    """The linker-script pattern for one input section: by name when it is a
    section per function, else by archive member (libc.a's objects)."""
    if name != ".text" and not name.startswith(".text.") or name.startswith(".text.hot"):
        return None
    m = re.match(r"^(.*/)?([^/(]+\.a)\((.+)\)$", source)
    if name.startswith(".text.") and not re.match(r"^\.text\.(avx|evex|sse|unlikely$)", name):
        return f"*({name})"
    if m:
        return f"*{m[2]}:{m[3]}({name})"
    return None


def ifunc_siblings(pattern: str):
    """glibc picks a string function's variant at start-up by CPU (ifunc):
    valgrind's CPU has AVX2 and no AVX-512, so a machine with AVX-512 runs the
    evex variant of what was measured; keep it next to the measured one."""
    m = re.match(r"^(\*libc\.a:[a-z]+)-avx2?(-.*)?\.o\(\.text\.avx\)$", pattern)
    if m:
        yield f"{m[1]}-evex{m[2] or ''}.o(.text.evex .text.evex512)"


def hot_sections(names: set, symbols: dict, sections: list):
    starts = [s[0] for s in sections]
    found, patterns, spans = 0, set(), []
    for name in names:
        for address in symbols.get(name, ()):
            k = bisect.bisect_right(starts, address) - 1
            if k < 0 or address >= sections[k][0] + sections[k][1]:
                continue
            found += 1
            pattern = section_pattern(sections[k][2], sections[k][3])
            if pattern:
                patterns.add(pattern)
                patterns.update(ifunc_siblings(pattern))
            spans.append(sections[k][:2])
    return found, patterns, spans


def windows(spans) -> int:
    touched = set()
    for address, size in spans:
        touched.update(range(address // WINDOW, (address + max(size, 1) - 1) // WINDOW + 1))
    return len(touched)


def write_script(path: Path, patterns: set) -> None:
    lines = ["/* Generated by bench/reload/order_text.py: the input sections DevwatchReloader's",
             "   work executes, kept together so fault-around maps few 64 KiB windows of text.",
             "   Regenerate after changing what that path runs; stale entries match nothing. */",
             "SECTIONS", "{", "  .text.hot_path :", "  {"]
    lines += [f"    {p}" for p in sorted(patterns)]
    lines += ["  }", "}", "INSERT BEFORE .text;", ""]
    path.write_text("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(REPO / "build"), help="the CMake build directory (static build)")
    ap.add_argument("--out", default=str(REPO / "server" / "hot-text.ld"))
    ap.add_argument("--python", default=str(Path(os.environ.get("DEVWATCH_CACHE", Path.home() / ".cache" / "devwatch-dev"))
                                         / "bench" / "reload-venv" / "bin" / "python"),
                    help="a Python with Django (bench/reload/setup.sh makes this one)")
    ap.add_argument("--check", action="store_true", help="report the spread of the hot code; write nothing")
    args = ap.parse_args()
    binary = os.path.join(os.path.abspath(args.build), "server", "devwatch")
    map_file = Path(binary + ".map")
    for tool, package in (("valgrind", "valgrind"), ("perf", "linux-perf")):
        if not shutil.which(tool):
            print(f"order_text: {tool} is needed (apt-get install {package})", file=sys.stderr)
            return 2
    if not os.access(args.python, os.X_OK):
        print(f"order_text: no Python with Django at {args.python}: run bench/reload/setup.sh or pass --python",
              file=sys.stderr)
        return 2
    if not map_file.is_file():
        print(f"order_text: no link map at {map_file}: build with DEVWATCH_STATIC=ON", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="devwatch-order-") as tmp:
        work = Path(tmp)

        def report(names: set):
            found, patterns, spans = hot_sections(names, symbol_addresses(binary), text_sections(map_file))
            print(f"{len(names)} functions, {found} located, {len(patterns)} input sections, "
                  f"{sum(size for _, size in set(spans)) / 1024:.0f} KiB; they span {windows(set(spans))} "
                  f"windows of 64 KiB in {binary}")
            return patterns

        names = executed_functions(binary, work, args.python)
        patterns = report(names)
        if args.check:
            print("native faults outside .text.hot_path in:", sorted(faulting_functions(binary, work, args.python)))
            return 0
        # Relink with the script and look for what faults natively outside
        # it, until nothing new does (each round shows only the first fault
        # of each window, so a few rounds are needed).
        for _ in range(6):
            write_script(Path(args.out), patterns)
            subprocess.run(["cmake", "--build", args.build, "--target", "devwatch"], check=True,
                           stdout=subprocess.DEVNULL)
            missing = faulting_functions(binary, work, args.python) - names
            print(f"native faults outside .text.hot_path in {len(missing)} more functions")
            if not missing:
                break
            names |= missing
            patterns = report(names)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
