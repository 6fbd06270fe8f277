// Crashes are rendered from stateChanged's fields; nothing parses message text.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { clientInitializationOptions, readSettings } from "../../src/config";
import { crashNotice, isRestart } from "../../src/crash";
import { offerTrust } from "../../src/messages";
import { ServerModel } from "../../src/model";
import { STATE_CHANGED_FIELDS, StateChangedParams } from "../../src/protocol";
import { statusView } from "../../src/status";

const EXTENSION = path.resolve(__dirname, "../../..");
const crashed: StateChangedParams = {
  name: "web",
  state: "crashed",
  reason: "crashed: exited with code 1; waiting for a change or a restart request (autoRestart is off)",
  exitCode: 1,
  exception: "SyntaxError: unterminated string literal (detected at line 13)",
  location: { uri: "file:///home/me/blog/blog/views.py", range: { start: { line: 12, character: 9 }, end: { line: 12, character: 10 } } },
  lastLines: ["    MARKER = \"marker: v3", "SyntaxError: unterminated string literal (detected at line 13)"],
};

test("a crashed stateChanged with a location: the message, Restart, Show Output and Open file:line", () => {
  const n = crashNotice(crashed)!;
  assert.equal(
    n.message,
    "devwatch: web crashed (exit 1): SyntaxError: unterminated string literal (detected at line 13). crashed: exited with code 1; waiting for a change or a restart request (autoRestart is off)",
  );
  assert.deepEqual(n.actions.map((a) => a.title), ["Restart", "Show Output", "Open views.py:13"]);
  const open = n.actions[2];
  assert.equal(open.kind, "open");
  assert.deepEqual(open.kind === "open" && open.location, crashed.location);
});

test("without a location or an exception: no Open button, the exit status or signal still shown", () => {
  const n = crashNotice({ name: "bad", state: "backoff", reason: "crashed: exited with code 3; crashed 5 times", exitCode: 3 })!;
  assert.equal(n.message, "devwatch: bad crashed (exit 3). crashed: exited with code 3; crashed 5 times");
  assert.deepEqual(n.actions.map((a) => a.title), ["Restart", "Show Output"]);
  assert.match(crashNotice({ name: "w", state: "crashed", reason: "x", signal: "SIGSEGV" })!.message, /^devwatch: w crashed \(killed by SIGSEGV\)\. x$/);
  assert.match(crashNotice({ name: "w", state: "crashed", reason: "exec failed" })!.message, /^devwatch: w crashed \(exited\)\. exec failed$/);
});

test("only crashed and backoff are crashes", () => {
  for (const state of ["starting", "ready", "stopping", "stopped"] as const) {
    assert.equal(crashNotice({ ...crashed, state }), undefined, state);
  }
});

test("the extension asks devwatch not to send crash messages", () => {
  const s = readSettings(() => undefined);
  assert.equal(clientInitializationOptions(s, true).crashMessages, false);
  assert.equal(clientInitializationOptions(s, false).trusted, false);
});

test("showMessage: the trust button comes from the trusted capability, not from the text", () => {
  const untrusted = { devServers: { trusted: false } };
  assert.equal(offerTrust(2, false, untrusted), true);
  assert.equal(offerTrust(2, false, { devServers: { trusted: true } }), false);
  assert.equal(offerTrust(2, true, untrusted), false);
  assert.equal(offerTrust(3, false, untrusted), false);
  assert.equal(offerTrust(2, false, undefined), false);
});

test("no regular expression over message text is left for crashes or trust", () => {
  for (const file of fs.readdirSync(path.join(EXTENSION, "src"))) {
    const text = fs.readFileSync(path.join(EXTENSION, "src", file), "utf8");
    assert.doesNotMatch(text, /\/[^/\n]*(crashed|not trusted)[^/\n]*\/\.(exec|test)\(/, file);
    assert.doesNotMatch(text, /message\.match\(|\.exec\(message\)/, file);
  }
  const lua = fs.readFileSync(path.join(EXTENSION, "../nvim/lua/devwatch/session.lua"), "utf8");
  assert.doesNotMatch(lua, /:match\("\^devwatch: /, "session.lua");
});

test("restart or start: cause and restarting decide when present", () => {
  const starting = (over: Partial<StateChangedParams>): StateChangedParams => ({ name: "web", state: "starting", reason: "", ...over });
  assert.equal(isRestart(starting({ cause: "autoStart" }), { state: "ready" }), false);
  assert.equal(isRestart(starting({ cause: "request" }), { state: "stopped" }), false);
  assert.equal(isRestart(starting({ cause: "request" }), { state: "stopping", restarting: true }), true);
  assert.equal(isRestart(starting({ cause: "change" }), { state: "crashed" }), true);
  assert.equal(isRestart(starting({ cause: "autoRestart" }), { state: "crashed" }), true);
  // Without cause (older servers): the changed files and the previous state.
  assert.equal(isRestart(starting({}), { state: undefined }), false);
  assert.equal(isRestart(starting({}), { state: "stopped" }), false);
  assert.equal(isRestart(starting({ changedFiles: ["file:///p/a.py"] }), { state: "stopped" }), true);
  assert.equal(isRestart(starting({}), { state: "stopping" }), true);
});

test("the model keeps the exception and location; the tooltip shows the exception", () => {
  const m = new ServerModel();
  m.setPhase({ kind: "running" });
  m.applyStateChange(crashed);
  assert.deepEqual(m.get("web")?.location, crashed.location);
  const v = statusView({ kind: "running" }, m.list(), true);
  assert.match(v.tooltip, /web: crashed \(exit 1\): SyntaxError: unterminated string literal/);
  m.applyStateChange({ name: "web", state: "stopping", reason: "restarting", restarting: true, cause: "request" });
  m.applyStateChange({ name: "web", state: "starting", reason: "restart requested", cause: "request" });
  assert.equal(m.get("web")?.restart, true);
  assert.equal(m.get("web")?.location, undefined);
});

test("protocol.lua lists exactly protocol.ts's stateChanged fields", () => {
  const lua = fs.readFileSync(path.join(EXTENSION, "../nvim/lua/devwatch/protocol.lua"), "utf8");
  const block = /M\.state_changed_fields = \{([^}]*)\}/.exec(lua);
  assert.ok(block, "protocol.lua has M.state_changed_fields = { ... }");
  const names = [...block[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual([...names].sort(), [...STATE_CHANGED_FIELDS].sort());
});
