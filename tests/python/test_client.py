"""devwatch.client without a build: framing, URIs, typed notifications, and
the failure paths (a server that never answers, one that dies) against
small fake servers. The real binary is exercised in test_package.py."""

from __future__ import annotations

import io
import os
import sys
import textwrap
import time

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "python" / "src"))

from devwatch.client import (  # noqa: E402
    Client,
    DevServerStateChanged,
    FilesDidChange,
    Notification,
    ServerExited,
    ShowMessage,
    encode_frame,
    parse_notification,
    path_to_uri,
    read_frame,
    uri_to_path,
)


def test_frames_round_trip_with_utf8_lengths():
    frame = encode_frame({"jsonrpc": "2.0", "method": "x", "params": {"s": "é✓"}})
    header, body = frame.split(b"\r\n\r\n", 1)
    assert header == b"Content-Length: %d" % len(body)
    stream = io.BytesIO(frame + b"content-length: 2\ncontent-type: x\n\n{}")
    assert read_frame(stream)["params"]["s"] == "é✓"
    assert read_frame(stream) == {}
    assert read_frame(stream) is None


def test_uris_are_encoded_like_devwatch():
    assert path_to_uri("/a b/ü#.py") == "file:///a%20b/%C3%BC%23.py"
    raw = os.fsdecode(b"/tmp/bad\xff.py")
    assert uri_to_path(path_to_uri(raw)) == raw
    with pytest.raises(ValueError):
        uri_to_path("http://x/y")


def test_notifications_are_typed():
    change = parse_notification("devwatch/files/didChange", {
        "subscriptionId": "s1", "changes": [{"uri": "file:///p/a.py", "type": 2}],
        "resync": {"reason": "overflow"}})
    assert isinstance(change, FilesDidChange)
    assert change.changes[0].path == "/p/a.py" and change.resync_reason == "overflow"
    state = parse_notification("devwatch/devServer/stateChanged", {
        "name": "web", "state": "crashed", "reason": "exit 1", "exitCode": 1, "exception": "SyntaxError: x"})
    assert isinstance(state, DevServerStateChanged) and state.exit_code == 1 and state.exception == "SyntaxError: x"
    assert parse_notification("window/showMessage", {"type": 2, "message": "m"}) == ShowMessage(2, "m")
    assert parse_notification("devwatch/files/didChange", {"bad": 1}) == Notification(
        "devwatch/files/didChange", {"bad": 1})


def fake_server(tmp_path, body: str) -> str:
    """An executable that speaks just enough of the protocol."""
    script = tmp_path / "fake-devwatch"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""
        import json, sys
        sys.path.insert(0, %r)
        from devwatch.client import encode_frame, read_frame
        out = sys.stdout.buffer
        def send(m):
            out.write(encode_frame(m)); out.flush()
        def initialize():
            m = read_frame(sys.stdin.buffer)
            send({"jsonrpc": "2.0", "id": m["id"], "result": {"serverInfo": {"version": "9.9"}, "capabilities": {}}})
            read_frame(sys.stdin.buffer)  # initialized
    """ % str(ROOT / "python" / "src")) + textwrap.dedent(body))
    script.chmod(0o755)
    return str(script)


def test_a_request_without_reply_times_out_and_close_kills(tmp_path):
    binary = fake_server(tmp_path, """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        initialize()
        while read_frame(sys.stdin.buffer) is not None:
            pass                      # never answers anything
        import time
        time.sleep(60)                # and does not exit at end of input
    """)
    c = Client([str(tmp_path)], binary=binary)
    assert c.version == "9.9"
    with pytest.raises(TimeoutError, match="devwatch/status: no reply from devwatch within 0.2 s"):
        c.request("devwatch/status", {}, timeout=0.2)
    started = time.monotonic()
    assert c.close(timeout=0.5) == -9
    assert time.monotonic() - started < 30


def test_a_dying_server_fails_pending_requests_with_its_last_words(tmp_path):
    binary = fake_server(tmp_path, """
        initialize()
        read_frame(sys.stdin.buffer)
        sys.stderr.write("devwatch: fatal: out of cheese\\n"); sys.stderr.flush()
        sys.exit(3)
    """)
    c = Client([str(tmp_path)], binary=binary)
    with pytest.raises(ServerExited, match="out of cheese"):
        c.request("devwatch/status", {}, timeout=30)
    assert c.next_notification(timeout=30) is None  # the iterator ends
    assert c.close() == 3


def test_params_are_never_null(tmp_path):
    binary = fake_server(tmp_path, """
        initialize()
        m = read_frame(sys.stdin.buffer)
        send({"jsonrpc": "2.0", "id": m["id"], "result": {"hasParams": "params" in m}})
        m = read_frame(sys.stdin.buffer)
        send({"jsonrpc": "2.0", "id": m["id"], "result": None})
        read_frame(sys.stdin.buffer)
    """)
    with Client([str(tmp_path)], binary=binary) as c:
        assert c.request("devwatch/devServer/list") == {"hasParams": False}
