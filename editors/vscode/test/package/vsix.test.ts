// `npm run package -- --target <this platform>` bundles the binary as
// server/devwatch (executable) with the repository's LICENSE; the universal
// package has the LICENSE and no binary. Reads the .vsix (a zip) with Python's zipfile.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";

import { EXTENSION_DIR, REPO } from "../support/env";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "devwatch-vsix-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function entries(vsix: string): Map<string, number> {
  const script = "import sys, zipfile, json; print(json.dumps({i.filename: i.external_attr >> 16 for i in zipfile.ZipFile(sys.argv[1]).infolist()}))";
  return new Map(Object.entries(JSON.parse(execFileSync("python3", ["-c", script, vsix], { encoding: "utf8" }))));
}

test("a platform .vsix bundles the binary and the licence", { timeout: 600_000 }, () => {
  const target = `${process.platform}-${process.arch}`;
  const fake = path.join(tmp, "devwatch");
  fs.writeFileSync(fake, "#!/bin/sh\necho fake devwatch\n", { mode: 0o755 });
  const out = path.join(tmp, `devwatch-${target}.vsix`);
  execFileSync("npm", ["run", "--silent", "package", "--", "--target", target, "--out", out], {
    cwd: EXTENSION_DIR,
    env: { ...process.env, DEVWATCH_BIN: fake },
    stdio: "pipe",
  });
  const files = entries(out);
  assert.ok(files.has("extension/server/devwatch"), [...files.keys()].join("\n"));
  assert.equal((files.get("extension/server/devwatch")! & 0o111) !== 0, true, "the bundled binary is executable");
  assert.ok(files.has("extension/LICENSE.txt"), "LICENSE (as vsce names it, LICENSE.txt) in the package");
  const manifest = execFileSync("python3", ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('extension.vsixmanifest').decode())", out], { encoding: "utf8" });
  assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
  const pkg = JSON.parse(execFileSync("python3", ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('extension/package.json').decode())", out], { encoding: "utf8" }));
  assert.equal(pkg.license, "MIT");
  assert.equal(fs.readFileSync(path.join(EXTENSION_DIR, "LICENSE"), "utf8"), fs.readFileSync(path.join(REPO, "LICENSE"), "utf8"));
  // The working tree stays universal.
  assert.equal(fs.existsSync(path.join(EXTENSION_DIR, "server")), false);
});

test("the universal .vsix has the licence and no binary", { skip: !process.env.DEVWATCH_VSIX && "DEVWATCH_VSIX is not set (scripts/test.sh packages it)" }, () => {
  const files = entries(process.env.DEVWATCH_VSIX!);
  assert.ok(files.has("extension/LICENSE.txt"));
  assert.ok(!files.has("extension/server/devwatch"));
});
