// End to end in the real VS Code (code-server) with the built .vsix: the
// status bar, the command palette, editing and saving through the editor,
// Problems, and Workspace Trust. Screenshots go to test-output/vscode/.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";

import { CODE_SERVER, CodeServer, UI_DEADLINE_MS } from "../support/codeServer";
import { copyExample, DEVWATCH_BIN, freePort, httpGet, lineOf, poll } from "../support/env";

const skip = CODE_SERVER ? false : "DEVWATCH_CODE_SERVER is not set: run scripts/test.sh (it installs code-server)";

function writeConfig(root: string, port: number): void {
  fs.writeFileSync(
    path.join(root, "devwatch.json"),
    JSON.stringify({
      servers: {
        web: {
          command: ["/usr/bin/python3", "manage.py", "runserver", "--noreload", `127.0.0.1:${port}`],
          ready: { port },
          restartOn: ["**/*.py", "**/templates/**"],
        },
      },
    }, null, 2),
  );
}

describe("trusted workspace: examples/django-blog", { skip }, () => {
  let root: string;
  let port: number;
  let vs: CodeServer;
  const marker = () => httpGet(`http://127.0.0.1:${port}/marker/`).then((r) => r.body.trim());

  before(async () => {
    root = copyExample("devwatch-e2e-ws-");
    port = await freePort();
    writeConfig(root, port);
    // autoRestart off: a crash stays in the error state until the fix is saved.
    vs = new CodeServer("trusted", { trust: false, settings: { "devwatch.serverPath": DEVWATCH_BIN, "devwatch.autoRestart": false } });
    await vs.start(root);
  });
  after(async () => {
    await vs?.stop();
    if (port) await poll("the dev server to be stopped with VS Code", () => httpGet(`http://127.0.0.1:${port}/`).then(() => false, () => true));
    if (root) fs.rmSync(path.dirname(root), { recursive: true, force: true });
  });

  test("the status bar reaches ready and the server answers", async () => {
    await vs.waitStatus("devwatch: web ready");
    await vs.screenshot("01-ready");
    assert.equal(await marker(), "marker: v1");
  });

  test("Show Output has the server's output from before the window attached", async () => {
    await vs.runCommand("devwatch: Show Dev Server Output");
    const output = vs.page.locator(".part.panel .monaco-editor .view-lines").first();
    await poll("Django's start-up line in the output channel", async () => ((await output.textContent()) ?? "").includes(`127.0.0.1:${port}`), UI_DEADLINE_MS);
  });

  test("Show Status renders the watcher and the server", async () => {
    await vs.runCommand("View: Hide Panel"); // room for the whole document: Monaco renders only visible lines
    await vs.runCommand("devwatch: Show Status");
    await vs.page.locator(".tabs-container .tab.active[aria-label^='status.md']").waitFor({ state: "visible" });
    const text = vs.page.locator(".editor-instance .monaco-editor .view-lines").first();
    await poll("the status document", async () => {
      const t = ((await text.textContent()) ?? "").replace(/\u00a0/g, " ");
      return /backend: \*\*(inotify|poll)\*\*/.test(t) && t.includes("state: ready");
    }, UI_DEADLINE_MS);
    await vs.screenshot("01b-status");
    await vs.page.keyboard.press("Control+W");
  });

  test("Check Setup shows what devwatch check found", async () => {
    await vs.runCommand("devwatch: Check Setup");
    await vs.page.locator(".tabs-container .tab.active[aria-label^='check.txt']").waitFor({ state: "visible" });
    const text = vs.page.locator(".editor-instance .monaco-editor .view-lines").first();
    await poll("the check report", async () => /inotify backend/.test(((await text.textContent()) ?? "").replace(/\u00a0/g, " ")), UI_DEADLINE_MS);
    // It says which binary is in use and why.
    assert.match(((await text.textContent()) ?? "").replace(/\u00a0/g, " "), /devwatch binary: \S+ \(setting devwatch\.serverPath\)/);
    await vs.page.keyboard.press("Control+W");
  });

  test("Restart from the command palette cycles the state", async () => {
    const before = (await vs.labels()).length;
    await vs.runCommand("devwatch: Restart Dev Server");
    await poll("a starting state after Restart", async () => (await vs.labels()).slice(before).includes("devwatch: web starting"), UI_DEADLINE_MS);
    await vs.waitStatus("devwatch: web ready");
    const seen = (await vs.labels()).slice(before);
    assert.ok(seen.indexOf("devwatch: web starting") < seen.lastIndexOf("devwatch: web ready"), seen.join(" | "));
    assert.equal(await marker(), "marker: v1");
  });

  test("editing a view in the editor restarts the server with the new code", async () => {
    const line = lineOf(path.join(root, "blog/views.py"), "MARKER = ") + 1;
    await vs.openFile("blog/views.py");
    const before = (await vs.labels()).length;
    await vs.replaceLineAndSave(line, 'MARKER = "marker: v2"');
    await poll("the restart after saving", async () => (await vs.labels()).slice(before).includes("devwatch: web starting"), UI_DEADLINE_MS);
    await vs.waitStatus("devwatch: web ready");
    await poll("the new response", async () => (await marker()) === "marker: v2");
    assert.match(fs.readFileSync(path.join(root, "blog/views.py"), "utf8"), /MARKER = "marker: v2"/);
  });

  test("a syntax error shows in Problems at its line, and fixing it clears it", async () => {
    const line = lineOf(path.join(root, "blog/views.py"), "MARKER = ") + 1;
    await vs.replaceLineAndSave(line, 'MARKER = "marker: v3');
    await vs.waitStatus("devwatch: web crashed");
    // The crash notification offers Restart and Show Output.
    const toast = vs.page.locator(".notification-toast", { hasText: "web crashed" }).first();
    await toast.locator(".monaco-button", { hasText: "Show Output" }).waitFor({ state: "visible" });
    assert.equal(await toast.locator(".monaco-button", { hasText: "Restart" }).count(), 1);
    assert.equal(await toast.locator(".monaco-button", { hasText: "Show Output" }).count(), 1);
    // Rendered from stateChanged's location: a button that opens the failing line.
    assert.equal(await toast.locator(".monaco-button", { hasText: `Open views.py:${line}` }).count(), 1);
    await vs.runCommand("View: Focus Problems");
    const problem = vs.page.locator(".markers-panel .monaco-list-row", { hasText: "SyntaxError" }).first();
    await problem.waitFor({ state: "visible" });
    const text = (await problem.textContent()) ?? "";
    assert.match(text, new RegExp(`\\[Ln ${line}, Col \\d+\\]`), text);
    await vs.screenshot("02-crashed-problems", "crash-in-problems.png");
    // The squiggle is in the editor too.
    await vs.page.locator(".editor-instance .squiggly-error").first().waitFor({ state: "visible" });

    await vs.replaceLineAndSave(line, 'MARKER = "marker: v3"');
    await vs.waitStatus("devwatch: web ready");
    await vs.page.locator(".markers-panel .monaco-list-row", { hasText: "SyntaxError" }).first().waitFor({ state: "detached" });
    await poll("the fixed response", async () => (await marker()) === "marker: v3");
    await vs.screenshot("03-fixed");
  });

  test("changing a setting that needs it restarts devwatch", async () => {
    const before = (await vs.labels()).length;
    await vs.updateSettings({ "devwatch.watch.exclude": ["media/**"] });
    await poll("devwatch to restart", async () => (await vs.labels()).slice(before).includes("devwatch: starting"), UI_DEADLINE_MS);
    await vs.waitStatus("devwatch: web ready");
    assert.equal(await marker(), "marker: v3");
  });

  test("when devwatch itself dies, languageclient restarts it and says so", async () => {
    const pids = vs.devwatchPids(DEVWATCH_BIN);
    assert.equal(pids.length, 1, `one devwatch for the window: ${pids.join(", ")}`);
    const before = (await vs.labels()).length;
    process.kill(pids[0], "SIGKILL");
    const toast = vs.page.locator(".notification-toast", { hasText: "devwatch exited unexpectedly" }).first();
    await toast.waitFor({ state: "visible" });
    await poll("the status bar to leave ready", async () => (await vs.labels()).slice(before).some((l) => l !== "devwatch: web ready"), UI_DEADLINE_MS);
    await vs.waitStatus("devwatch: web ready");
    const now = vs.devwatchPids(DEVWATCH_BIN);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], pids[0]);
    assert.equal(await marker(), "marker: v3");
  });
});

describe("untrusted workspace", { skip }, () => {
  let root: string;
  let port: number;
  let vs: CodeServer;

  before(async () => {
    root = copyExample("devwatch-e2e-untrusted-");
    port = await freePort();
    writeConfig(root, port);
    vs = new CodeServer("untrusted", { trust: true, settings: { "devwatch.serverPath": DEVWATCH_BIN } });
    await vs.start(root);
  });
  after(async () => {
    await vs?.stop();
    if (root) fs.rmSync(path.dirname(root), { recursive: true, force: true });
  });

  test("servers are not started, and the UI says why", async () => {
    await vs.waitStatus("devwatch: web untrusted");
    const toast = vs.page.locator(".notification-toast", { hasText: "not trusted" }).first();
    await toast.locator(".monaco-button", { hasText: "Manage Workspace Trust" }).waitFor({ state: "visible" });
    await vs.screenshot("04-untrusted", "untrusted.png");
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/`), "nothing listens on the server's port");
    assert.ok(!(await vs.labels()).some((l) => /^devwatch: web (starting|ready)/.test(l)), (await vs.labels()).join(" | "));
  });

  test("granting trust starts them", async () => {
    await vs.runCommand("Workspaces: Manage Workspace Trust");
    const trust = vs.page.locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust$/ }).first();
    await trust.click();
    await vs.waitStatus("devwatch: web ready");
    assert.equal((await httpGet(`http://127.0.0.1:${port}/marker/`)).status, 200);
  });
});
