// Finding the devwatch binary, on real temp directories.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { discoverServer, expandPath } from "../../src/discovery";

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
  fs.writeFileSync(p, "#!/bin/sh\n", { mode: 0o755 });
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
