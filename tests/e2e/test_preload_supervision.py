"""A preloaded server is supervised like a cold one: the stop policy escalates
to SIGKILL for its group, its exit status and output arrive, a grandchild in
its group goes with it."""
import sys
import textwrap

from devserver_util import free_port, group_members, http_get, port_is_free, wait_until, write_config
from lsp_client import LspClient
from preload_util import restart_until_preloaded, settle

SERVER = """
import http.server, os, signal, subprocess, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL ends it
# A grandchild in the same group that also ignores SIGTERM.
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(3600)"])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/exit":
            print("exiting with 3", flush=True)
            os._exit(3)
        self.send_response(200); self.end_headers(); self.wfile.write(b"up")
    def log_message(self, *a):
        pass
print("serving", os.getpid(), flush=True)
http.server.HTTPServer(("127.0.0.1", {port}), H).serve_forever()
"""


def start(tmp_path, port):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "server.py").write_text(textwrap.dedent(SERVER).replace("{port}", str(port)))
    write_config(root, {"web": {"command": [sys.executable, "server.py"], "ready": {"port": port},
                                "stopSignal": "SIGTERM", "stopTimeoutMs": 300, "autoRestart": False,
                                "preload": True}})
    client = LspClient(stderr_path=tmp_path / "devwatch.stderr")
    client.initialize(str(root))
    return client


def test_stop_policy_exit_status_and_group_of_a_preloaded_server(tmp_path):
    port = free_port()
    client = start(tmp_path, port)
    with client:
        assert settle(client)["state"] == "ready"
        ready = restart_until_preloaded(client)
        pgid = ready["pid"]
        wait_until(lambda: len(group_members(pgid)) == 2, what="the server and its grandchild in one group")

        # The stop policy: SIGTERM is ignored, so the group is SIGKILLed after 300 ms.
        reply = client.request("devwatch/devServer/stop", {"name": "web"})
        assert "result" in reply, reply
        stopped = client.wait_notification("devwatch/devServer/stateChanged",
                                           lambda p: p["state"] == "stopped", timeout=30)
        assert stopped["killed"] is True
        assert "SIGKILL" in stopped["reason"]
        assert not group_members(pgid)
        assert port_is_free(port)

        # Exit status and output of a preloaded server that ends on its own.
        client.request("devwatch/devServer/start", {"name": "web"})
        again = settle(client)
        assert again["start"]["mode"] == "preloaded"
        assert http_get(f"http://127.0.0.1:{port}/")[1] == "up"
        try:
            http_get(f"http://127.0.0.1:{port}/exit", timeout=2)
        except OSError:
            pass  # it exits before answering
        crashed = client.wait_notification("devwatch/devServer/stateChanged",
                                           lambda p: p["state"] == "crashed", timeout=30)
        assert crashed["exitCode"] == 3
        assert "exiting with 3" in crashed["lastLines"]
        # Its grandchild was left behind in the group: stopped with the same policy.
        wait_until(lambda: not group_members(crashed["pid"]), what="the grandchild to be stopped")
        assert client.shutdown_and_exit() == 0
    assert port_is_free(port)
