"""Dev servers that misbehave: devwatch stays correct and leaves nothing behind."""
import json
import os
import signal

from devserver_util import wait_until
from rutil import OUTPUT, STATE, record, script, session, survivors, wait_gone, wait_state


def stop_and_check_gone(client, name, pgid, extra_pids=()):
    assert client.request("devwatch/devServer/stop", {"name": name})["result"]["state"] == "stopping"
    stopped = wait_state(client, name, "stopped")
    # "Stopped means gone" (docs/supervision.md): nothing of the group at the stopped notification.
    assert survivors(extra_pids, [pgid]) == [], "stopped was reported while processes of the group lived"
    return stopped


def test_server_that_never_prints_a_newline(tmp_path):
    cmd = script(tmp_path, "nonl.py", """
        import sys, time
        for i in range(64):
            sys.stdout.write("x" * 4096); sys.stdout.flush()
        open(sys.argv[0] + ".done", "w").close()
        time.sleep(600)
        """)
    client, _ = session(tmp_path, {"nonl": {"command": cmd}})
    with client:
        ready = wait_state(client, "nonl", "ready")
        chunks, total = [], 0
        while total < 31 * 8192:  # 256 KiB without LF: 31 complete 8 KiB chunks must come out
            p = client.wait_notification(OUTPUT, lambda p: p["name"] == "nonl")
            chunks.append(p)
            total += len(p["text"])
        assert all(c.get("cut") is True for c in chunks), "every chunk of an unterminated line is marked cut"
        assert max(len(c["text"].encode()) for c in chunks) <= 8192
        assert client.request("devwatch/status")["result"]["pid"] == client.proc.pid
        stop_and_check_gone(client, "nonl", ready["pid"])
        assert client.shutdown_and_exit() == 0
    record("never_newline", chunks=len(chunks), bytes_streamed=total, max_chunk=max(len(c["text"]) for c in chunks))


def test_invalid_utf8_output_gives_valid_json(tmp_path):
    cmd = script(tmp_path, "bad.py", r"""
        import os, time
        os.write(1, b"lat1 caf\xe9\n" b"cut \xe2\x82\n" b"lone \xff\xfe\n" b"surrogate \xed\xa0\x80\n" b"ok \xe2\x82\xac\n")
        os.write(2, b"err \xc3\x28\n")
        time.sleep(600)
        """)
    client, _ = session(tmp_path, {"bad": {"command": cmd}})
    with client:
        ready = wait_state(client, "bad", "ready")
        got = {}
        while len(got) < 6:
            p = client.wait_notification(OUTPUT, lambda p: p["name"] == "bad")
            p["text"].encode("utf-8")  # strict: a lone surrogate (from \xed\xa0\x80 passed through) fails here
            got[p["text"].split(" ")[0]] = p
        assert got["ok"]["text"] == "ok \u20ac", "valid UTF-8 passes unchanged"
        assert got["err"]["stream"] == "stderr"
        stop_and_check_gone(client, "bad", ready["pid"])
        assert client.shutdown_and_exit() == 0
    record("invalid_utf8", lines={k: v["text"] for k, v in got.items()})


def test_server_that_closes_stdout_and_keeps_running(tmp_path):
    cmd = script(tmp_path, "closer.py", """
        import os, sys, time
        print("bye stdout"); sys.stdout.flush()
        os.close(1); os.close(2)
        open(sys.argv[0] + ".closed", "w").close()
        time.sleep(600)
        """)
    marker = tmp_path / "closer.py.closed"
    client, _ = session(tmp_path, {"closer": {"command": cmd, "stopSignal": "SIGTERM"}})
    with client:
        ready = wait_state(client, "closer", "ready")
        client.wait_notification(OUTPUT, lambda p: p["text"] == "bye stdout")
        wait_until(marker.exists, what="the server to close its stdout")
        # Closed pipes are not an exit: the server still runs and is still ready.
        info = client.request("devwatch/devServer/list")["result"]["servers"][0]
        assert info["state"] == "ready" and info["pid"] == ready["pid"]
        assert not [m for m in client.inbox if m.get("method") == STATE and m["params"]["state"] not in ("starting", "ready")]
        stopped = stop_and_check_gone(client, "closer", ready["pid"])
        assert stopped.get("signal") in (None, "SIGTERM", 15) or "exitCode" in stopped
        assert client.shutdown_and_exit() == 0
    record("closes_stdout", state_after_close=info["state"])


def test_server_ignoring_sigterm_and_sigint_is_killed(tmp_path):
    cmd = script(tmp_path, "deaf.py", """
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("deaf", flush=True)
        time.sleep(600)
        """)
    client, _ = session(tmp_path, {"deaf": {"command": cmd, "stopSignal": "SIGTERM", "stopTimeoutMs": 300,
                                            "ready": {"pattern": "deaf"}}})
    with client:
        ready = wait_state(client, "deaf", "ready")
        stopped = stop_and_check_gone(client, "deaf", ready["pid"])
        assert stopped.get("killed") is True, stopped
        assert client.shutdown_and_exit() == 0
    record("ignores_sigterm_sigint", killed=stopped.get("killed"), reason=stopped.get("reason"))


def test_fifty_grandchildren_are_all_gone_after_stop(tmp_path):
    pids_file = tmp_path / "kids.json"
    cmd = script(tmp_path, "forker.py", f"""
        import json, os, signal, sys, time
        kids = []
        for i in range(50):
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGINT, signal.SIG_IGN)
                if i % 10 == 0:
                    os.setsid()          # escapes the group: the subreaper still owns it
                if i % 10 == 1 and os.fork() > 0:
                    os._exit(0)          # double fork: orphaned, re-parented to the shim
                time.sleep(600)
                os._exit(0)
            kids.append(pid)
        open({str(pids_file)!r} + ".tmp", "w").write(json.dumps(kids))
        os.rename({str(pids_file)!r} + ".tmp", {str(pids_file)!r})
        print("forked", flush=True)
        time.sleep(600)
        """)
    client, _ = session(tmp_path, {"forker": {"command": cmd, "stopSignal": "SIGTERM", "stopTimeoutMs": 500,
                                              "ready": {"pattern": "forked"}}})
    with client:
        ready = wait_state(client, "forker", "ready")
        kids = json.loads(pids_file.read_text())
        before = len(survivors(kids, [ready["pid"]]))
        stopped = stop_and_check_gone(client, "forker", ready["pid"], kids)
        # The setsid() children lead groups of their own (pgid == pid): gone as well.
        assert survivors(pgids=kids[::10]) == []
        assert client.shutdown_and_exit() == 0
    record("fifty_grandchildren", alive_before_stop=before, alive_after_stop=0, killed=stopped.get("killed"))


def test_instant_exit_loop_reaches_backoff_without_a_storm(tmp_path):
    client, root = session(tmp_path, {"flap": {"command": ["python3", "-c", "raise SystemExit(7)"],
                                               "restartOn": ["src/**"]}})
    with client:
        backoff = wait_state(client, "flap", "backoff", timeout=90)
        starts = [m for m in client.inbox if m.get("method") == STATE and m["params"]["state"] == "starting"]
        crashes = [m for m in client.inbox if m.get("method") == STATE and m["params"]["state"] == "crashed"]
        assert len(starts) == 5 and len(crashes) == 4, (len(starts), len(crashes))
        # A change that is not relevant, seen by a subscription: after it, still no restart.
        sub = client.request("devwatch/files/subscribe", {"globPattern": "other/**"})["result"]["subscriptionId"]
        (root / "other").mkdir()
        (root / "other" / "x.txt").write_text("x")
        client.wait_notification("devwatch/files/didChange", lambda p: p["subscriptionId"] == sub)
        info = client.request("devwatch/devServer/list")["result"]["servers"][0]
        assert info["state"] == "backoff" and info["exitCode"] == 7
        after = [m for m in client.inbox if m.get("method") == STATE and m["params"]["state"] == "starting"]
        assert len(after) == 5
        assert client.shutdown_and_exit() == 0
    record("instant_exit_loop", starts=len(starts), crashes_before_backoff=len(crashes) + 1,
           reason=backoff["reason"])


def test_server_that_sigstops_itself_is_still_stopped(tmp_path):
    cmd = script(tmp_path, "freeze.py", """
        import os, signal
        print("freezing", flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)
        """)
    client, _ = session(tmp_path, {"freeze": {"command": cmd, "stopSignal": "SIGTERM", "stopTimeoutMs": 300,
                                              "ready": {"pattern": "freezing"}}})
    with client:
        ready = wait_state(client, "freeze", "ready")
        pid = ready["pid"]
        wait_until(lambda: open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "T",
                   what="the server to stop itself")
        assert client.request("devwatch/status")["result"]["devServers"][0]["state"] == "ready"
        stopped = stop_and_check_gone(client, "freeze", pid)
        assert stopped.get("killed") is True, stopped
        assert client.shutdown_and_exit() == 0
    record("sigstop_self", killed=stopped.get("killed"), reason=stopped.get("reason"))
