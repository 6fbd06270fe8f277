"""Prints a short LSP session with the built devwatch, both directions."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from lsp_client import LspClient  # noqa: E402


def show(direction, message):
    print(f"{direction} {json.dumps(message)[:300]}")


root = Path(__file__).resolve().parents[1]
with LspClient(env={"DEVWATCH_LOG": "warn"}) as client:
    for method, params in [("initialize", {"processId": None, "capabilities": {},
                                           "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]}),
                           ("devwatch/status", None), ("shutdown", None)]:
        rid = client.request_async(method, params)
        show("-->", {"id": rid, "method": method, "params": params})
        show("<--", client.wait_reply(rid))
        if method == "initialize":
            client.notify("initialized", {})
    client.notify("exit")
    show("-->", {"method": "exit"})
    code = client.drain_until_exit()
    print(f"devwatch exited with code {code}")
    sys.exit(code)
