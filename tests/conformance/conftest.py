"""Conformance suite: devwatch driven by a client nobody here wrote.

The client is pygls' LanguageClient as pytest-lsp ships it (its default
handlers for window/logMessage, $/progress, workDoneProgress/create, ...),
with pytest-lsp's specification checks turned into errors (pytest.ini:
``filterwarnings = error::pytest_lsp.LspSpecificationWarning``). Two
additions, both small:

- ``RecordingProtocol`` records every message devwatch sends, as JSON, so a
  test can wait for a notification by predicate (with a deadline, never a
  sleep) and count what arrived;
- it also runs pytest-lsp's *params* checks on notifications (pytest-lsp runs
  them on server requests only), and registers one more check: a diagnostic's
  ``relatedInformation`` needs ``textDocument.publishDiagnostics.relatedInformation``.

Requests devwatch defines are sent the way a pygls user sends them,
``client.protocol.send_request_async(method, params)``: pygls puts
``"params": null`` on the wire when params is None (issue 11, item 1), so
helpers that are not about that item pass ``{}``.
"""
from __future__ import annotations

import asyncio
import copy
import os
import sys
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureNotificationError, JsonRpcException
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.checks import LspSpecificationWarning, check_params_against_client_capabilities, check_params_of
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, captured_exception_key, create_work_done_progress, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

ROOT = Path(__file__).resolve().parents[2]
# Ports and the example project: the same helpers as the end-to-end tests.
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from devserver_util import copy_example, free_port, port_is_free  # noqa: E402
DEVWATCH = os.environ.get("DEVWATCH_BIN") or str(ROOT / "build" / "server" / "devwatch")
TIMEOUT = 30.0  # a deadline for something that must happen, never a performance threshold
PYTHON = sys.executable  # this venv has Django from PyPI


# -- an extra pytest-lsp check ---------------------------------------------

@check_params_of(method=types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
def diagnostics_respect_related_information(capabilities: types.ClientCapabilities, params: Any):
    supported = get_capability(capabilities, "text_document.publish_diagnostics.related_information", False)
    for d in params.diagnostics:
        assert supported or not d.related_information, (
            "relatedInformation sent to a client without "
            "textDocument.publishDiagnostics.relatedInformation")


# -- the client ------------------------------------------------------------

class RecordingProtocol(LanguageClientProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received: list[dict] = []
        self._arrived = asyncio.Event()

    def structure_message(self, data: dict):
        # json.loads' object_hook: called innermost first, so the message
        # itself (the dict with "jsonrpc") arrives with plain JSON inside.
        if "jsonrpc" in data:
            self.received.append(copy.deepcopy(data))
            self._arrived.set()
        return super().structure_message(data)

    def response(self, msg_id: Any) -> dict:
        return next(e for e in reversed(self.received) if e.get("id") == msg_id and "method" not in e)

    def _handle_notification(self, method_name, params):
        if self._server.capabilities is not None:
            try:
                check_params_against_client_capabilities(self._server.capabilities, method_name, params)
            except LspSpecificationWarning as e:
                # Reported like a failing notification handler (the test fails
                # with it), not as a broken stream: pygls would kill the server.
                self._server._report_server_error(e, FeatureNotificationError)
        return super()._handle_notification(method_name, params)

    async def wait_for(self, predicate: Callable[[dict], bool], what: str, timeout: float = TIMEOUT) -> dict:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while True:
            for entry in self.received[seen:]:
                if predicate(entry):
                    return entry
            seen = len(self.received)
            left = deadline - loop.time()
            if left <= 0:
                tail = [{k: v for k, v in e.items()} for e in self.received[-8:]]
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last received: {tail}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except asyncio.TimeoutError:
                pass


class ProgressRefused(JsonRpcException):
    CODE = -32803  # LSP RequestFailed
    MESSAGE = "work-done progress refused by the test client"


class DevwatchClient(LanguageClient):
    """pytest-lsp's client; ``progress_reply`` says how it answers workDoneProgress/create."""

    protocol: RecordingProtocol

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.progress_reply = "accept"  # or "refuse", or "hold" (until release_progress is set)
        self.release_progress = asyncio.Event()

    def report_server_error(self, error, source):
        if isinstance(error, ProgressRefused):
            return  # our own refusal, on purpose
        super().report_server_error(error, source)

    @property
    def received(self) -> list[dict]:
        return self.protocol.received

    def notifications(self, method: str) -> list[Any]:
        return [e.get("params") for e in self.received if e.get("method") == method and "id" not in e]


def _work_done_progress_create(client: DevwatchClient, params: types.WorkDoneProgressCreateParams):
    # A generator handler: pygls runs it at once up to its first yield, so
    # the token is registered (or refused) before the next message is read,
    # exactly as with pytest-lsp's own handler; "hold" then delays the reply.
    if client.progress_reply == "refuse":
        raise ProgressRefused()
    create_work_done_progress(client, params)
    if client.progress_reply == "hold":
        yield _until_released, (client,), {}
    return None


async def _until_released(client: DevwatchClient):
    await client.release_progress.wait()


def make_client() -> DevwatchClient:
    client = DevwatchClient(protocol_cls=RecordingProtocol, converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.WINDOW_WORK_DONE_PROGRESS_CREATE] = _work_done_progress_create
    register_lsp_features(client, features)
    return client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[DEVWATCH, "--stdio"], client_factory=make_client,
                                              server_env={**os.environ, "DEVWATCH_LOG": "info"}))
async def client(lsp_client: DevwatchClient):
    if not os.access(DEVWATCH, os.X_OK):
        pytest.fail(f"devwatch binary not found at {DEVWATCH}: build first (bash scripts/setup.sh)")
    yield
    # pytest-lsp's stop() waits for the process: make sure it ends (end of
    # input, then SIGKILL) even when a test left it running on purpose.
    proc = lsp_client._server
    if proc is not None and proc.returncode is None:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), TIMEOUT)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """pytest-lsp surfaces a check that failed inside a handler as the test's error
    when the test passed; when the test failed anyway, say it with the report
    instead of carrying it into the teardown's report."""
    if call.when == "teardown" and item.stash.get(_call_failed, False):
        item.stash[captured_exception_key] = None  # the same defect, seen again while stopping
    report = yield
    if call.when == "call" and call.excinfo is not None:
        item.stash[_call_failed] = True
        excinfo = item.stash.get(captured_exception_key, None)
        if excinfo is not None:
            item.stash[captured_exception_key] = None
            report.sections.append(("pytest-lsp check failed in a handler", str(excinfo.value)))
    return report


# -- helpers ---------------------------------------------------------------

def folder(root: Path) -> types.WorkspaceFolder:
    return types.WorkspaceFolder(uri=root.as_uri(), name=root.name)


async def initialize(client: DevwatchClient, root: Optional[Path] = None,
                     capabilities: Optional[types.ClientCapabilities] = None,
                     options: Optional[dict] = None) -> types.InitializeResult:
    params = types.InitializeParams(
        capabilities=capabilities if capabilities is not None else types.ClientCapabilities(),
        workspace_folders=[folder(root)] if root else None,
        initialization_options=options,
        client_info=types.ClientInfo(name="pytest-lsp conformance"))
    return await client.initialize_session(params)


async def request(client: DevwatchClient, method: str, params: Any = None) -> Any:
    """A request as a pygls user sends it (params None goes out as null); the result as plain JSON."""
    msg_id = str(uuid.uuid4())
    await asyncio.wait_for(client.protocol.send_request_async(method, params, msg_id=msg_id), TIMEOUT)
    return client.protocol.response(msg_id)["result"]


async def status(client: DevwatchClient) -> dict:
    return await request(client, "devwatch/status", {})


def send_raw(client: DevwatchClient, message: dict) -> None:
    """Writes one message exactly as given (pygls' own types omit params for shutdown/exit)."""
    client.protocol._send_data(message)


async def raw_request(client: DevwatchClient, method: str, params: Any) -> Any:
    """A request with ``params`` written as given, null included; answered like any pygls request."""
    msg_id = str(uuid.uuid4())
    future: Future = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._result_types[msg_id] = None
    send_raw(client, {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)
    return client.protocol.response(msg_id)["result"]


async def exit_code(client: DevwatchClient, timeout: float = TIMEOUT) -> int:
    proc = client._server
    try:
        return await asyncio.wait_for(proc.wait(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"devwatch (pid {proc.pid}) still running {timeout:.0f} s after exit") from None


async def crawl_done(client: DevwatchClient) -> dict:
    """Polls devwatch/status until the watcher has finished crawling (a deadline, no fixed wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        st = await status(client)
        if st.get("watcher") and not st["watcher"].get("crawling"):
            return st
        assert loop.time() < deadline, f"the crawl did not finish: {st.get('watcher')}"
        await asyncio.sleep(0.05)  # polling devwatch's own state: no notification says "crawl done" without progress


async def poll(predicate: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Polls an outside condition (HTTP, a port) off the event loop, with a deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)  # an outside condition: there is no event to wait on


def state_is(name: Optional[str], *states: str) -> Callable[[dict], bool]:
    return lambda e: (e.get("method") == "devwatch/devServer/stateChanged"
                      and (name is None or e["params"]["name"] == name) and e["params"]["state"] in states)


def django_settings(port: int, **extra: Any) -> dict:
    """initializationOptions.settings for the example: this venv's Django on a free port."""
    server = {"command": [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
              "env": {"PYTHONUNBUFFERED": "1"}, "ready": {"port": port}, "stopTimeoutMs": 5000,
              "restartOn": ["**/*.py", "**/templates/**"], "ignore": ["**/static/**"]}
    server.update(extra)
    return {"servers": {"django": server}}


def break_view(root: Path) -> int:
    """Writes a SyntaxError into blog/views.py; returns its 0-based line."""
    views = root / "blog" / "views.py"
    text = views.read_text()
    line = next(i for i, l in enumerate(text.splitlines()) if l.startswith("def marker(request):"))
    views.write_text(text.replace("def marker(request):", "def marker(request)", 1))
    return line
