// The extension's protocol against the real devwatch binary and the example
// Django project: the same typed messages (src/protocol.ts) the extension uses.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { ResponseError } from "vscode-jsonrpc/node";

import { crashNotice } from "../../src/crash";
import * as proto from "../../src/protocol";
import { copyExample, DEVWATCH_BIN, freePort, httpGet, lineOf, poll, replaceInFile, webServerSettings } from "../support/env";
import { Session } from "../support/session";

assert.ok(fs.existsSync(DEVWATCH_BIN), `devwatch binary not found at ${DEVWATCH_BIN} (set DEVWATCH_BIN)`);

describe("a trusted workspace with the example Django project", () => {
  let root: string;
  let port: number;
  let s: Session;
  let views: string;
  let viewsUri: string;

  before(async () => {
    root = copyExample();
    views = path.join(root, "blog/views.py");
    viewsUri = pathToFileURL(views).href;
    port = await freePort();
    s = await Session.start([root], { trusted: true, settings: webServerSettings(port) });
  });
  after(async () => {
    if (s) assert.equal(await s.close(), 0, "devwatch exits 0 after shutdown/exit");
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  });

  test("initialize announces the dev-server feature", () => {
    const caps = s.initializeResult.capabilities.experimental.devwatch as proto.DevwatchCapabilities;
    assert.ok(caps.devServers, "capabilities.experimental.devwatch.devServers");
    assert.equal(caps.devServers!.trusted, true);
  });

  test("start -> ready -> HTTP 200 from /marker/", async () => {
    await s.waitState(0, "ready");
    const { servers } = await s.conn.sendRequest(proto.listServers);
    assert.equal(servers.length, 1);
    const web = servers[0];
    assert.equal(web.name, "web");
    assert.equal(web.state, "ready");
    assert.equal(web.url, `http://127.0.0.1:${port}/`);
    assert.equal(web.root, pathToFileURL(root).href);
    assert.equal(typeof web.readyMs, "number");
    const res = await httpGet(`${web.url}marker/`);
    assert.equal(res.status, 200);
    assert.equal(res.body.trim(), "marker: v1");
  });

  test("output backlog: what was printed before attaching, then live lines in order", async () => {
    const backlog = await s.conn.sendRequest(proto.serverOutput, { name: "web", fromSeq: 0 });
    assert.equal(backlog.name, "web");
    assert.ok(backlog.lines.some((l) => l.text.includes(`http://127.0.0.1:${port}/`)), JSON.stringify(backlog.lines));
    const seqs = backlog.lines.map((l) => l.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(backlog.nextSeq, seqs[seqs.length - 1] + 1);
    // Every streamed line is in the backlog with the same seq and text.
    for (const n of s.since(0, proto.outputNotification.method)) {
      const l = backlog.lines.find((x) => x.seq === n.params.seq);
      if (l) assert.equal(l.text, n.params.text);
    }
    const last = await s.conn.sendRequest(proto.serverOutput, { name: "web", fromSeq: 0, limit: 1 });
    assert.equal(last.lines.length, 1);
    assert.equal(last.lines[0].seq, backlog.nextSeq - 1);
    // A request makes the server log a line, which is streamed with the next seq.
    const mark = s.mark();
    await httpGet(`http://127.0.0.1:${port}/marker/`);
    const live = await s.waitFor("a request log line", mark, proto.outputNotification.method, (p) => p.text.includes("/marker/"));
    assert.ok(live.seq >= backlog.nextSeq);
    const tail = await s.conn.sendRequest(proto.serverOutput, { name: "web", fromSeq: live.seq });
    assert.equal(tail.lines[0].seq, live.seq);
    assert.equal(tail.lines[0].text, live.text);
  });

  test("edit a view -> exactly one restart -> the new content", async () => {
    const mark = s.mark();
    replaceInFile(views, 'MARKER = "marker: v1"', 'MARKER = "marker: v2"');
    const ready = await s.waitState(mark, "ready");
    assert.ok(ready.readyMs !== undefined);
    const starting = s.since(mark, proto.stateChanged.method).filter((n) => n.params.state === "starting");
    assert.equal(starting.length, 1, `one restart, saw ${s.states(mark).join(", ")}`);
    assert.ok((starting[0].params.changedFiles ?? []).includes(viewsUri), JSON.stringify(starting[0].params));
    const res = await httpGet(`http://127.0.0.1:${port}/marker/`);
    assert.equal(res.body.trim(), "marker: v2");
  });

  test("syntax error -> crashed with a diagnostic on its line -> fix -> ready, diagnostic cleared", async () => {
    const line = lineOf(views, "MARKER = ");
    let mark = s.mark();
    replaceInFile(views, 'MARKER = "marker: v2"', 'MARKER = "marker: v3');
    const crashed = await s.waitFor("crashed or backoff", mark, proto.stateChanged.method, (p) => p.name === "web" && (p.state === "crashed" || p.state === "backoff"));
    assert.ok(crashed.exitCode !== undefined || crashed.signal !== undefined, JSON.stringify(crashed));
    const diag = await s.waitFor("a diagnostic for views.py", mark, "textDocument/publishDiagnostics", (p) => p.uri === viewsUri && p.diagnostics.length > 0);
    const d = diag.diagnostics[0];
    assert.equal(d.range.start.line, line, JSON.stringify(d));
    assert.equal(d.severity, 1);
    assert.match(d.message, /SyntaxError/);
    const shown = await s.waitFor("a crash message", mark, "window/showMessage", (p) => /crashed/.test(p.message));
    assert.equal(shown.type, 1);
    assert.match(shown.message, /^devwatch: web crashed/);

    mark = s.mark();
    replaceInFile(views, 'MARKER = "marker: v3', 'MARKER = "marker: v3"');
    await s.waitState(mark, "ready");
    await s.waitFor("diagnostics cleared", mark, "textDocument/publishDiagnostics", (p) => p.uri === viewsUri && p.diagnostics.length === 0);
    const res = await httpGet(`http://127.0.0.1:${port}/marker/`);
    assert.equal(res.body.trim(), "marker: v3");
  });

  test("stop, then start: stateChanged and replies agree", async () => {
    let mark = s.mark();
    const stopping = await s.conn.sendRequest(proto.stopServer, { name: "web" });
    assert.ok(["stopping", "stopped"].includes(stopping.state), stopping.state);
    await s.waitState(mark, "stopped");
    await poll("port closed", async () => httpGet(`http://127.0.0.1:${port}/marker/`).then(() => false, () => true));
    mark = s.mark();
    const started = await s.conn.sendRequest(proto.startServer, {});
    assert.equal(started.name, "web");
    await s.waitState(mark, "ready");
    assert.equal((await httpGet(`http://127.0.0.1:${port}/marker/`)).status, 200);
  });

  test("unknown server: error 1101 lists the known ones", async () => {
    await assert.rejects(s.conn.sendRequest(proto.restartServer, { name: "nope" }), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, proto.ErrorCodes.UnknownServer);
      assert.deepEqual((e.data as { known: string[] }).known, ["web"]);
      return true;
    });
  });

  test("devwatch/status has the watcher, its budget and the server", async () => {
    const st = await s.conn.sendRequest(proto.status);
    assert.ok(st.watcher, "watcher section");
    assert.ok(["inotify", "poll"].includes(st.watcher!.backend), st.watcher!.backend);
    assert.ok(st.watcher!.budget === undefined || typeof st.watcher!.budget.limit === "number");
    assert.deepEqual(st.devServers.map((d) => d.name), ["web"]);
    assert.equal(st.workspaceFolders[0].path, root);
  });
});

describe("an untrusted workspace", () => {
  let root: string;
  let s: Session;
  before(async () => {
    root = copyExample();
    s = await Session.start([root], { trusted: false, settings: webServerSettings(await freePort()) });
  });
  after(async () => {
    if (s) await s.close();
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  });

  test("servers are listed but never started; start is refused with 1104", async () => {
    const warning = await s.waitFor("the not-trusted message", 0, "window/showMessage", (p) => /not trusted/.test(p.message));
    assert.equal(warning.type, 2);
    const { servers } = await s.conn.sendRequest(proto.listServers);
    assert.equal(servers.length, 1);
    assert.equal(servers[0].state, "stopped");
    assert.equal(servers[0].trusted, false);
    await assert.rejects(s.conn.sendRequest(proto.startServer, { name: "web" }), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, proto.ErrorCodes.Untrusted);
      return true;
    });
    assert.deepEqual(s.states(0), [], "no state change: nothing was started");
    const st = await s.conn.sendRequest(proto.status);
    assert.ok(st.watcher, "watching still works");
  });

  test("Start Once: start with consent runs it; restart is still refused", async () => {
    const info = await s.conn.sendRequest(proto.startServer, { name: "web", consent: true });
    assert.equal(info.state, "starting");
    await s.waitState(0, "ready");
    await assert.rejects(s.conn.sendRequest(proto.restartServer, { name: "web" }), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, proto.ErrorCodes.Untrusted);
      return true;
    });
  });
});

describe("crashMessages: false (what the extension sends)", () => {
  let root: string;
  let s: Session;
  before(async () => {
    root = copyExample();
    const settings = webServerSettings(await freePort());
    (settings.servers as Record<string, Record<string, unknown>>).web.autoRestart = false;
    s = await Session.start([root], { trusted: true, crashMessages: false, settings });
  });
  after(async () => {
    if (s) await s.close();
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  });

  test("a crash comes as stateChanged fields only, and renders with Open file:line", async () => {
    await s.waitState(0, "ready");
    const views = path.join(root, "blog/views.py");
    const line = lineOf(views, "MARKER = ");
    const mark = s.mark();
    replaceInFile(views, 'MARKER = "marker: v1"', 'MARKER = "marker: v1');
    const crashed: proto.StateChangedParams = await s.waitFor("crashed", mark, proto.stateChanged.method, (p) => p.name === "web" && (p.state === "crashed" || p.state === "backoff"));
    assert.equal(crashed.exitCode, 1, JSON.stringify(crashed));
    assert.match(crashed.exception ?? "", /SyntaxError/);
    assert.equal(crashed.location?.uri, pathToFileURL(views).href);
    assert.equal(crashed.location?.range.start.line, line);
    const notice = crashNotice(crashed)!;
    assert.match(notice.message, /^devwatch: web crashed \(exit 1\): SyntaxError/);
    assert.deepEqual(notice.actions.map((a) => a.title), ["Restart", "Show Output", `Open views.py:${line + 1}`]);
    // The diagnostic follows the state change; devwatch would have sent its message by then.
    await s.waitFor("the diagnostic", mark, "textDocument/publishDiagnostics", (p) => p.diagnostics.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(s.since(mark, "window/showMessage").map((n) => n.params.message), [], "no crash message");
  });
});
