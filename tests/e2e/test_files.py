"""devwatch/files/* end to end: real inotify, real files, through the protocol.

The watcher's own behaviour (atomic saves, renames, overflow, budget, ...) is
covered case by case in tests/watch; these tests check what a client sees.
"""
import os
import time
from pathlib import Path

import pytest

from lsp_client import LspClient


def uri(path) -> str:
    return Path(path).as_uri()


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text("x = 1\n")
    (root / "static").mkdir()
    return root


def subscribe(client, pattern, **extra):
    reply = client.request("devwatch/files/subscribe", {"globPattern": pattern, **extra})
    assert "result" in reply, reply
    return reply["result"]["subscriptionId"]


def wait_ready(client):
    """Polls devwatch/status (a request, not a sleep) until the crawl is done."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = client.request("devwatch/status")["result"]["watcher"]
        if status and not status["crawling"] and status["roots"]:
            return status
    raise AssertionError("crawl did not finish")


def changes_until(client, sub, expected_count):
    seen = []
    while len(seen) < expected_count:
        params = client.wait_notification("devwatch/files/didChange", lambda p: p["subscriptionId"] == sub)
        seen.extend((c["uri"], c["type"]) for c in params["changes"])
    return seen


def test_subscription_reports_matching_changes_only(client, ws):
    client.initialize(str(ws))
    py = subscribe(client, "**/*.py")
    wait_ready(client)
    (ws / "static" / "site.css").write_text("body{}")
    (ws / "app" / "models.py").write_text("m = 1\n")
    assert changes_until(client, py, 1) == [(uri(ws / "app" / "models.py"), 1)]


def test_two_subscriptions_get_their_own_changes(client, ws):
    client.initialize(str(ws))
    py = subscribe(client, "**/*.py")
    css = subscribe(client, "static/**")
    wait_ready(client)
    (ws / "static" / "site.css").write_text("body{}")
    (ws / "app" / "urls.py").write_text("u = 1\n")
    assert changes_until(client, py, 1) == [(uri(ws / "app" / "urls.py"), 1)]
    assert changes_until(client, css, 1) == [(uri(ws / "static" / "site.css"), 1)]
    assert client.request("devwatch/status")["result"]["watcher"]["subscriptions"] == 2


def test_new_directory_tree_is_reported_in_full(client, ws):
    client.initialize(str(ws))
    sub = subscribe(client, "**/*.txt")
    wait_ready(client)
    deep = ws / "a" / "b" / "c"
    os.makedirs(deep)
    expected = set()
    for level in (ws / "a", ws / "a" / "b", deep):
        for i in range(20):
            (level / f"f{i}.txt").write_text("x")
            expected.add((uri(level / f"f{i}.txt"), 1))
    seen = changes_until(client, sub, 60)
    assert len(seen) == 60, "each file exactly once"
    assert set(seen) == expected


def test_kind_mask_and_excludes(client, ws):
    client.initialize(str(ws))
    deletes = subscribe(client, "**/*.py", kind=4, excludes=["app/skip_*.py"])
    wait_ready(client)
    (ws / "app" / "skip_me.py").write_text("")
    (ws / "app" / "new.py").write_text("")
    (ws / "app" / "skip_me.py").unlink()
    (ws / "app" / "views.py").unlink()
    assert changes_until(client, deletes, 1) == [(uri(ws / "app" / "views.py"), 3)]


def test_relative_pattern_with_base_uri(client, ws):
    client.initialize(str(ws))
    sub = subscribe(client, {"baseUri": uri(ws / "app"), "pattern": "*.py"})
    wait_ready(client)
    (ws / "top.py").write_text("")
    (ws / "app" / "inner.py").write_text("")
    assert changes_until(client, sub, 1) == [(uri(ws / "app" / "inner.py"), 1)]


def test_atomic_save_is_one_change(client, ws):
    client.initialize(str(ws))
    sub = subscribe(client, "**/*.py")
    wait_ready(client)
    tmp = ws / "app" / "views.py.tmp~"
    tmp.write_text("x = 2\n")
    os.rename(tmp, ws / "app" / "views.py")
    assert changes_until(client, sub, 1) == [(uri(ws / "app" / "views.py"), 2)]


def test_non_utf8_file_name_round_trips(client, ws):
    client.initialize(str(ws))
    sub = subscribe(client, "**")
    wait_ready(client)
    name = b"caf\xe9-\xff.py"  # latin-1 bytes: not UTF-8
    path = os.path.join(os.fsencode(ws / "app"), name)
    with open(path, "wb") as f:
        f.write(b"")
    (got_uri, kind), = changes_until(client, sub, 1)
    assert kind == 1
    assert got_uri == uri(ws / "app") + "/caf%E9-%FF.py"


def test_ignored_trees_are_not_reported(client, ws):
    (ws / ".gitignore").write_text("build/\n")
    client.initialize(str(ws))
    sub = subscribe(client, "**")
    wait_ready(client)
    (ws / "node_modules" / "x").mkdir(parents=True)
    (ws / "node_modules" / "x" / "i.js").write_text("")
    (ws / "build").mkdir()
    (ws / "build" / "out.py").write_text("")
    (ws / "app" / "views.py.swp").write_text("")
    (ws / "app" / "marker.py").write_text("")
    assert changes_until(client, sub, 1) == [(uri(ws / "app" / "marker.py"), 1)]


def test_subscribe_errors(client, ws):
    client.initialize(str(ws))
    bad = client.request("devwatch/files/subscribe", {"globPattern": "a/{b,c"})
    assert bad["error"]["code"] == -32602
    assert "globPattern" in bad["error"]["message"] and "column" in bad["error"]["message"]
    assert client.request("devwatch/files/subscribe", {"globPattern": 3})["error"]["code"] == -32602
    assert client.request("devwatch/files/subscribe", {"globPattern": "*", "kind": 9})["error"]["code"] == -32602
    assert client.request("devwatch/files/subscribe", {})["error"]["code"] == -32602
    rel = client.request("devwatch/files/subscribe", {"globPattern": {"baseUri": "http://x", "pattern": "*"}})
    assert rel["error"]["code"] == -32602
    assert client.request("devwatch/files/unsubscribe", {"subscriptionId": "nope"})["error"]["code"] == 1001


def test_unsubscribe_stops_notifications(client, ws):
    client.initialize(str(ws))
    a = subscribe(client, "**/*.py")
    b = subscribe(client, "**/*.py")
    wait_ready(client)
    assert client.request("devwatch/files/unsubscribe", {"subscriptionId": a})["result"] is None
    (ws / "app" / "after.py").write_text("")
    assert changes_until(client, b, 1) == [(uri(ws / "app" / "after.py"), 1)]
    assert not any(m.get("params", {}).get("subscriptionId") == a for m in client.inbox)


def test_crawl_progress_and_status(client, ws):
    for i in range(30):
        (ws / "pkg" / f"d{i}").mkdir(parents=True)
    client.initialize(str(ws), capabilities={"window": {"workDoneProgress": True}})
    create = client.wait_for(lambda m: m.get("method") == "window/workDoneProgress/create")
    client.send({"jsonrpc": "2.0", "id": create["id"], "result": None})
    token = create["params"]["token"]
    begin = client.wait_notification("$/progress", lambda p: p["token"] == token and p["value"]["kind"] == "begin")
    assert "watching" in begin["value"]["title"]
    end = client.wait_notification("$/progress", lambda p: p["token"] == token and p["value"]["kind"] == "end")
    assert end["value"]["message"].startswith("Watching 34 folders in ")
    status = wait_ready(client)
    assert status["backend"] == "inotify"
    assert status["roots"] == [str(ws)]
    assert status["watchedDirectories"] == 34
    assert status["budget"]["used"] == 34
    caps = client.request("devwatch/status")["result"]
    assert caps["watcher"]["problems"] == []


def test_workspace_folder_added_later_is_watched(client, ws, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    client.initialize(str(ws))
    sub = subscribe(client, "**/*.py")
    client.notify("workspace/didChangeWorkspaceFolders",
                  {"event": {"added": [{"uri": uri(other), "name": "other"}], "removed": []}})
    deadline = time.monotonic() + 20
    while str(other) not in client.request("devwatch/status")["result"]["watcher"]["roots"]:
        assert time.monotonic() < deadline
    wait_ready(client)
    (other / "o.py").write_text("")
    assert changes_until(client, sub, 1) == [(uri(other / "o.py"), 1)]


def test_each_folder_uses_its_own_excludes(client, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "gen").mkdir(parents=True)
    (b / "devwatch.json").write_text('{"watch": {"exclude": ["gen/**"]}, "servers": {}}')
    client.initialize(None, workspaceFolders=[{"uri": uri(a), "name": "a"}, {"uri": uri(b), "name": "b"}])
    sub = subscribe(client, "**/*.txt")
    wait_ready(client)
    (b / "gen" / "skipped.txt").write_text("")
    (a / "gen" / "seen.txt").write_text("")
    assert changes_until(client, sub, 1) == [(uri(a / "gen" / "seen.txt"), 1)]
    status = client.request("devwatch/status")["result"]["watcher"]
    assert status["watchedDirectories"] == 3  # a, a/gen, b: b/gen is excluded and costs no watch


def test_config_edit_adding_an_exclude_applies_without_restart(client, tmp_path):
    """Defect (issue 9): a new watch.exclude used to wait for a devwatch restart."""
    root = tmp_path / "ws"
    (root / "gen" / "a").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "devwatch.json").write_text('{"servers": {}}')
    client.initialize(str(root))
    sub = subscribe(client, "**/*.txt")
    assert wait_ready(client)["watchedDirectories"] == 4  # ws, gen, gen/a, src
    (root / "devwatch.json").write_text('{"watch": {"exclude": ["gen/**"]}, "servers": {}}')
    deadline = time.monotonic() + 20
    while client.request("devwatch/status")["result"]["watcher"]["watchedDirectories"] != 2:
        assert time.monotonic() < deadline, "the new exclude did not release gen's watches"
    (root / "gen" / "a" / "skipped.txt").write_text("")
    (root / "src" / "seen.txt").write_text("")
    assert changes_until(client, sub, 1) == [(uri(root / "src" / "seen.txt"), 1)]
    assert client.shutdown_and_exit() == 0


def test_each_watcher_problem_reaches_the_editor_once(client, tmp_path):
    """Defect (issue 9): a visible problem came as showMessage and again as logMessage."""
    root = tmp_path / "ws"
    root.mkdir()
    client.initialize(str(root))
    wait_ready(client)
    root.rmdir()
    shown = client.wait_notification("window/showMessage", lambda p: "was deleted" in p["message"])
    assert str(root) in shown["message"]
    # Anything sent after it arrives before this reply (one ordered stream).
    client.request("devwatch/status")
    assert not [m for m in client.inbox if m.get("method") == "window/logMessage"
                and "was deleted" in m["params"]["message"]]
    assert client.shutdown_and_exit() == 0
