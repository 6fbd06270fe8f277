// Runs the real VS Code (code-server from npm) with the built .vsix installed,
// and drives it with playwright-core and Debian's Chromium. Everything it
// writes lives in one temp dir: nothing lands in the home directory.
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Browser, chromium, Page } from "playwright-core";

import { DEADLINE_MS, EXTENSION_DIR, freePort, OUTPUT_DIR, poll } from "./env";

const run = promisify(execFile);

export const CODE_SERVER = process.env.DEVWATCH_CODE_SERVER ?? "";
export const CHROMIUM = process.env.DEVWATCH_CHROMIUM ?? "/usr/bin/chromium";
export const VSIX = process.env.DEVWATCH_VSIX ?? path.join(EXTENSION_DIR, "devwatch.vsix");

/** Long enough for a cold VS Code start on a loaded 2-core machine. */
export const UI_DEADLINE_MS = Math.max(DEADLINE_MS, 60_000);

export interface Options {
  /** Workspace Trust on (the folder opens in restricted mode) or off (everything trusted). */
  trust: boolean;
  settings: Record<string, unknown>;
}

export class CodeServer {
  readonly home: string;
  private proc: ChildProcess | undefined;
  private browser: Browser | undefined;
  page!: Page;
  readonly log: string[] = [];
  url = "";

  constructor(readonly name: string, private readonly options: Options) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `devwatch-e2e-${name}-`));
  }

  private dir(rel: string): string {
    const d = path.join(this.home, rel);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: this.dir("home"),
      XDG_CONFIG_HOME: this.dir("xdg/config"),
      XDG_DATA_HOME: this.dir("xdg/data"),
      XDG_CACHE_HOME: this.dir("xdg/cache"),
      XDG_STATE_HOME: this.dir("xdg/state"),
    };
  }

  private args(): string[] {
    return ["--user-data-dir", this.dir("user-data"), "--extensions-dir", this.dir("extensions"), "--config", path.join(this.home, "config.yaml")];
  }

  async start(folder: string): Promise<void> {
    if (!CODE_SERVER) throw new Error("DEVWATCH_CODE_SERVER is not set (scripts/install-code-server.sh prints it)");
    fs.writeFileSync(path.join(this.home, "config.yaml"), "auth: none\ncert: false\n");
    const user = this.dir("user-data/User");
    fs.writeFileSync(
      path.join(user, "settings.json"),
      JSON.stringify(
        {
          "security.workspace.trust.enabled": this.options.trust,
          "security.workspace.trust.startupPrompt": "never",
          "security.workspace.trust.banner": "always",
          "workbench.startupEditor": "none",
          "workbench.tips.enabled": false,
          "workbench.enableExperiments": false,
          "extensions.autoCheckUpdates": false,
          "extensions.autoUpdate": false,
          "extensions.ignoreRecommendations": true,
          "telemetry.telemetryLevel": "off",
          "update.mode": "none",
          "files.autoSave": "off",
          "editor.autoClosingQuotes": "never",
          "editor.autoClosingBrackets": "never",
          "editor.formatOnSave": false,
          "editor.minimap.enabled": false,
          "chat.commandCenter.enabled": false,
          "workbench.secondarySideBar.defaultVisibility": "hidden",
          ...this.options.settings,
        },
        null,
        2,
      ),
    );
    await run(CODE_SERVER, [...this.args(), "--install-extension", VSIX, "--force"], { env: this.env(), timeout: UI_DEADLINE_MS });
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
    this.proc = spawn(
      CODE_SERVER,
      [...this.args(), "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check",
        "--disable-getting-started-override", "--ignore-last-opened"],
      { env: this.env(), stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    this.proc.stdout!.on("data", (d) => this.log.push(String(d)));
    this.proc.stderr!.on("data", (d) => this.log.push(String(d)));
    await poll(`code-server to listen on ${port} (log: ${this.log.join("").slice(-1500)})`, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok;
    }, UI_DEADLINE_MS);

    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    this.page = await context.newPage();
    this.page.setDefaultTimeout(UI_DEADLINE_MS);
    await this.page.goto(this.url);
    await this.page.locator(".monaco-workbench").waitFor({ state: "visible" });
    await this.watchStatusLabels();
  }

  /**
   * Records every label the devwatch status bar item shows, so a test sees a
   * short state (starting) even if it lasted less than a poll interval.
   */
  private async watchStatusLabels(): Promise<void> {
    // A string, not a function: this code runs in the page, with the DOM's types.
    await this.page.evaluate(`(() => {
      window.__devwatchLabels = [];
      const record = () => {
        for (const el of document.querySelectorAll(".statusbar [aria-label^='devwatch:']")) {
          const label = el.getAttribute("aria-label");
          const seen = window.__devwatchLabels;
          if (seen[seen.length - 1] !== label) seen.push(label);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
      record();
    })()`);
  }

  async labels(): Promise<string[]> {
    return this.page.evaluate<string[]>("window.__devwatchLabels");
  }

  /** The devwatch status bar item's current label, or undefined. */
  async statusLabel(): Promise<string | undefined> {
    const el = this.page.locator(".statusbar [aria-label^='devwatch:']").first();
    return (await el.count()) ? (await el.getAttribute("aria-label")) ?? undefined : undefined;
  }

  async waitStatus(label: string, deadlineMs = UI_DEADLINE_MS): Promise<void> {
    let last: string | undefined;
    await poll(`status bar "${label}"`, async () => (last = await this.statusLabel()) === label, deadlineMs).catch(async (e) => {
      await this.screenshot(`failure-${this.name}-${label.replace(/\W+/g, "-")}`);
      throw new Error(`${(e as Error).message}; last label: ${last}; seen: ${(await this.labels()).join(" | ")}`);
    });
  }

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`>${title}`);
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
    await row.waitFor({ state: "visible" });
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /** Opens a workspace file by quick open. */
  async openFile(relative: string): Promise<void> {
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(relative);
    await this.page.locator(".quick-input-list .monaco-list-row").first().waitFor({ state: "visible" });
    await this.page.keyboard.press("Enter");
    await this.page.locator(`.tabs-container .tab.active[aria-label^="${path.basename(relative)}"]`).waitFor({ state: "visible" });
  }

  /** Replaces line `line` (1-based) of the active editor with `text` and saves. */
  async replaceLineAndSave(line: number, text: string): Promise<void> {
    const editor = this.page.locator(".editor-instance .monaco-editor").first();
    await editor.click();
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}`);
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
    await this.page.keyboard.press("Home");
    await this.page.keyboard.press("Shift+End");
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press("Control+S");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  }

  /** Pids of the devwatch processes this VS Code started (found by their HOME, which is ours alone). */
  devwatchPids(bin: string): number[] {
    const home = `HOME=${path.join(this.home, "home")}`;
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (argv[0] !== bin || !argv.includes("--stdio")) continue;
        if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(home)) pids.push(Number(entry));
      } catch {
        /* exited meanwhile */
      }
    }
    return pids;
  }

  /** Merges `extra` into the user settings by editing settings.json in VS Code, as a user would. */
  async updateSettings(extra: Record<string, unknown>): Promise<void> {
    const file = path.join(this.home, "user-data/User/settings.json");
    const text = JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), ...extra });
    await this.runCommand("Preferences: Open User Settings (JSON)");
    await this.page.locator('.tabs-container .tab.active[aria-label^="settings.json"]').waitFor({ state: "visible" });
    await this.page.locator(".editor-instance .monaco-editor").first().click();
    await this.page.locator(".editor-instance .monaco-editor.focused").first().waitFor({ state: "visible" });
    await this.page.keyboard.press("Control+A");
    await this.page.locator(".editor-instance .monaco-editor .selected-text").first().waitFor({ state: "attached" });
    await this.page.keyboard.insertText(text);
    // JSON's own auto-closing may have added brackets after the cursor: drop them.
    await this.page.keyboard.press("Shift+Control+End");
    await this.page.keyboard.press("Delete");
    await this.page.keyboard.press("Control+S");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
    await poll("settings.json saved", () => { const t = fs.readFileSync(file, "utf8"); try { return JSON.stringify(JSON.parse(t)) === text; } catch { throw new Error(t); } });
    await this.page.keyboard.press("Control+W");
  }

  /**
   * Saves a screenshot under the test output folder; with DEVWATCH_UPDATE_SCREENSHOTS=1
   * also as `readmeImage` in editors/vscode/images/, the pictures the READMEs show.
   */
  async screenshot(name: string, readmeImage?: string): Promise<string> {
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = path.join(OUTPUT_DIR, `${name}.png`);
    await this.page?.screenshot({ path: file }).catch(() => undefined);
    if (readmeImage && process.env.DEVWATCH_UPDATE_SCREENSHOTS === "1" && fs.existsSync(file)) {
      fs.copyFileSync(file, path.join(EXTENSION_DIR, "images", readmeImage));
    }
    return file;
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    if (this.proc?.pid && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc!.once("exit", r));
      try {
        process.kill(-this.proc.pid, "SIGTERM"); // its process group: code-server, the extension host, devwatch
      } catch {
        /* already gone */
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, DEADLINE_MS)))]);
      clearTimeout(timer);
      try {
        process.kill(-this.proc.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    if (!process.env.DEVWATCH_KEEP_E2E) fs.rmSync(this.home, { recursive: true, force: true });
  }
}
