"""Load on the protocol: many subscriptions, many requests in flight, cancel races, a torn frame."""
import os

from devserver_util import group_members
from lsp_client import LspClient
from rutil import DIDCHANGE, record, script, session, subscribe, survivors, wait_crawled, wait_gone, wait_state

N_SUBS = 1000
N_INFLIGHT = 100
N_RACES = 100


def test_a_thousand_subscriptions_each_get_their_change(tmp_path):
    root = tmp_path / "ws"
    (root / "d").mkdir(parents=True)
    with LspClient(stderr_path=tmp_path / "devwatch.stderr", env={"DEVWATCH_LOG": "info"}) as client:
        client.initialize(str(root))
        subs = {subscribe(client, f"d/f{i}.txt"): i for i in range(N_SUBS)}
        assert len(subs) == N_SUBS, "subscription ids are unique"
        w = wait_crawled(client)
        assert w["subscriptions"] == N_SUBS
        for i in range(N_SUBS):
            (root / "d" / f"f{i}.txt").write_text(str(i))
        got: dict[str, list] = {}
        notes = 0
        while len(got) < N_SUBS:
            p = client.wait_notification(DIDCHANGE, timeout=60)
            notes += 1
            got.setdefault(p["subscriptionId"], []).extend((c["uri"], c["type"]) for c in p["changes"])
        for sid, i in subs.items():
            # Its file and only its file; created first (a loaded machine may split the
            # create and the write across two settle windows: created, then changed).
            mine = (root / "d" / f"f{i}.txt").as_uri()
            assert {u for u, _ in got[sid]} == {mine} and got[sid][0][1] == 1, (sid, got[sid])
            assert all(t == 2 for _, t in got[sid][1:]), (sid, got[sid])
        rss = client.peak_rss_kb()
        assert client.shutdown_and_exit() == 0
    record("thousand_subscriptions", subscriptions=N_SUBS, notifications=notes, peak_rss_kb=rss)


def test_a_hundred_requests_in_flight(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    with LspClient(stderr_path=tmp_path / "devwatch.stderr", env={"DEVWATCH_LOG": "info"}) as client:
        client.initialize(str(root))
        methods = ["devwatch/status", "devwatch/devServer/list", "devwatch/files/subscribe"]
        sent = {}
        for i in range(N_INFLIGHT):
            m = methods[i % 3]
            sent[client.request_async(m, {"globPattern": f"**/*.x{i}"} if "subscribe" in m else None)] = m
        replies = [client.wait_for(lambda m: "id" in m and "method" not in m, what="a reply")
                   for _ in range(N_INFLIGHT)]
        ids = [r["id"] for r in replies]
        assert sorted(ids) == sorted(sent), "one reply per request, ids matched"
        assert all("result" in r for r in replies), [r for r in replies if "result" not in r][:3]
        # No second reply for any of them: a sync request after, then nothing extra in the inbox.
        client.request("devwatch/status")
        assert not [m for m in client.inbox if "id" in m and "method" not in m]
        assert client.shutdown_and_exit() == 0
    record("hundred_in_flight", requests=N_INFLIGHT, replies=len(replies))


def test_cancel_races_give_exactly_one_reply(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    with LspClient(stderr_path=tmp_path / "devwatch.stderr", env={"DEVWATCH_LOG": "info"}) as client:
        client.initialize(str(root))
        ids = []
        for i in range(N_RACES):
            rid = client.request_async("devwatch/status")          # cancel right after sending
            client.notify("$/cancelRequest", {"id": rid})
            ids.append(rid)
        answered = client.request("devwatch/devServer/list")["id"]  # cancel of an answered id
        ids.append(answered)
        client.notify("$/cancelRequest", {"id": answered})
        client.notify("$/cancelRequest", {"id": 987654321})         # of an unknown id
        client.notify("$/cancelRequest", {"id": "no-such-id"})
        sync = client.request("devwatch/status")
        assert "result" in sync
        replies = [m for m in client.inbox if "id" in m and "method" not in m]
        # Replies to the raced ids may still be in the pipe: read until each has one (bounded).
        while len({r["id"] for r in replies} - {answered}) < N_RACES:
            replies.append(client.wait_for(lambda m: "id" in m and "method" not in m, what="a raced reply"))
        client.request("devwatch/status")  # everything before it has been written
        replies += [m for m in client.inbox if "id" in m and "method" not in m and m not in replies]
        counts = {}
        for r in replies:
            counts[r["id"]] = counts.get(r["id"], 0) + 1
        assert all(counts.get(i) == 1 for i in ids[:-1]), {i: counts.get(i) for i in ids if counts.get(i) != 1}
        assert 987654321 not in counts and "no-such-id" not in counts
        cancelled = sum(1 for r in replies if r.get("error", {}).get("code") == -32800)
        assert all("result" in r or r["error"]["code"] == -32800 for r in replies), replies[:3]
        assert client.shutdown_and_exit() == 0
    record("cancel_races", races=N_RACES, cancelled_replies=cancelled, result_replies=N_RACES - cancelled)


def test_client_disconnecting_mid_message(tmp_path):
    cmd = script(tmp_path, "srv.py", """
        import os, time
        if os.fork() == 0:
            time.sleep(600)
        print("up", flush=True)
        time.sleep(600)
        """)
    client, _ = session(tmp_path, {"srv": {"command": cmd, "ready": {"pattern": "up"}, "stopSignal": "SIGTERM"}})
    with client:
        ready = wait_state(client, "srv", "ready")
        body = b'{"jsonrpc":"2.0","id":99,"method":"devwatch/status"}'
        client.write_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body[:20])
        client.close_stdin()
        code = client.drain_until_exit(timeout=30)
        assert code == 1, "end of input without shutdown exits 1"
        assert not [m for m in client.inbox if m.get("id") == 99], "half a request is never answered"
        left = survivors(pgids=[ready["pid"]])
        wait_gone(pgids=[ready["pid"]], timeout=10)
    assert "end of input" in client.stderr_text().lower() or "eof" in client.stderr_text().lower()
    record("torn_frame_eof", exit_code=code, left_at_exit=len(left))
    assert left == [], "devwatch exited before its group was gone"
