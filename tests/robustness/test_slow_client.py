"""A client that stops reading while a dev server floods 100 MB and files change.

Bound: devwatch's peak RSS grows by at most 48 MiB over its pre-flood RSS. Why:
what may legitimately grow is the client queue, which devwatch caps at 4 MiB
before it stops streaming output (protocol.md), the output ring (outputLines
10,000 x ~1 KiB lines here = ~10 MiB), and the queued state/file notifications
(a few hundred); 48 MiB is that total with >2x allocator slack, and less than
half of the 100 MB that would be held if output were queued without a cap.
"""
import os

import pytest

from devserver_util import wait_until
from rutil import DIDCHANGE, OUTPUT, STATE, record, script, session, status_kb, subscribe, wait_crawled, wait_state

FLOOD_BYTES = 100 * 1024 * 1024
LINE = 1024  # bytes per line including LF
N_FILES = 300
BOUND_KB = 48 * 1024


def test_slow_client_bounded_memory_counted_gap_nothing_else_lost(tmp_path):
    fifo = tmp_path / "go.fifo"
    os.mkfifo(fifo)
    flooded = tmp_path / "flooded"
    cmd = script(tmp_path, "flood.py", f"""
        import os, sys
        lines = {FLOOD_BYTES // LINE}
        print("armed", flush=True)
        f = open({str(fifo)!r})
        f.readline()                      # the test says go
        out = sys.stdout.buffer
        block = []
        for n in range(lines):
            block.append(b"L%09d " % n + b"x" * ({LINE} - 12) + b"\\n")
            if len(block) == 64:
                out.write(b"".join(block)); block = []
        out.write(b"".join(block)); out.flush()
        open({str(flooded)!r}, "w").close()
        f.readline()                      # the test has resumed reading
        for n in range(5):
            out.write(b"tail %d\\n" % n)
        out.flush()
        import time; time.sleep(600)
        """)
    quiet = ["python3", "-c", "import time; print('q', flush=True); time.sleep(600)"]
    client, root = session(tmp_path, {"flood": {"command": cmd, "ready": {"pattern": "armed"}},
                                      "quiet": {"command": quiet, "ready": {"pattern": "^q$"},
                                                "stopSignal": "SIGTERM"}})
    (root / "src").mkdir()
    with client:
        sub = subscribe(client, "src/**")
        wait_state(client, "flood", "ready")
        wait_state(client, "quiet", "ready")
        wait_crawled(client)
        pid = client.proc.pid
        rss_before = status_kb(pid, "VmRSS")
        client.inbox.clear()

        # --- the client stops reading stdout from here on -----------------
        go = open(fifo, "w")
        go.write("go\n"); go.flush()
        written = set()
        for i in range(N_FILES):
            p = root / "src" / f"f{i}.txt"
            p.write_text(str(i))
            written.add(p.as_uri())
        restart_id = client.request_async("devwatch/devServer/restart", {"name": "quiet"})
        wait_until(flooded.exists, timeout=240, what="the flood to be read by devwatch", interval=0.1)
        hwm_stalled = status_kb(pid, "VmHWM")
        rss_stalled = status_kb(pid, "VmRSS")
        assert client.proc.poll() is None

        # --- resume reading -----------------------------------------------
        reply = client.wait_reply(restart_id, timeout=120)
        assert "result" in reply, reply
        quiet_ready = wait_state(client, "quiet", "ready", timeout=120)  # taken from the inbox
        seen = set()
        while not written <= seen:
            p = client.wait_notification(DIDCHANGE, lambda p: p["subscriptionId"] == sub, timeout=120)
            seen.update(c["uri"] for c in p["changes"])
        status = client.request("devwatch/status", timeout=120)  # no deadlock: answered
        assert "result" in status
        go.write("more\n"); go.flush()
        tail = client.wait_notification(OUTPUT, lambda p: p["name"] == "flood" and p["text"] == "tail 4",
                                        timeout=120)
        go.close()
        outputs = [m["params"] for m in client.inbox if m.get("method") == OUTPUT] + [tail]
        streamed = [p for p in outputs if p["name"] == "flood" and p["text"].startswith("L")]
        states = [m["params"]["state"] for m in client.inbox if m.get("method") == STATE
                  and m["params"]["name"] == "quiet"]
        hwm = status_kb(pid, "VmHWM")
        assert client.shutdown_and_exit() == 0

    total = FLOOD_BYTES // LINE
    # Every line after the stall began was either streamed or counted in a `skipped`:
    # the flood's lines, its 5 tail lines and the quiet server's one line after its restart.
    emitted = total + 5 + 1
    reported = sum(p.get("skipped", 0) for p in outputs)
    assert reported > 0, "the gap is reported on a later streamed line"
    assert len(outputs) + reported == emitted, (len(outputs), reported, emitted)
    assert [int(p["text"][1:10]) for p in streamed] == list(range(len(streamed))), "streamed lines in order, no holes"
    # State changes are never dropped: the whole restart of the other server arrived.
    assert states == ["stopping", "starting"] and quiet_ready["pid"] != reply["result"].get("pid", 0), states
    states.append("ready")
    assert hwm - rss_before <= BOUND_KB, f"peak RSS grew {hwm - rss_before} KiB > {BOUND_KB} KiB"
    record("slow_client", flood_bytes=FLOOD_BYTES, flood_lines=total, streamed_lines=len(streamed),
           skipped_reported=reported, files_written=N_FILES, files_seen=len(seen & written),
           rss_before_kb=rss_before, rss_stalled_kb=rss_stalled, hwm_stalled_kb=hwm_stalled, hwm_end_kb=hwm,
           bound_growth_kb=BOUND_KB, quiet_states=states)


def flood_script(tmp_path, name, lines):
    fifo = tmp_path / f"{name}.fifo"
    os.mkfifo(fifo)
    cmd = script(tmp_path, f"{name}.py", f"""
        import sys, time
        print("armed", flush=True)
        f = open({str(fifo)!r})
        f.readline()
        out = sys.stdout.buffer
        for n in range({lines}):
            out.write(b"L%09d " % n + b"x" * 1000 + b"\\n")
        out.flush()
        open({str(tmp_path / (name + '.flooded'))!r}, "w").close()
        f.readline()
        for n in range(5):
            out.write(b"tail %d\\n" % n)
        out.flush()
        time.sleep(600)
        """)
    return cmd, fifo, tmp_path / f"{name}.flooded"


def test_skipped_counts_the_gap_of_its_own_server(tmp_path):
    a_cmd, a_fifo, a_done = flood_script(tmp_path, "a", 10 * 1024)   # 10 MB: fills the 4 MiB queue
    b_cmd, b_fifo, b_done = flood_script(tmp_path, "b", 1024)        # 1 MB, all while the queue is full
    client, _ = session(tmp_path, {"a": {"command": a_cmd, "ready": {"pattern": "armed"}},
                                   "b": {"command": b_cmd, "ready": {"pattern": "armed"}}})
    with client:
        wait_state(client, "a", "ready")
        wait_state(client, "b", "ready")
        client.request("devwatch/status")
        before = {p["params"]["name"]: p["params"]["seq"] for p in client.inbox if p.get("method") == OUTPUT}
        client.inbox.clear()
        fa, fb = open(a_fifo, "w"), open(b_fifo, "w")
        fa.write("go\n"); fa.flush()
        wait_until(a_done.exists, timeout=120, what="a's flood", interval=0.1)
        fb.write("go\n"); fb.flush()
        wait_until(b_done.exists, timeout=120, what="b's flood", interval=0.1)
        assert "result" in client.request("devwatch/status", timeout=120)  # resumes reading
        for f in (fa, fb):
            f.write("more\n"); f.flush()
        for name in ("a", "b"):
            client.wait_notification(OUTPUT, lambda p: p["name"] == name and p["text"] == "tail 4", timeout=120)
        fa.close(); fb.close()
        outs = [m["params"] for m in client.inbox if m.get("method") == OUTPUT]
        assert client.shutdown_and_exit() == 0
    for name in ("a", "b"):
        prev = before[name]
        for p in sorted((p for p in outs if p["name"] == name), key=lambda p: p["seq"]):
            assert p.get("skipped", 0) == p["seq"] - prev - 1, (name, p["seq"], prev, p.get("skipped"))
            prev = p["seq"]
