// Settings -> initializationOptions, and the merge devwatch applies over devwatch.json.
import assert from "node:assert/strict";
import { test } from "node:test";

import { initializationOptions, mergePatch, needsRestart, readSettings } from "../../src/config";

const getter = (values: Record<string, unknown>) => <T>(key: string) => values[key] as T | undefined;

test("unset settings send nothing but trust, so devwatch.json stays in charge", () => {
  const s = readSettings(getter({ serverPath: null, autoStart: null, servers: {}, "watch.exclude": [] }));
  assert.deepEqual(initializationOptions(s, true), { trusted: true });
  assert.deepEqual(initializationOptions(s, false), { trusted: false });
});

test("set settings become devwatch.json-shaped options", () => {
  const s = readSettings(getter({
    autoStart: false,
    autoRestart: true,
    servers: { web: { command: ["python3", "manage.py", "runserver"], ready: { port: 8123 } } },
    "watch.exclude": ["media/**", "", 3],
  }));
  assert.deepEqual(initializationOptions(s, true), {
    trusted: true,
    autoStart: false,
    autoRestart: true,
    settings: {
      servers: { web: { command: ["python3", "manage.py", "runserver"], ready: { port: 8123 } } },
      watch: { exclude: ["media/**"] },
    },
  });
});

test("bad values are ignored, not sent", () => {
  const s = readSettings(getter({ serverPath: "  ", autoStart: "yes", servers: ["x"], "watch.exclude": "a" }));
  assert.equal(s.serverPath, null);
  assert.equal(s.autoStart, null);
  assert.deepEqual(s.servers, {});
  assert.deepEqual(s.watchExclude, []);
});

test("merge patch: settings over devwatch.json (RFC 7386)", () => {
  const file = { watch: { exclude: ["a"], settleMs: 20 }, servers: { web: { command: ["x"], ready: { port: 8000 } }, worker: { command: ["w"] } } };
  const patch = { watch: { exclude: ["b"] }, servers: { web: { ready: { port: 9000 } }, worker: null } };
  assert.deepEqual(mergePatch(file, patch), {
    watch: { exclude: ["b"], settleMs: 20 },
    servers: { web: { command: ["x"], ready: { port: 9000 } } },
  });
  assert.deepEqual(mergePatch({ a: 1 }, ["arrays", "replace"]), ["arrays", "replace"]);
});

test("which setting changes restart devwatch", () => {
  const affects = (changed: string) => (s: string) => s === changed || changed.startsWith(s + ".");
  assert.equal(needsRestart(affects("devwatch.servers")), true);
  assert.equal(needsRestart(affects("devwatch.watch.exclude")), true);
  assert.equal(needsRestart(affects("devwatch.serverPath")), true);
  assert.equal(needsRestart(affects("devwatch.trace.server")), false);
  assert.equal(needsRestart(affects("editor.fontSize")), false);
});
