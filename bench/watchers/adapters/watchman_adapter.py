"""watchman: a private server (own socket and state, so no user daemon is
touched) started in the foreground as this adapter's child, a `watch` of the
directory and one subscription with default settle. Talks to the server over
its unix socket with the JSON encoding (one JSON PDU per line), stdlib only.

Usage: watchman_adapter.py DIR   (WATCHMAN env: the watchman binary)"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main():
    root = os.path.realpath(sys.argv[1])
    binary = os.environ.get("WATCHMAN") or shutil.which("watchman")
    if not binary:
        print("watchman not found", file=sys.stderr)
        return 2
    state = tempfile.mkdtemp(prefix="bench-watchman-")
    sock_path = os.path.join(state, "sock")
    server = subprocess.Popen(
        [binary, "--foreground", "--sockname=" + sock_path,
         "--statefile=" + os.path.join(state, "state"),
         "--logfile=" + os.path.join(state, "log"),
         "--pidfile=" + os.path.join(state, "pid"), "--no-save-state"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sys.stderr)

    def stop(*_):
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(state, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 30
    while True:
        try:
            sock.connect(sock_path)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                print("watchman server did not start", file=sys.stderr)
                stop()
            time.sleep(0.01)
    stream = sock.makefile("rb")

    def call(cmd):
        sock.sendall(json.dumps(cmd).encode() + b"\n")
        while True:
            pdu = json.loads(stream.readline())
            if not pdu.get("unilateral"):
                return pdu

    pdu = call(["watch", root])
    if "error" in pdu:
        print("ERR " + pdu["error"], flush=True)
        stop()
    pdu = call(["subscribe", root, "bench",
                {"expression": ["true"], "fields": ["name"], "defer_vcs": False}])
    if "error" in pdu:
        print("ERR " + pdu["error"], flush=True)
        stop()
    out = sys.stdout
    while True:
        line = stream.readline()
        if not line:
            break
        pdu = json.loads(line)
        if pdu.get("subscription") != "bench":
            continue
        if pdu.get("is_fresh_instance"):
            # The first result lists every existing file: the crawl is done.
            out.write("READY\n")
        else:
            out.write("".join("EV %s/%s\n" % (root, n) for n in pdu.get("files", [])))
        if "warning" in pdu:
            out.write("ERR %s\n" % pdu["warning"].replace("\n", " "))
        out.flush()
    stop()


if __name__ == "__main__":
    sys.exit(main())
