"""A stand-in dev server for the proxy tests (stdlib only), run by devwatch
as `python3 proxy_upstream.py {port}`:

  GET  /            a small HTML page
  GET  /stream      an HTML page sent chunked, in pieces
  POST /upload      reads the body in 64 KiB pieces, answers "<bytes> <sha256>"
  GET  /ws          a WebSocket echo (RFC 6455, text and binary, unmasked replies)
  GET  /version     "<version> <pid>": the version is $UPSTREAM_VERSION_FILE's text at start

With $UPSTREAM_GATE set it listens only once that file exists: an overlapped
restart's new server can be kept "not ready" for as long as a test likes.
"""
import base64
import hashlib
import os
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
VERSION_FILE = os.environ.get("UPSTREAM_VERSION_FILE")
VERSION = open(VERSION_FILE).read().strip() if VERSION_FILE else "none"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle: otherwise head and body go out as
    # two segments and a kept-alive client waits 40 ms for a delayed ACK.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ws":
            return self.websocket()
        if self.path == "/version":
            return self.send_body(200, f"{VERSION} {os.getpid()}", "text/plain")
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in ("<html><body>", "<p>streamed</p>", "</body></html>"):
                data = piece.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_body(200, "<!doctype html><html><body><p id=v>upstream page</p></body></html>", "text/html")

    def do_POST(self):
        digest = hashlib.sha256()
        total = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                left = size
                while left:
                    piece = self.rfile.read(min(left, 65536))
                    digest.update(piece)
                    total += len(piece)
                    left -= len(piece)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left:
                piece = self.rfile.read(min(left, 65536))
                if not piece:
                    break
                digest.update(piece)
                total += len(piece)
                left -= len(piece)
        self.send_body(200, f"{total} {digest.hexdigest()}\n", "text/plain")

    def websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            if opcode == 0x8:  # close: answer it and end
                self.wfile.write(b"\x88\x00")
                return
            self.wfile.write(bytes([0x80 | opcode]) + ws_length(len(payload)) + payload)
            self.wfile.flush()
        self.close_connection = True


def ws_length(n):
    if n < 126:
        return bytes([n])
    if n < 65536:
        return bytes([126]) + struct.pack("!H", n)
    return bytes([127]) + struct.pack("!Q", n)


if __name__ == "__main__":
    gate = os.environ.get("UPSTREAM_GATE")
    while gate and not os.path.exists(gate):
        time.sleep(0.005)
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(f"serving on {sys.argv[1]}", flush=True)
    server.serve_forever()
