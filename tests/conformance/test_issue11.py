"""Issue 11: what a client nobody here wrote (pygls, eglot) runs into.

Each defect case is a strict xfail: it fails today for the reason given, and
the marker must go when the fix lands (a pass then fails the suite). The
cases next to them are what already works and must stay so.
"""
from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import (DevwatchClient, break_view, copy_example, crawl_done, django_settings, exit_code, free_port,
                      initialize, raw_request, request, send_raw, state_is, status)


def xfail(item: str):
    return pytest.mark.xfail(strict=True, reason=f"issue 11: {item}")


# -- 1. "params": null is absent params --------------------------------------

async def test_null_params_status(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    st = await request(client, "devwatch/status")  # pygls writes "params": null
    assert st["pid"] == client._server.pid


async def test_null_params_shutdown_and_exit(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    assert await raw_request(client, "shutdown", None) is None  # what jsonrpc.el writes
    send_raw(client, {"jsonrpc": "2.0", "method": "exit", "params": None})
    assert await exit_code(client, timeout=15) == 0


async def test_null_params_exit_without_shutdown(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    send_raw(client, {"jsonrpc": "2.0", "method": "exit", "params": None})
    assert await exit_code(client, timeout=15) == 1


async def test_absent_and_empty_params_work(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    assert (await status(client))["pid"] == client._server.pid
    send_raw(client, {"jsonrpc": "2.0", "id": "no-params", "method": "devwatch/devServer/list"})
    await client.protocol.wait_for(lambda e: e.get("id") == "no-params", "the reply to a request without params")
    assert client.protocol.response("no-params")["result"] == {"servers": []}
    await client.shutdown_session()  # pygls omits params for shutdown and exit
    assert client._server.returncode == 0


# -- 2. work-done progress waits for the client's answer ---------------------

def progress_tokens(client: DevwatchClient) -> list:
    return [p["token"] for p in client.notifications("$/progress")]


def created_tokens(client: DevwatchClient) -> list:
    return [e["params"]["token"] for e in client.received if e.get("method") == "window/workDoneProgress/create"]


async def test_accepted_progress_reports_the_crawl(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path, capabilities=client_capabilities("emacs"))
    await crawl_done(client)
    await status(client)
    [token] = created_tokens(client)
    kinds = [v.kind for v in client.progress_reports[token]]
    assert kinds[0] == "begin" and kinds[-1] == "end", kinds
    assert "Watching" in client.progress_reports[token][-1].message
    await client.shutdown_session()


async def test_refused_progress_token_gets_no_progress(client: DevwatchClient, tmp_path):
    client.progress_reply = "refuse"
    await initialize(client, tmp_path, capabilities=client_capabilities("emacs"))
    await crawl_done(client)
    await status(client)  # all the crawl's messages have been written before this reply
    [token] = created_tokens(client)
    assert token not in progress_tokens(client), \
        f"$/progress on the refused token {token!r}: {client.notifications('$/progress')}"
    logged = [m for m in client.notifications("window/logMessage") if "Watching" in m["message"]]
    assert [m["type"] for m in logged] == [3], logged  # the crawl, once, as a log line instead
    await client.shutdown_session()


async def test_progress_waits_for_the_create_reply(client: DevwatchClient, tmp_path):
    client.progress_reply = "hold"
    await initialize(client, tmp_path, capabilities=client_capabilities("emacs"))
    await client.protocol.wait_for(lambda e: e.get("method") == "window/workDoneProgress/create", "create")
    await status(client)  # written after anything devwatch sent right after create
    early = client.notifications("$/progress")
    client.release_progress.set()
    assert early == [], f"$/progress before the client answered window/workDoneProgress/create: {early}"
    await client.shutdown_session()


# -- 3. LSP notifications devwatch does not use ------------------------------

def warnings_about(client: DevwatchClient, text: str) -> list[str]:
    return [m["message"] for m in client.notifications("window/logMessage") + client.notifications("window/showMessage")
            if text in m["message"]]


async def test_lsp_notifications_are_ignored_quietly(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path, capabilities=client_capabilities("emacs"))
    doc = tmp_path / "views.py"
    doc.write_text("x = 1\n")
    ident = types.TextDocumentIdentifier(uri=doc.as_uri())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=doc.as_uri(), language_id="python", version=1, text="x = 1\n")))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.as_uri(), version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 2\n")]))
    client.text_document_will_save(types.WillSaveTextDocumentParams(
        text_document=ident, reason=types.TextDocumentSaveReason.Manual))
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=ident))
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident))
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=doc.as_uri(), type=types.FileChangeType.Changed)]))
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="devwatch/crawl/1"))
    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=doc.as_uri()), cell_text_documents=[]))
    client.protocol.notify("$/someClientExtension", {})  # LSP: "$/" notifications may be ignored
    await status(client)
    noise = [m for m in client.notifications("window/logMessage") + client.notifications("window/showMessage")
             if any(word in m["message"] for word in ("textDocument/", "workspace/did", "$/", "window/", "notebookDocument/"))]
    assert noise == []
    await client.shutdown_session()


async def test_unknown_notification_is_warned_once_per_method(client: DevwatchClient, tmp_path):
    await initialize(client, tmp_path)
    for _ in range(3):
        client.protocol.notify("acme/ping", {})
        client.protocol.notify("acme/pong", {})
    await status(client)
    assert len(warnings_about(client, "acme/ping")) == 1, warnings_about(client, "acme/ping")
    assert len(warnings_about(client, "acme/pong")) == 1, warnings_about(client, "acme/pong")
    await client.shutdown_session()


# -- 4. diagnostics follow the client's capabilities -------------------------

async def crash_diagnostics(client: DevwatchClient, tmp_path, capabilities) -> dict:
    root = copy_example(tmp_path / "blog")
    line = break_view(root)
    await initialize(client, root, capabilities=capabilities,
                     options={"settings": django_settings(free_port(), autoRestart=False)})
    views = (root / "blog" / "views.py").as_uri()
    entry = await client.protocol.wait_for(
        lambda e: e.get("method") == "textDocument/publishDiagnostics" and e["params"]["uri"] == views
        and e["params"]["diagnostics"], "the crash's diagnostic")
    [diag] = entry["params"]["diagnostics"]
    assert diag["range"]["start"]["line"] == line and "SyntaxError" in diag["message"]
    return diag


async def test_related_information_when_the_client_supports_it(client: DevwatchClient, tmp_path):
    caps = client_capabilities("emacs")
    caps.text_document.publish_diagnostics.related_information = True
    diag = await crash_diagnostics(client, tmp_path, caps)
    assert diag["relatedInformation"], diag
    await client.shutdown_session()


@pytest.mark.parametrize("capabilities", [pytest.param(lambda: client_capabilities("emacs"), id="eglot-29"),
                                          pytest.param(types.ClientCapabilities, id="no-capabilities")])
async def test_no_related_information_unless_supported(client: DevwatchClient, tmp_path, capabilities):
    diag = await crash_diagnostics(client, tmp_path, capabilities())
    assert "relatedInformation" not in diag, diag["relatedInformation"][:2]
    await client.shutdown_session()


# -- 5. a root below the project ---------------------------------------------

async def test_root_below_a_django_project_points_to_it(client: DevwatchClient, tmp_path):
    project = copy_example(tmp_path / "project")
    sub = project / "blog"  # where eglot roots a file's workspace without a git root
    await initialize(client, sub, capabilities=client_capabilities("emacs"))
    await crawl_done(client)
    await status(client)
    said = [m["message"] for m in client.notifications("window/showMessage")
            if "manage.py" in m["message"] and str(project) in m["message"]]
    assert len(said) == 1, f"expected one window/showMessage naming manage.py in {project}; " \
                           f"got {client.notifications('window/showMessage')}"
    assert "devwatch.json" in said[0]  # the fix: open that folder, or add devwatch.json here
    [config] = (await status(client))["config"]
    assert said[0] == "devwatch: " + config["hint"]
    await client.shutdown_session()


# -- 6. a crash loop at start-up ---------------------------------------------

async def test_crash_loop_shows_the_first_crash_and_the_backoff_only(client: DevwatchClient, tmp_path):
    root = copy_example(tmp_path / "blog")
    break_view(root)
    caps = client_capabilities("emacs")
    caps.text_document.publish_diagnostics.related_information = True  # item 4 is not this test's business
    await initialize(client, root, capabilities=caps,
                     options={"settings": django_settings(free_port(), autoRestart=True)})
    await client.protocol.wait_for(state_is("django", "backoff"), "the back-off", timeout=120)
    await status(client)
    crashes = [e for e in client.received if state_is("django", "crashed", "backoff")(e)]
    assert len(crashes) >= 5  # every crash still reaches stateChanged
    shown = [m["message"] for m in client.notifications("window/showMessage")]
    assert len(shown) == 2, shown  # the first crash, then the back-off
    # A change restarts it: its crash is news again.
    views = root / "blog" / "views.py"
    views.write_text(views.read_text() + "\n# still broken\n")
    await client.protocol.wait_for(lambda e: state_is("django", "starting")(e) and e["params"]["cause"] == "change",
                                   "the restart on change", timeout=60)
    await client.protocol.wait_for(lambda e: len(client.notifications("window/showMessage")) >= 3,
                                   "the crash after the change, shown", timeout=60)
    assert "crashed" in client.notifications("window/showMessage")[2]["message"]
    await client.shutdown_session()
