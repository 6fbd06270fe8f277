// Finding the devwatch binary, on real temp directories.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { execFileSync } from "node:child_process";

import { describeDiscovery, discoverServer, expandPath } from "../../src/discovery";

let tmp: string;
const probe = {
  isExecutable(file: string): boolean {
    try {
      return fs.statSync(file).isFile() && (fs.statSync(file).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  },
};
function exe(rel: string): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, `#!/bin/sh\necho fake devwatch ${p}\n`, { mode: 0o755 });
  return p;
}

beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "devwatch-discovery-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the setting wins", () => {
  const bin = exe("custom/devwatch");
  exe("repo/build/server/devwatch");
  const d = discoverServer({ serverPath: bin, folders: [path.join(tmp, "repo")], pathEnv: "", home: undefined, trusted: true }, probe);
  assert.equal(d.path, bin);
  assert.equal(d.source, "setting devwatch.serverPath");
});

test("a broken setting is reported, not silently replaced", () => {
  exe("repo/build/server/devwatch");
  const d = discoverServer({ serverPath: path.join(tmp, "nope"), folders: [path.join(tmp, "repo")], pathEnv: "", home: undefined, trusted: true }, probe);
  assert.equal(d.path, undefined);
  assert.equal(d.settingBroken, true);
  assert.match(d.tried[0], /nope \(from the devwatch.serverPath setting\): not an executable file/);
});

test("the workspace build, also from a project inside the repository", () => {
  const bin = exe("repo/build/server/devwatch");
  fs.mkdirSync(path.join(tmp, "repo/examples/blog"), { recursive: true });
  const d = discoverServer({ serverPath: null, folders: [path.join(tmp, "repo/examples/blog")], pathEnv: "", home: undefined, trusted: true }, probe);
  assert.equal(d.path, bin);
  assert.equal(d.source, "workspace build");
  assert.ok(d.tried.some((t) => t.includes("examples/blog/build/server/devwatch: not found")));
});

test("then PATH; a non-executable file there does not count", () => {
  fs.mkdirSync(path.join(tmp, "a"));
  fs.writeFileSync(path.join(tmp, "a/devwatch"), "", { mode: 0o644 });
  const bin = exe("b/devwatch");
  const d = discoverServer({ serverPath: null, folders: [path.join(tmp, "ws")], pathEnv: `${tmp}/a:${tmp}/b`, home: undefined, trusted: true }, probe);
  assert.equal(d.path, bin);
  assert.equal(d.source, "PATH");
});

test("nothing found: every place tried is listed", () => {
  const d = discoverServer({ serverPath: null, folders: [path.join(tmp, "ws")], pathEnv: `${tmp}/none`, home: undefined, trusted: true }, probe);
  assert.equal(d.path, undefined);
  assert.equal(d.tried[0], "devwatch.serverPath setting: not set");
  assert.ok(d.tried.some((t) => t.startsWith(path.join(tmp, "ws/build/server/devwatch"))));
  assert.match(d.tried[d.tried.length - 1], /devwatch on PATH .*: not found/);
});

test("~ and ${workspaceFolder} are expanded; relative paths are from the first folder", () => {
  assert.equal(expandPath("~/bin/devwatch", ["/ws"], "/home/me"), "/home/me/bin/devwatch");
  assert.equal(expandPath("${workspaceFolder}/b/devwatch", ["/ws"], undefined), "/ws/b/devwatch");
  assert.equal(expandPath("b/devwatch", ["/ws"], undefined), "/ws/b/devwatch");
});

test("an untrusted workspace's own build is never run", () => {
  exe("repo/build/server/devwatch");
  const bin = exe("b/devwatch");
  const d = discoverServer({ serverPath: null, folders: [path.join(tmp, "repo")], pathEnv: `${tmp}/b`, home: undefined, trusted: false }, probe);
  assert.equal(d.path, bin);
  assert.ok(d.tried.includes("workspace builds: skipped, the workspace is not trusted"), d.tried.join("\n"));
});

// The virtualenv pip installed devwatch into, and the binary bundled in a platform .vsix.
const base = (over: Partial<Parameters<typeof discoverServer>[0]>) =>
  ({ serverPath: null, folders: [path.join(tmp, "ws")], pathEnv: `${tmp}/pathdir`, home: undefined, trusted: true, ...over });
const dirProbe = { ...probe, isDirectory: (f: string) => fs.existsSync(f) && fs.statSync(f).isDirectory() };

test("the workspace's .venv, then venv, after the setting and before PATH", () => {
  exe("pathdir/devwatch");
  const venv = exe("ws/venv/bin/devwatch");
  let d = discoverServer(base({}), dirProbe);
  assert.equal(d.path, venv);
  assert.equal(d.source, "workspace virtualenv (venv)");
  const dotVenv = exe("ws/.venv/bin/devwatch");
  d = discoverServer(base({}), dirProbe);
  assert.equal(d.path, dotVenv);
  assert.equal(d.source, "workspace virtualenv (.venv)");
  const setting = exe("custom/devwatch");
  assert.equal(discoverServer(base({ serverPath: setting }), dirProbe).path, setting);
  // The pip-installed script really runs.
  assert.equal(execFileSync(dotVenv, [], { encoding: "utf8" }).trim(), `fake devwatch ${dotVenv}`);
});

test("$VIRTUAL_ENV, then the Python extension's interpreter (a python file or an environment folder)", () => {
  exe("pathdir/devwatch");
  const active = exe("active-env/bin/devwatch");
  const d = discoverServer(base({ virtualEnv: path.join(tmp, "active-env"), pythonEnvironments: [path.join(tmp, "py/bin/python3")] }), dirProbe);
  assert.equal(d.path, active);
  assert.equal(d.source, "$VIRTUAL_ENV");
  const selected = exe("py/bin/devwatch");
  exe("py/bin/python3");
  const byInterpreter = discoverServer(base({ pythonEnvironments: [path.join(tmp, "py/bin/python3")] }), dirProbe);
  assert.equal(byInterpreter.path, selected);
  assert.equal(byInterpreter.source, "the Python extension's selected interpreter");
  const byFolder = discoverServer(base({ pythonEnvironments: [path.join(tmp, "py")] }), dirProbe);
  assert.equal(byFolder.path, selected);
});

test("the bundled binary when nothing else is configured, before PATH", () => {
  exe("pathdir/devwatch");
  const bundled = exe("extension/server/devwatch");
  const d = discoverServer(base({ bundled }), dirProbe);
  assert.equal(d.path, bundled);
  assert.equal(d.source, "bundled with the extension");
  assert.ok(d.tried.some((t) => t.includes("ws/.venv/bin/devwatch")), d.tried.join("\n"));
  // A workspace virtualenv still wins over the bundled binary.
  const venv = exe("ws/.venv/bin/devwatch");
  assert.equal(discoverServer(base({ bundled }), dirProbe).path, venv);
  // Without a bundled binary (the universal .vsix): PATH.
  assert.equal(discoverServer(base({ bundled: path.join(tmp, "none/server/devwatch") }), dirProbe).source, "workspace virtualenv (.venv)");
  fs.rmSync(venv);
  assert.equal(discoverServer(base({ bundled: path.join(tmp, "none/server/devwatch") }), dirProbe).source, "PATH");
});

test("an untrusted workspace's virtualenv is never run, nor a $VIRTUAL_ENV inside it", () => {
  exe("ws/.venv/bin/devwatch");
  const onPath = exe("pathdir/devwatch");
  const d = discoverServer(base({ trusted: false, virtualEnv: path.join(tmp, "ws/.venv") }), dirProbe);
  assert.equal(d.path, onPath);
  assert.ok(d.tried.includes("workspace virtualenvs: skipped, the workspace is not trusted"), d.tried.join("\n"));
  assert.ok(d.tried.some((t) => t.endsWith("($VIRTUAL_ENV): skipped, inside the untrusted workspace")), d.tried.join("\n"));
  // One outside the workspace is the user's own environment.
  const outside = exe("envs/mine/bin/devwatch");
  assert.equal(discoverServer(base({ trusted: false, virtualEnv: path.join(tmp, "envs/mine") }), dirProbe).path, outside);
});

test("Check Setup says which binary and why", () => {
  const venv = exe("ws/.venv/bin/devwatch");
  const lines = describeDiscovery(discoverServer(base({}), dirProbe));
  assert.equal(lines[0], `devwatch binary: ${venv} (workspace virtualenv (.venv))`);
  assert.ok(lines.includes("tried before it:"));
  assert.equal(describeDiscovery({ tried: ["x: not found"] })[0], "devwatch binary: not found");
});
