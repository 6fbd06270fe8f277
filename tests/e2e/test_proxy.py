"""devwatch's proxy end to end: real Django and a real stand-in server behind
it, real sockets. See docs/proxy.md."""
import hashlib
import json
import http.client
import os
import socket
import sys
import time

from devserver_util import free_port
from proxy_util import EventStream, MarkerLoop, django_behind_proxy, get, start, upstream_behind_proxy, wait_state

PYTHON = sys.executable  # the test venv: the current Django from PyPI


def replace_in(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_twenty_restarts_through_the_proxy_without_a_single_failed_request(tmp_path):
    listen = free_port()
    client, root = start(tmp_path, {"web": django_behind_proxy(PYTHON, listen)})
    views = root / "blog" / "views.py"
    with client:
        first = wait_state(client, "web", "ready")
        assert first["url"] == f"http://127.0.0.1:{listen}/"
        deadline = time.monotonic() + 60
        with MarkerLoop(listen) as loop:
            for n in range(2, 22):
                # The loop must have been served this version before the next
                # edit: the restart is stopped at the first change, so edits
                # back to back would only keep re-holding one request.
                loop.until_served(f"marker: v{n - 1}", deadline)
                replace_in(views, f"marker: v{n - 1}", f"marker: v{n}")
                wait_state(client, "web", "ready", timeout=max(1, deadline - time.monotonic()))
            loop.until_served("marker: v21", deadline)
        loop.assert_no_failures()
        assert get(listen, "/marker/")[2] == "marker: v21\n"
        # Every version was served to the loop, each between two restarts.
        assert {f"marker: v{n}" for n in range(1, 22)} <= set(loop.responses)
        status = client.request("devwatch/status")["result"]
        assert status["devServers"][0]["url"] == f"http://127.0.0.1:{listen}/"
        assert client.shutdown_and_exit() == 0


def test_crash_page_shows_the_error_and_the_page_recovers(tmp_path):
    listen = free_port()
    client, root = start(tmp_path, {"web": django_behind_proxy(PYTHON, listen, autoRestart=False)})
    views = root / "blog" / "views.py"
    with client:
        wait_state(client, "web", "ready")
        replace_in(views, 'MARKER = "marker: v1"', 'MARKER = "marker: v1"\nraise RuntimeError("boom from the view")')
        wait_state(client, "web", {"crashed", "backoff"})
        status, headers, body = get(listen, "/marker/", headers={"Accept": "text/html"})
        assert status == 503
        assert "RuntimeError: boom from the view" in body
        assert f"{views}:" in body  # the innermost workspace frame
        assert "/__devwatch/reload.js" in body
        replace_in(views, '\nraise RuntimeError("boom from the view")', "")
        wait_state(client, "web", "ready")
        assert get(listen, "/marker/")[0] == 200
        assert client.shutdown_and_exit() == 0


def ws_frame(payload: bytes, opcode=0x1) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
    return bytes([0x80 | opcode]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read(f) -> bytes:
    head = f.read(2)
    n = head[1] & 0x7F
    if n == 126:
        n = int.from_bytes(f.read(2), "big")
    return f.read(n)


def test_websocket_echo_through_the_proxy(tmp_path):
    listen = free_port()
    client, _ = start(tmp_path, {"ws": upstream_behind_proxy(listen)}, example=False)
    with client:
        wait_state(client, "ws", "ready")
        with socket.create_connection(("127.0.0.1", listen), timeout=30) as s:
            s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            f = s.makefile("rb")
            assert f.readline().startswith(b"HTTP/1.1 101")
            while f.readline() != b"\r\n":
                pass
            for message in (b"hello", b"x" * 1000, "déjà vu".encode()):
                s.sendall(ws_frame(message))
                assert ws_read(f) == message
        assert client.shutdown_and_exit() == 0


def test_a_100_mb_upload_streams_through_with_bounded_memory(tmp_path):
    listen = free_port()
    client, _ = start(tmp_path, {"up": upstream_behind_proxy(listen)}, example=False)
    size, piece = 100 * 1024 * 1024, os.urandom(1024 * 1024)
    with client:
        wait_state(client, "up", "ready")
        before = client.peak_rss_kb()
        digest = hashlib.sha256()

        def body():
            for _ in range(size // len(piece)):
                digest.update(piece)
                yield piece

        conn = http.client.HTTPConnection("127.0.0.1", listen, timeout=120)
        conn.request("POST", "/upload", body=body(), headers={"Content-Length": str(size)})
        answer = conn.getresponse().read().decode().split()
        assert answer == [str(size), digest.hexdigest()]
        # Chunked too (no length known in advance).
        digest = hashlib.sha256()
        conn.request("POST", "/upload", body=body(), encode_chunked=True)
        assert conn.getresponse().read().decode().split() == [str(size), digest.hexdigest()]
        conn.close()
        grown_mb = (client.peak_rss_kb() - before) / 1024
        assert grown_mb < 16, f"devwatch grew by {grown_mb:.1f} MB while proxying 2 x 100 MB"
        assert client.shutdown_and_exit() == 0


def test_live_reload_injects_the_script_and_tells_pages_to_reload_or_swap_css(tmp_path):
    listen = free_port()
    client, root = start(tmp_path, {"web": django_behind_proxy(PYTHON, listen, live_reload=True)})
    with client:
        wait_state(client, "web", "ready")
        status, headers, body = get(listen, "/", headers={"Accept": "text/html", "Accept-Encoding": "gzip"})
        assert status == 200
        assert body.rstrip().endswith('<script src="/__devwatch/reload.js" data-devwatch></script>')
        assert int(headers["Content-Length"]) == len(body.encode())
        assert "EventSource" in get(listen, "/__devwatch/reload.js")[2]
        # Plain text is left alone.
        assert get(listen, "/marker/")[2] == "marker: v1\n"
        events = EventStream(listen)
        try:
            replace_in(root / "static" / "css" / "site.css", "body", "body ")
            assert events.next_event() == "css"
            replace_in(root / "blog" / "views.py", "marker: v1", "marker: v2")
            wait_state(client, "web", "ready")
            # A save can reach the watcher as two batches (truncate, then
            # write): each sends its own css event before the reload.
            event = events.next_event()
            while event == "css":
                event = events.next_event()
            assert event == "reload"
            assert get(listen, "/marker/")[2] == "marker: v2\n"
        finally:
            events.close()
        assert client.shutdown_and_exit() == 0


def test_chunked_html_gets_the_script_in_its_own_chunk(tmp_path):
    listen = free_port()
    client, _ = start(tmp_path, {"up": upstream_behind_proxy(listen, live_reload=True)}, example=False)
    with client:
        wait_state(client, "up", "ready")
        status, headers, body = get(listen, "/stream", headers={"Accept": "text/html"})
        assert headers.get("Transfer-Encoding") == "chunked"
        assert body.startswith("<html><body><p>streamed</p></body></html>")
        assert "/__devwatch/reload.js" in body
        assert client.shutdown_and_exit() == 0


def test_devwatch_run_prints_the_proxy_url(tmp_path):
    from test_run_command import Run

    listen = free_port()
    site = tmp_path / "site"
    site.mkdir()
    (site / "devwatch.json").write_text(json.dumps({"servers": {"up": upstream_behind_proxy(listen)}}))
    run = Run([], cwd=site)
    try:
        run.wait_line("up ready")
        run.wait_line(f"http://127.0.0.1:{listen}/ (proxy)")
        assert get(listen, "/")[0] == 200
        assert run.interrupt() == 0
    finally:
        run.kill()
