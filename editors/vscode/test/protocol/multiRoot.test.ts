// Multi-root: one devwatch process for the window serves every folder's servers.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import * as proto from "../../src/protocol";
import { copyExample, freePort, httpGet, webServerSettings } from "../support/env";
import { Session } from "../support/session";

let roots: string[] = [];
let ports: number[] = [];
let s: Session;

before(async () => {
  roots = [copyExample(), copyExample()];
  ports = [await freePort(), await freePort()];
  // Each folder names its own server in its devwatch.json.
  roots.forEach((root, i) => {
    const servers = webServerSettings(ports[i]).servers as Record<string, unknown>;
    fs.writeFileSync(path.join(root, "devwatch.json"), JSON.stringify({ servers: { [`site${i}`]: servers.web } }));
  });
  s = await Session.start(roots, { trusted: true });
});
after(async () => {
  if (s) await s.close();
  for (const r of roots) fs.rmSync(path.dirname(r), { recursive: true, force: true });
});

test("both folders' servers run and are controlled separately", async () => {
  await s.waitState(0, "ready", "site0");
  await s.waitState(0, "ready", "site1");
  const { servers } = await s.conn.sendRequest(proto.listServers);
  assert.deepEqual(servers.map((x) => [x.name, x.root]), [
    ["site0", pathToFileURL(roots[0]).href],
    ["site1", pathToFileURL(roots[1]).href],
  ]);
  for (const p of ports) assert.equal((await httpGet(`http://127.0.0.1:${p}/marker/`)).status, 200);

  const mark = s.mark();
  await s.conn.sendRequest(proto.stopServer, { name: "site0" });
  await s.waitState(mark, "stopped", "site0");
  assert.deepEqual(s.states(mark, "site1"), [], "the other folder's server is untouched");
  assert.equal((await httpGet(`http://127.0.0.1:${ports[1]}/marker/`)).status, 200);
  // Without a name the request is ambiguous, and the error says which names exist.
  await assert.rejects(s.conn.sendRequest(proto.restartServer, {}), /site0, site1/);
});
