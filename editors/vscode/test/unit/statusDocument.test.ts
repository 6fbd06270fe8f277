// Show Status renders devwatch/status readably, watcher backend and budget included.
import assert from "node:assert/strict";
import { test } from "node:test";

import { renderStatus } from "../../src/statusDocument";

test("status document lists servers, watcher backend, budget and problems", () => {
  const md = renderStatus(
    {
      version: "0.1.0", pid: 42, uptimeMs: 65000,
      workspaceFolders: [{ uri: "file:///p", name: "p", path: "/p" }],
      watcher: { backend: "inotify", reason: "inotify: native kernel events", roots: ["/p"], watchedDirectories: 1234,
        budget: { used: 1234, limit: 524288, usedByOthers: 10, available: 523044 }, problems: ["NFS mount at /p/n"], resyncs: 1 },
      devServers: [{ name: "web", root: "file:///p", state: "ready", reason: "port open", command: ["python3", "manage.py", "runserver"], cwd: "/p",
        restartOn: ["**/*.py"], ignore: [], ready: { port: 8000 }, stopSignal: "SIGINT", stopTimeoutMs: 5000, autoStart: true,
        autoRestart: true, trusted: true, outputNextSeq: 3, readyMs: 800, url: "http://127.0.0.1:8000/", pid: 77 }],
      config: [{ root: "file:///p", source: "zero-config Django (manage.py)", servers: ["web"] }],
    },
    { binary: "/usr/bin/devwatch", trusted: true },
  );
  for (const want of ["# devwatch 0.1.0", "backend: **inotify**", "1,234 used by devwatch", "523,044 available of 524,288", "NFS mount at /p/n",
    "state: ready in 800 ms at http://127.0.0.1:8000/", "`python3 manage.py runserver`", "zero-config Django", "binary `/usr/bin/devwatch`"]) {
    assert.ok(md.includes(want), `missing ${want}\n${md}`);
  }
});
