"""An hour of use compressed: many file changes and restarts, with RSS and fds sampled.

Default (scale 1): 20,000 file changes and 100 restarts, about a minute on a
loaded 2-core machine. DEVWATCH_SOAK_SCALE=5 gives the issue's 100,000 changes
and 500 restarts. Bounds (after a warm-up of the first 10% of rounds):
- RSS grows by at most 8 MiB: devwatch's state here is fixed in size (500
  paths, one server that prints nothing), so anything that grows with the
  number of changes or restarts is a leak; 8 MiB is allocator slack.
- open fds at each `ready` (old group gone, new one running) equal the
  baseline: every restart's pipes, pidfd and shim fds are closed.
- every path's final state (exists / deleted, from a ledger of what the test
  wrote) is the last change devwatch reported for it.
"""
import os
import time

from rutil import DIDCHANGE, STATE, fd_count, record, session, status_kb, subscribe, wait_crawled

SCALE = float(os.environ.get("DEVWATCH_SOAK_SCALE", "1"))
CHANGES = int(20000 * SCALE)
RESTARTS = max(10, int(100 * SCALE))
PATHS = 500
RSS_SLACK_KB = 8 * 1024


def test_soak_changes_and_restarts(tmp_path):
    client, root = session(tmp_path, {"svc": {"command": ["sleep", "100000"], "stopSignal": "SIGTERM",
                                              "restartOn": ["never/**"]}})
    dirs = [root / f"d{i}" for i in range(10)]
    for d in dirs:
        d.mkdir()
    paths = [dirs[i % 10] / f"p{i}.txt" for i in range(PATHS)]
    uri_of = {p: p.as_uri() for p in paths}
    last: dict[str, int] = {}  # uri -> last reported FileChangeType
    events = 0

    def absorb():
        nonlocal events
        keep = []
        for m in client.inbox:
            if m.get("method") == DIDCHANGE and m["params"]["subscriptionId"] == sub:
                for c in m["params"]["changes"]:
                    last[c["uri"]] = c["type"]
                    events += 1
            elif m.get("method") != STATE:
                keep.append(m)
        client.inbox[:] = keep

    def settle(expect, timeout=120):
        """Reads didChange until expect(last) holds (bounded)."""
        deadline = time.monotonic() + timeout
        absorb()
        while not expect():
            left = deadline - time.monotonic()
            assert left > 0, "changes not delivered in time"
            client.inbox.append({"method": DIDCHANGE, "params": client.wait_notification(
                DIDCHANGE, lambda p: p["subscriptionId"] == sub, timeout=left)})
            absorb()

    with client:
        pid = client.proc.pid
        sub = subscribe(client, "d*/**")
        ready = client.wait_notification(STATE, lambda p: p["state"] == "ready")
        wait_crawled(client)
        exists = {}
        for p in paths:  # every path exists and is reported once first
            p.write_text("0")
            exists[p] = True
        settle(lambda: all(last.get(uri_of[p]) in (1, 2) for p in paths))

        per_round = CHANGES // RESTARTS
        samples, written, op = [], PATHS, 0
        warmup = max(1, RESTARTS // 10)
        t0 = time.monotonic()
        for rnd in range(RESTARTS):
            for _ in range(per_round):
                p = paths[(op * 7919) % PATHS]  # a stride that visits every path
                op += 1
                if op % 10 == 0 and exists[p]:
                    p.unlink()
                    exists[p] = False
                else:
                    p.write_text(str(op))
                    exists[p] = True
                written += 1
            rid = client.request_async("devwatch/devServer/restart", {"name": "svc"})
            reply = client.wait_reply(rid, timeout=60)
            assert "result" in reply, reply
            old = ready["pid"]
            ready = client.wait_notification(STATE, lambda p: p["state"] == "ready" and p.get("pid") != old,
                                             timeout=60)
            absorb()
            samples.append((status_kb(pid, "VmRSS"), fd_count(pid)))
        elapsed = time.monotonic() - t0
        sentinel = dirs[0] / "sentinel.txt"
        sentinel.write_text("end")
        settle(lambda: last.get(sentinel.as_uri()) == 1)
        settle(lambda: all((last.get(uri_of[p]) in (1, 2)) == exists[p] for p in paths))
        hwm = status_kb(pid, "VmHWM")
        assert client.shutdown_and_exit() == 0

    wrong = [p.name for p in paths if (last.get(uri_of[p]) in (1, 2)) != exists[p]]
    assert not wrong, f"final state not delivered for {wrong[:10]}"
    base_rss, base_fds = samples[warmup - 1]
    late = samples[warmup:]
    max_rss = max(r for r, _ in late)
    assert max_rss - base_rss <= RSS_SLACK_KB, f"RSS grew {max_rss - base_rss} KiB after warm-up"
    fds = [f for _, f in late]
    assert fds[-1] == base_fds and max(fds) == base_fds, f"fds {base_fds} at warm-up, then {sorted(set(fds))}"
    record("soak", scale=SCALE, changes_written=written, restarts=RESTARTS, events_delivered=events,
           paths=PATHS, final_states_checked=PATHS, rss_warmup_kb=base_rss, rss_max_after_warmup_kb=max_rss,
           rss_end_kb=samples[-1][0], hwm_kb=hwm, fds_baseline=base_fds, fds_max=max(fds), fds_end=fds[-1],
           rss_bound_growth_kb=RSS_SLACK_KB, seconds=round(elapsed, 1))
