"""An untrusted workspace: a start with the user's consent runs the server once, and nothing after it does.

Real Django, real processes: the process the consented start spawned is never restarted, not by a
file change, a restart request or an edit of its command (which stops it instead); a second start
needs consent again (docs/security.md, "One start with the user's consent").
"""
import json
import sys

from devserver_util import copy_example, django_server, free_port, http_get, port_is_free, wait_until, write_config
from lsp_client import LspClient

PYTHON = sys.executable  # the test venv's Django from PyPI


def wait_state(client, states):
    states = {states} if isinstance(states, str) else set(states)
    return client.wait_notification("devwatch/devServer/stateChanged",
                                    lambda p: p["name"] == "web" and p["state"] in states, timeout=60)


def shown(client, text):
    return client.wait_notification("window/showMessage", lambda p: text in p["message"])


def replace_in(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_consented_start_runs_once_and_nothing_after_it(tmp_path):
    root = copy_example(tmp_path / "blog")
    port = free_port()
    spec = django_server(PYTHON, port, autoRestart=True)
    write_config(root, {"web": spec})
    marker = f"http://127.0.0.1:{port}/marker/"
    with LspClient(stderr_path=tmp_path / "err") as client:
        client.initialize(str(root), initializationOptions={"trusted": False})
        shown(client, "not trusted")
        (info,) = client.request("devwatch/devServer/list")["result"]["servers"]
        assert info["trusted"] is False and info["autoRestart"] is False, info

        refused = client.request("devwatch/devServer/start", {})["error"]
        assert refused["code"] == 1104 and "consent" in refused["message"], refused
        assert client.request("devwatch/devServer/start", {"consent": "yes"})["error"]["code"] == -32602

        started = client.request("devwatch/devServer/start", {"consent": True})["result"]
        assert started["state"] == "starting"
        ready = wait_state(client, "ready")
        assert http_get(marker) == (200, "marker: v1\n")
        assert client.request("devwatch/devServer/restart", {})["error"]["code"] == 1104

        # A change that would restart it in a trusted workspace: told once, not restarted.
        views = root / "blog" / "views.py"
        replace_in(views, "marker: v1", "marker: v2")
        notice = shown(client, "did not restart 'web'")
        assert notice["type"] == 2
        (info,) = client.request("devwatch/devServer/list")["result"]["servers"]
        assert (info["state"], info["pid"]) == ("ready", ready["pid"])
        assert http_get(marker) == (200, "marker: v1\n"), "the old process still serves"

        # An edit of its command stops it; the new command does not run.
        replace_in(views, "marker: v2", "marker: v3")
        spec["env"]["DEVWATCH_TEST_EDIT"] = "1"
        write_config(root, {"web": spec})
        stopped = wait_state(client, "stopped")
        assert stopped["cause"] == "config", stopped
        shown(client, "configuration of 'web' changed")
        wait_until(lambda: port_is_free(port), what="the port to be free")
        starts = [m["params"] for m in client.inbox if m.get("method") == "devwatch/devServer/stateChanged"
                  and m["params"]["state"] == "starting"]
        assert [s["cause"] for s in starts] == ["request"], json.dumps(starts)
        told = [m for m in client.inbox if m.get("method") == "window/showMessage"
                and "did not restart" in m["params"]["message"]]
        assert told == [], "told once per consented start"

        # Starting again needs consent again, and runs what the files say now.
        assert client.request("devwatch/devServer/start", {})["error"]["code"] == 1104
        client.request("devwatch/devServer/start", {"consent": True})
        wait_state(client, "ready")
        assert http_get(marker) == (200, "marker: v3\n")
        assert client.shutdown_and_exit() == 0
