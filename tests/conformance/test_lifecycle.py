"""LSP's lifecycle and cancellation, through pygls' LanguageClient."""
from __future__ import annotations

import asyncio
import textwrap

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from conftest import (DevwatchClient, exit_code, initialize, raw_request, request, send_raw, state_is, status)


async def expect_error(coro, code: int) -> JsonRpcException:
    try:
        result = await coro
    except JsonRpcException as e:
        assert e.code == code, f"expected error {code}, got {e.code}: {e.message}"
        return e
    raise AssertionError(f"expected error {code}, got the result {result!r}")


async def test_requests_before_initialize_get_server_not_initialized(client: DevwatchClient, tmp_path):
    client.capabilities = types.ClientCapabilities()  # pytest-lsp's checks need some before initialize
    err = await expect_error(status(client), -32002)
    assert "initialize" in err.message
    await expect_error(request(client, "devwatch/devServer/list", {}), -32002)
    # Notifications before initialize are dropped, and the session still starts.
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(added=[types.WorkspaceFolder(uri=(tmp_path / "x").as_uri(), name="x")],
                                                removed=[])))
    result = await initialize(client, tmp_path)
    assert result.server_info.name == "devwatch"
    assert [f["path"] for f in (await status(client))["workspaceFolders"]] == [str(tmp_path)]
    await client.shutdown_session()
    assert client._server.returncode == 0


async def test_second_initialize_is_invalid_request(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    await expect_error(client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities())),
                       -32600)
    await client.shutdown_session()
    assert client._server.returncode == 0


async def test_requests_after_shutdown_are_invalid_and_exit_code_is_0(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    assert await asyncio.wait_for(client.shutdown_async(None), 30) is None
    await expect_error(status(client), -32600)
    await expect_error(request(client, "devwatch/devServer/list", {}), -32600)
    client.exit(None)
    assert await exit_code(client) == 0


async def test_exit_without_shutdown_exits_1(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    client.exit(None)
    assert await exit_code(client) == 1


async def test_end_of_input_without_shutdown_exits_1(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    client._server.stdin.close()
    assert await exit_code(client) == 1


async def test_cancel_of_a_pending_shutdown_gets_one_reply(client: DevwatchClient, tmp_path):
    """The only request devwatch keeps pending is shutdown (its reply waits until the
    dev servers are gone). LSP lets the server drop notifications after shutdown, so
    the cancel may be ignored or answered -32800; either way exactly one reply."""
    release = tmp_path / "release"
    script = tmp_path / "stubborn.py"
    script.write_text(textwrap.dedent(f"""
        import os, signal, sys, time
        signal.signal(signal.SIGINT, lambda *a: print("SIGINT ignored", flush=True))
        print("up", flush=True)
        while not os.path.exists({str(release)!r}):
            time.sleep(0.02)  # the stand-in server waits to be released by the test
        """))
    ws = tmp_path / "ws"
    ws.mkdir()
    await initialize(client, ws, options={"settings": {"servers": {"stubborn": {
        "command": ["python3", str(script)], "ready": {"pattern": "up"}, "stopTimeoutMs": 60000}}}})
    await client.protocol.wait_for(state_is("stubborn", "ready"), "stubborn ready")
    future = client.protocol.send_request("shutdown", None, msg_id="shutdown-1")
    await client.protocol.wait_for(lambda e: e.get("method") == "devwatch/devServer/output"
                                   and "SIGINT ignored" in e["params"]["text"], "the stop's SIGINT")
    client.cancel_request(types.CancelParams(id="shutdown-1"))
    release.write_text("")
    try:
        assert await asyncio.wait_for(asyncio.wrap_future(future), 30) is None
    except JsonRpcException as e:
        assert e.code == -32800, e
    await client.protocol.wait_for(state_is("stubborn", "stopped"), "stubborn stopped")
    await expect_error(status(client), -32600)  # shutdown happened all the same
    replies = [e for e in client.received if e.get("id") == "shutdown-1" and "method" not in e]
    assert len(replies) == 1, replies
    client.exit(None)
    assert await exit_code(client) == 0


async def test_cancel_racing_the_reply_gets_one_reply(client: DevwatchClient, tmp_path):
    """A request and its cancel written together: one reply, whichever wins."""
    await initialize(client, tmp_path)
    future = client.protocol.send_request("devwatch/devServer/list", {}, msg_id=77)
    client.cancel_request(types.CancelParams(id=77))
    try:
        await asyncio.wait_for(asyncio.wrap_future(future), 30)
    except JsonRpcException as e:
        assert e.code == -32800, e
    await status(client)  # everything written before it has been answered
    assert len([e for e in client.received if e.get("id") == 77 and "method" not in e]) == 1
    await client.shutdown_session()
    assert client._server.returncode == 0


async def test_cancel_of_an_unknown_or_answered_id_is_ignored(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    st = await raw_request(client, "devwatch/status", {})
    assert st["pid"] == client._server.pid
    client.cancel_request(types.CancelParams(id="never-sent-42"))
    client.cancel_request(types.CancelParams(id=12345))
    send_raw(client, {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "never-sent-43"}})
    assert (await status(client))["pid"] == client._server.pid
    answers = [e for e in client.received if "method" not in e and e.get("id", "none") in ("never-sent-42", 12345, "never-sent-43", None)]
    assert answers == []
    errors = [m for m in client.notifications("window/logMessage") if m["type"] <= 2]
    assert errors == [], errors
    await client.shutdown_session()
    assert client._server.returncode == 0
