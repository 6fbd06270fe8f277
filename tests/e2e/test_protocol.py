"""The LSP base protocol and lifecycle, end to end over real pipes."""
import json
import os
import signal
import subprocess
import time

import pytest

from lsp_client import LspClient, devwatch_binary, frame


def test_full_session_exits_zero(client, tmp_path):
    result = client.initialize(str(tmp_path))
    assert result["serverInfo"]["name"] == "devwatch"
    assert result["serverInfo"]["version"]
    assert result["capabilities"]["experimental"]["devwatch"]["version"] == 1
    status = client.request("devwatch/status")["result"]
    assert status["workspaceFolders"] == [
        {"uri": tmp_path.as_uri(), "name": tmp_path.name, "path": str(tmp_path)}]
    assert status["uptimeMs"] >= 0
    assert status["pid"] == client.proc.pid
    assert client.shutdown_and_exit() == 0


def test_exit_without_shutdown_is_code_1(client):
    client.initialize()
    client.notify("exit")
    assert client.drain_until_exit() == 1


def test_exit_before_initialize_is_code_1(client):
    client.notify("exit")
    assert client.drain_until_exit() == 1


def test_requests_before_initialize_get_32002_and_notifications_are_dropped(client):
    client.notify("initialized", {})
    reply = client.request("devwatch/status")
    assert reply["error"]["code"] == -32002
    client.initialize()
    assert client.request("initialize", {"capabilities": {}})["error"]["code"] == -32600


def test_after_shutdown_requests_are_invalid(client):
    client.initialize()
    assert client.request("shutdown")["result"] is None
    assert client.request("devwatch/status")["error"]["code"] == -32600
    client.notify("exit")
    assert client.drain_until_exit() == 0


def test_error_codes(client):
    client.initialize()
    assert client.request("no/such/method")["error"]["code"] == -32601
    assert client.request("$/unknownRequest")["error"]["code"] == -32601
    # Unknown $/ notifications are ignored: the next request is the next reply.
    client.notify("$/somethingNew", {})
    # Bad param types name the field.
    reply = client.request("devwatch/status", [1, 2])
    assert reply["error"]["code"] == -32602
    # Invalid requests: batch, wrong jsonrpc, bad id types.
    client.send([{"jsonrpc": "2.0", "id": 50, "method": "devwatch/status"}])
    assert client.wait_reply(None)["error"]["code"] == -32600
    client.send({"jsonrpc": "1.0", "id": 51, "method": "devwatch/status"})
    assert client.wait_reply(51)["error"]["code"] == -32600
    client.send({"jsonrpc": "2.0", "id": 1.5, "method": "devwatch/status"})
    assert client.wait_reply(None)["error"]["code"] == -32600
    client.send({"jsonrpc": "2.0", "id": {"x": 1}, "method": "devwatch/status"})
    assert client.wait_reply(None)["error"]["code"] == -32600
    assert client.request("devwatch/status")["result"]["version"]
    assert client.shutdown_and_exit() == 0


def test_initialize_with_bad_params_is_32602_naming_the_field(client):
    reply = client.request("initialize", {"processId": "nope", "capabilities": {}})
    assert reply["error"]["code"] == -32602
    assert "processId" in reply["error"]["message"]
    # The failed initialize did not count: a good one still works.
    assert client.initialize()["serverInfo"]["name"] == "devwatch"


def test_garbage_mid_stream_gets_parse_error_then_next_request_is_answered(client):
    client.initialize()
    client.write_raw(b"this is not a header\r\n")
    client.write_raw(frame(b"{not json"))
    first = client.wait_reply(None)
    assert first["error"]["code"] == -32700
    second = client.wait_reply(None)
    assert second["error"]["code"] == -32700
    # Warnings and errors also reach the client as window/logMessage.
    log = client.wait_notification("window/logMessage", lambda p: p["type"] == 1)
    assert "junk line" in log["message"] or "invalid JSON" in log["message"]
    assert client.request("devwatch/status")["result"]["version"]
    assert client.shutdown_and_exit() == 0


def test_every_split_of_the_stream_is_read(client):
    client.initialize()
    data = b"".join(frame({"jsonrpc": "2.0", "id": 100 + i, "method": "devwatch/status"})
                    for i in range(3))
    for i in range(len(data)):  # one byte per write
        client.write_raw(data[i:i + 1])
    for i in range(3):
        assert client.wait_reply(100 + i)["result"]["version"]
    assert client.shutdown_and_exit() == 0


def test_huge_content_length_is_rejected_without_allocating(client):
    client.initialize()
    size = 100 * 1024 * 1024
    head = b'{"jsonrpc":"2.0","id":9,"method":"devwatch/status","params":{"pad":"'
    client.write_raw(b"Content-Length: %d\r\n\r\n" % size + head)
    chunk = b"x" * (1 << 20)
    left = size - len(head)
    while left > 0:
        n = min(left, len(chunk))
        client.write_raw(chunk[:n])
        left -= n
    reply = client.wait_reply(9)
    assert reply["error"]["code"] == -32600
    assert "exceeds the limit" in reply["error"]["message"]
    assert client.request("devwatch/status")["result"]["version"]
    assert client.peak_rss_kb() < 20 * 1024, "the announced size must never be allocated"
    assert client.shutdown_and_exit() == 0


def test_configured_message_limit(binary, tmp_path):
    with LspClient(args=["--max-message-bytes", "1000"]) as c:
        c.initialize()
        c.send({"jsonrpc": "2.0", "id": 5, "method": "devwatch/status", "params": {"pad": "y" * 2000}})
        assert c.wait_reply(5)["error"]["code"] == -32600
        assert c.shutdown_and_exit() == 0


def test_idle_peak_rss_is_small(client):
    client.initialize()
    client.request("devwatch/status")
    assert client.peak_rss_kb() < 10 * 1024


def test_eof_mid_message_ends_cleanly(client):
    client.initialize()
    client.write_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":")
    client.close_stdin()
    assert client.drain_until_exit() == 1
    assert "end of input in the middle of a message body" in client.stderr_text()


def test_eof_after_shutdown_exits_zero(client):
    client.initialize()
    client.request("shutdown")
    client.close_stdin()
    assert client.drain_until_exit() == 0


def test_exits_when_the_client_process_dies(binary, tmp_path):
    parent = subprocess.Popen(["sleep", "60"])
    try:
        with LspClient() as c:
            c.initialize(processId=parent.pid)
            parent.kill()
            parent.wait()
            assert c.drain_until_exit() == 1
    finally:
        parent.kill()


def test_closed_stdin_at_start_does_not_hang(binary):
    # fd 0 closed: the server must not mistake asio's own eventfd for stdin.
    proc = subprocess.run([binary, "--stdio"], stdin=subprocess.DEVNULL, capture_output=True, timeout=20,
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 1
    assert proc.stdout == b""


def test_workspace_folder_changes_show_in_status(client, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    client.initialize(str(a))
    client.notify("workspace/didChangeWorkspaceFolders", {
        "event": {"added": [{"uri": b.as_uri(), "name": "b"}], "removed": [{"uri": a.as_uri(), "name": "a"}]}})
    status = client.request("devwatch/status")["result"]
    assert [f["path"] for f in status["workspaceFolders"]] == [str(b)]


def test_sigterm_ends_the_server(client):
    client.initialize()
    client.proc.send_signal(signal.SIGTERM)
    assert client.drain_until_exit() == 1


def test_stdout_is_only_protocol_even_with_trace_logging(binary, tmp_path):
    with LspClient(args=["--log-level", "trace"], stderr_path=tmp_path / "err") as c:
        c.initialize()
        c.request("devwatch/status")
        assert c.shutdown_and_exit() == 0  # LspClient raises on any non-frame byte
        err = c.stderr_text()
        assert "<-- devwatch/status(" in err
        assert "--> reply devwatch/status(" in err


def test_log_file_option(binary, tmp_path):
    log = tmp_path / "devwatch.log"
    with LspClient(args=["--log-file", str(log), "--log-level", "debug"]) as c:
        c.initialize()
        assert c.shutdown_and_exit() == 0
    assert "initialize from" in log.read_text()


def test_null_params_are_absent_params(client, tmp_path):
    """Emacs' jsonrpc.el and pygls send "params": null for methods without params."""
    client.initialize(str(tmp_path))
    for rid, method in ((901, "devwatch/status"), (902, "devwatch/devServer/list"), (903, "shutdown")):
        client.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": None})
        reply = client.wait_reply(rid)
        assert "error" not in reply, reply
    assert reply["result"] is None
    client.send({"jsonrpc": "2.0", "method": "exit", "params": None})
    assert client.drain_until_exit() == 0
