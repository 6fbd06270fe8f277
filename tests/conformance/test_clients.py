"""What already works with pygls: a client with no optional capability, and the
dev-server loop (start, edit, new response, shutdown) on the example project."""
from __future__ import annotations

import urllib.error
import urllib.request

from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import (DevwatchClient, copy_example, crawl_done, django_settings, free_port, initialize, poll,
                      port_is_free, request, state_is, status)


def http_get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError:
        return None


async def test_client_without_optional_capabilities(client: DevwatchClient, tmp_path):
    """capabilities: {} — devwatch sends it no request at all (no workDoneProgress/create,
    no workspace/configuration, no showMessageRequest, no registerCapability)."""
    root = copy_example(tmp_path / "blog")
    result = await initialize(client, root, capabilities=types.ClientCapabilities(),
                              options={"autoStart": False})
    assert result.capabilities.experimental["devwatch"]["version"] == 1
    await crawl_done(client)
    servers = (await request(client, "devwatch/devServer/list", {}))["servers"]
    assert [s["name"] for s in servers] == ["django"]  # zero-config detection
    await status(client)
    requests = [e["method"] for e in client.received if "method" in e and "id" in e]
    assert requests == []
    assert client.notifications("$/progress") == []
    await client.shutdown_session()
    assert client._server.returncode == 0


async def test_eglot_capabilities_dev_server_loop(client: DevwatchClient, tmp_path):
    """Emacs eglot's declared capabilities (as pytest-lsp records them): start the
    example's server by request, edit a view, get the new response, shut down."""
    root = copy_example(tmp_path / "blog")
    port = free_port()
    await initialize(client, root, capabilities=client_capabilities("emacs"),
                     options={"autoStart": False, "settings": django_settings(port)})
    info = await request(client, "devwatch/devServer/start", {"name": "django"})
    assert info["state"] == "starting"
    await client.protocol.wait_for(state_is("django", "ready"), "django ready", timeout=60)
    assert await poll(lambda: http_get(f"http://127.0.0.1:{port}/marker/"), "HTTP") == (200, "marker: v1\n")
    views = root / "blog" / "views.py"
    views.write_text(views.read_text().replace("marker: v1", "marker: v2"))
    mark = len(client.received)
    await client.protocol.wait_for(lambda e: client.received.index(e) >= mark and state_is("django", "ready")(e),
                                   "django ready after the edit", timeout=60)
    assert http_get(f"http://127.0.0.1:{port}/marker/") == (200, "marker: v2\n")
    await client.shutdown_session()
    assert client._server.returncode == 0
    assert port_is_free(port)
