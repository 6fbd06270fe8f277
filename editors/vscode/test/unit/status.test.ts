// State -> status bar: what the user sees for each dev-server state.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ServerModel, ServerView } from "../../src/model";
import { statusView } from "../../src/status";

const running = { kind: "running" } as const;
const server = (over: Partial<ServerView>): ServerView => ({ name: "web", state: "stopped", reason: "", trusted: true, ...over });

test("each state has its codicon and the server's name", () => {
  const cases: [ServerView["state"], string][] = [
    ["starting", "$(sync~spin) web"],
    ["stopping", "$(sync~spin) web"],
    ["ready", "$(check) web"],
    ["crashed", "$(error) web"],
    ["backoff", "$(error) web"],
    ["stopped", "$(circle-slash) web"],
  ];
  for (const [state, text] of cases) {
    assert.equal(statusView(running, [server({ state })], true).text, text, state);
  }
});

test("ready shows the ready time and URL in the tooltip", () => {
  const v = statusView(running, [server({ state: "ready", readyMs: 1534, url: "http://127.0.0.1:8000/" })], true);
  assert.match(v.tooltip, /web: ready in 1\.5 s at http:\/\/127\.0\.0\.1:8000\//);
  assert.equal(v.severity, "normal");
  assert.equal(v.ariaLabel, "devwatch: web ready");
});

test("a crash is an error with its reason and exit status", () => {
  const v = statusView(running, [server({ state: "crashed", exitCode: 1, reason: "exited during start-up" })], true);
  assert.equal(v.severity, "error");
  assert.match(v.tooltip, /web: crashed \(exit 1\) — exited during start-up/);
  const k = statusView(running, [server({ state: "crashed", signal: "SIGSEGV", reason: "x" })], true);
  assert.match(k.tooltip, /killed by SIGSEGV/);
});

test("several servers are summarised with the worst state's icon", () => {
  const v = statusView(running, [server({ name: "a", state: "ready" }), server({ name: "b", state: "crashed" }), server({ name: "c", state: "ready" })], true);
  assert.equal(v.text, "$(error) devwatch 2/3");
  assert.equal(v.severity, "error");
  for (const n of ["a: ready", "b: crashed", "c: ready"]) assert.ok(v.tooltip.includes(n), n);
  assert.equal(statusView(running, [server({ name: "a", state: "ready" }), server({ name: "b", state: "starting" })], true).text, "$(sync~spin) devwatch 1/2");
});

test("an untrusted workspace explains why servers are not started", () => {
  const v = statusView(running, [server({ trusted: false })], false);
  assert.equal(v.text, "$(workspace-untrusted) web");
  assert.equal(v.severity, "warning");
  assert.match(v.tooltip, /not trusted/);
  assert.equal(v.ariaLabel, "devwatch: web untrusted");
});

test("devwatch itself: starting, failed, no servers", () => {
  assert.equal(statusView({ kind: "starting" }, [], true).text, "$(sync~spin) devwatch");
  const failed = statusView({ kind: "failed", message: "binary not found" }, [], true);
  assert.equal(failed.severity, "error");
  assert.match(failed.tooltip, /binary not found/);
  assert.match(statusView(running, [], true).tooltip, /no dev server is configured/);
});

test("the model keeps the ready time only while ready, and the URL across changes", () => {
  const m = new ServerModel();
  let fired = 0;
  m.onDidChange(() => fired++);
  m.setPhase(running);
  m.reset([{ name: "web", root: "file:///p", state: "starting", reason: "autoStart", command: [], cwd: "/p", restartOn: [], ignore: [], ready: { port: 8000 }, stopSignal: "SIGINT", stopTimeoutMs: 5000, autoStart: true, autoRestart: true, trusted: true, outputNextSeq: 0, url: "http://127.0.0.1:8000/" }]);
  m.applyStateChange({ name: "web", state: "ready", reason: "port 8000 accepts connections", readyMs: 900 });
  assert.equal(m.get("web")?.readyMs, 900);
  assert.equal(m.get("web")?.url, "http://127.0.0.1:8000/");
  m.applyStateChange({ name: "web", state: "starting", reason: "blog/views.py changed" });
  assert.equal(m.get("web")?.readyMs, undefined);
  assert.equal(fired, 4);
  m.setPhase({ kind: "stopped" });
  assert.equal(m.list().length, 0);
});
