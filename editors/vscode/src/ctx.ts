// The one owner of everything the extension creates: the language client that
// runs `devwatch --stdio`, the server model, the status bar, the Output channels.
// It starts, stops and restarts devwatch; every disposable it makes is disposed
// with it. Runs on the extension host's single thread.
import * as path from "path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  MessageType,
  RevealOutputChannelOn,
  ServerOptions,
  ShowMessageNotification,
  State,
} from "vscode-languageclient/node";

import { clientInitializationOptions, needsRestart, readSettings, SECTION, Settings } from "./config";
import { CrashAction, crashNotice } from "./crash";
import { offerTrust } from "./messages";
import { ensureExecutable, isDirectory, isExecutable, pythonEnvironments } from "./binary";
import { BUNDLED_RELATIVE, Discovery, discoverServer } from "./discovery";
import { ServerModel } from "./model";
import { OutputFeed } from "./outputFeed";
import * as proto from "./protocol";
import { StatusBar } from "./statusBar";

const MAX_RESTARTS = 4; // languageclient's policy: at most this many restarts in 3 minutes

export class Ctx implements vscode.Disposable {
  readonly model = new ServerModel();
  readonly log: vscode.LogOutputChannel;
  client: LanguageClient | undefined;
  discovery: Discovery | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channels = new Map<string, { channel: vscode.OutputChannel; feed: OutputFeed }>();
  private settings: Settings;
  private starting: Promise<void> | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("devwatch", { log: true });
    this.settings = this.readSettings();
    this.model.trusted = vscode.workspace.isTrusted;
    this.disposables.push(
      this.log,
      new StatusBar(this.model),
      this.model.onDidChange(() => this.updateContextKeys()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!needsRestart((s) => e.affectsConfiguration(s))) return;
        this.log.info("settings changed: restarting devwatch to apply them");
        void this.restart();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info("workspace trusted: restarting devwatch so it may start dev servers");
        this.model.trusted = true;
        void this.restart();
      }),
    );
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  private readSettings(): Settings {
    const config = vscode.workspace.getConfiguration(SECTION);
    return readSettings((key) => config.get(key));
  }

  async start(): Promise<void> {
    if (this.starting) return this.starting;
    this.starting = this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    this.settings = this.readSettings();
    this.model.trusted = this.trusted;
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const bundled = path.join(this.extension.extensionPath, BUNDLED_RELATIVE);
    ensureExecutable(bundled);
    this.discovery = discoverServer(
      {
        serverPath: this.settings.serverPath,
        folders,
        pathEnv: process.env.PATH,
        home: process.env.HOME,
        trusted: this.trusted,
        virtualEnv: process.env.VIRTUAL_ENV || undefined,
        pythonEnvironments: this.settings.serverPath ? [] : await pythonEnvironments((m) => this.log.warn(m)),
        bundled,
      },
      { isExecutable, isDirectory },
    );
    const bin = this.discovery.path;
    if (!bin) {
      const message = this.discovery.settingBroken
        ? `devwatch: the devwatch.serverPath setting does not name an executable (${this.discovery.tried[0]}). Fix the setting or clear it to search the workspace build and PATH.`
        : `devwatch: the devwatch binary was not found. Tried: ${this.discovery.tried.join("; ")}. Build it (cmake --build build --target devwatch), put it on PATH, or set devwatch.serverPath.`;
      this.fail(message);
      return;
    }
    this.log.info(`using ${bin} (${this.discovery.source})`);
    this.model.setPhase({ kind: "starting" });

    const serverOptions: ServerOptions = {
      command: bin,
      args: ["--stdio"],
      options: { cwd: folders[0] },
    };
    let client: LanguageClient | undefined;
    // languageclient's restart policy, kept across restarts (it counts them).
    let policy: ErrorHandler | undefined;
    const clientOptions: LanguageClientOptions = {
      // devwatch serves no documents: an empty selector keeps languageclient from syncing any.
      documentSelector: [],
      diagnosticCollectionName: "devwatch",
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => clientInitializationOptions(this.settings, this.trusted),
      middleware: {
        workspace: {
          // Re-read the servers once devwatch has the new folders (added ones bring theirs).
          didChangeWorkspaceFolders: async (event, next) => {
            await next(event);
            await this.refresh();
          },
        },
      },
      errorHandler: {
        error: (_e, _m, count) => ({ action: count && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: async () => {
          const result = await policy!.closed();
          if (result.action === CloseAction.Restart) {
            const message = `devwatch exited unexpectedly; restarting it (languageclient restarts it up to ${MAX_RESTARTS} times in 3 minutes). See the devwatch log for why.`;
            this.log.warn(message);
            void vscode.window.showWarningMessage(message, "Show Log").then((a) => a && this.log.show());
            return { action: CloseAction.Restart, handled: true };
          }
          const message = `devwatch exited ${MAX_RESTARTS + 1} times in 3 minutes and will not be restarted. See the devwatch log; run "devwatch: Restart devwatch" once fixed.`;
          this.model.setPhase({ kind: "failed", message });
          void vscode.window.showErrorMessage(message, "Show Log").then((a) => a && this.log.show());
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    client = new LanguageClient("devwatch", "devwatch", serverOptions, clientOptions);
    policy = client.createDefaultErrorHandler(MAX_RESTARTS);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) void this.attach();
      else if (e.newState === State.Starting) this.model.setPhase({ kind: "starting" });
      else if (e.newState === State.Stopped && this.model.phase.kind !== "failed") this.model.setPhase({ kind: "stopped" });
    });
    client.onNotification(proto.stateChanged, (p) => this.onStateChanged(p));
    client.onNotification(proto.outputNotification, (p) => this.onOutput(p));
    client.onNotification(ShowMessageNotification.type, (p) => this.onShowMessage(p.type, p.message));
    try {
      await client.start();
    } catch (e) {
      this.client = undefined;
      await client.dispose().catch(() => undefined);
      this.fail(`devwatch could not be started from ${bin} (${this.discovery.source}): ${errorText(e)}. Check the binary, or set devwatch.serverPath.`);
    }
  }

  private fail(message: string): void {
    this.log.error(message);
    this.model.setPhase({ kind: "failed", message });
    void vscode.window.showErrorMessage(message, "Open Setting", "Show Log").then((action) => {
      if (action === "Open Setting") void vscode.commands.executeCommand("workbench.action.openSettings", "devwatch.serverPath");
      if (action === "Show Log") this.log.show();
    });
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client) {
      // stop() shuts devwatch down, which stops every dev server it runs.
      await client.stop(10_000).catch((e) => this.log.warn(`stopping devwatch: ${errorText(e)}`));
      await client.dispose().catch(() => undefined);
    }
    this.model.setPhase({ kind: "stopped" });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Called when the client reaches Running (first start and every restart). */
  private async attach(): Promise<void> {
    // A new devwatch process numbers output from 0 again: start every channel's feed over.
    for (const entry of this.channels.values()) {
      entry.feed = new OutputFeed();
      entry.channel.appendLine("[devwatch] devwatch (re)started; the new session's output follows");
    }
    await this.refresh();
  }

  /** Re-reads the server list; opens and back-fills an Output channel per server. */
  async refresh(): Promise<void> {
    const client = this.client;
    if (!client || client.state !== State.Running) return;
    try {
      const { servers } = await client.sendRequest(proto.listServers);
      // "running" only once the servers are known: the status bar goes from
      // "starting" straight to the servers' state, without a flicker.
      if (this.model.phase.kind !== "running") this.model.phase = { kind: "running" };
      this.model.reset(servers);
      for (const s of servers) {
        void this.fetchBacklog(s.name, this.channelFor(s.name).feed.nextSeq);
      }
    } catch (e) {
      this.log.error(`devwatch/devServer/list failed: ${errorText(e)}`);
      if (this.model.phase.kind !== "running") this.model.setPhase({ kind: "running" });
    }
  }

  channelFor(name: string): { channel: vscode.OutputChannel; feed: OutputFeed } {
    let entry = this.channels.get(name);
    if (!entry) {
      entry = { channel: vscode.window.createOutputChannel(`devwatch: ${name}`), feed: new OutputFeed() };
      this.channels.set(name, entry);
    }
    return entry;
  }

  private async fetchBacklog(name: string, fromSeq: number): Promise<void> {
    const { channel, feed } = this.channelFor(name);
    feed.beginBacklog();
    try {
      const result = await this.client!.sendRequest(proto.serverOutput, { name, fromSeq });
      const step = feed.applyBacklog(result);
      for (const line of step.append) channel.appendLine(line);
      if (step.refetchFrom !== undefined) void this.fetchBacklog(name, step.refetchFrom);
    } catch (e) {
      feed.applyBacklog({ name, lines: [], dropped: 0, nextSeq: feed.nextSeq });
      this.log.warn(`devwatch/devServer/output for ${name} failed: ${errorText(e)}`);
    }
  }

  private onOutput(p: proto.OutputNotificationParams): void {
    const { channel, feed } = this.channelFor(p.name);
    const step = feed.live(p);
    for (const line of step.append) channel.appendLine(line);
    if (step.refetchFrom !== undefined) void this.fetchBacklog(p.name, step.refetchFrom);
  }

  private onStateChanged(p: proto.StateChangedParams): void {
    const known = this.model.get(p.name) !== undefined;
    this.model.applyStateChange(p);
    const count = p.changedCount ?? p.changedFiles?.length;
    const changed = count ? ` (${count} changed file(s))` : "";
    const restart = p.state === "starting" && this.model.get(p.name)?.restart ? " [restart]" : "";
    this.log.info(`${p.name}: ${p.state}${restart} — ${p.reason}${changed}${p.cause ? ` (cause: ${p.cause})` : ""}`);
    const crash = crashNotice(p);
    if (crash) this.showCrash(crash.message, crash.actions);
    // A server added by a configuration change: fetch its details (url) and channel.
    if (!known) void this.refresh();
  }

  /** A crash, from stateChanged's fields (src/crash.ts): devwatch sends no message text for it. */
  private showCrash(message: string, actions: CrashAction[]): void {
    this.log.info(`crash: ${message}`);
    void vscode.window.showErrorMessage(message, ...actions.map((a) => a.title)).then((title) => {
      const action = actions.find((a) => a.title === title);
      if (!action) return;
      if (action.kind === "restart") void vscode.commands.executeCommand("devwatch.restart", action.name);
      else if (action.kind === "showOutput") this.showOutput(action.name);
      else void openLocation(action.location);
    });
  }

  private onShowMessage(type: MessageType, message: string): void {
    this.log.info(`window/showMessage: ${message}`);
    const show =
      type === MessageType.Error ? vscode.window.showErrorMessage
      : type === MessageType.Warning ? vscode.window.showWarningMessage
      : vscode.window.showInformationMessage;
    if (offerTrust(type, this.trusted, this.capabilities())) {
      void show(message, "Manage Workspace Trust").then((a) => a && vscode.commands.executeCommand("workbench.trust.manage"));
      return;
    }
    void show(message);
  }

  /** capabilities.experimental.devwatch of the running devwatch. */
  capabilities(): proto.DevwatchCapabilities | undefined {
    const result = this.client?.initializeResult as proto.InitializeResult | undefined;
    return result?.capabilities.experimental?.devwatch;
  }

  showOutput(name: string): void {
    this.channelFor(name).channel.show(true);
  }

  private updateContextKeys(): void {
    const servers = this.model.list();
    const running = this.model.phase.kind === "running";
    const set = (key: string, value: boolean) => void vscode.commands.executeCommand("setContext", key, value);
    set("devwatch.running", running);
    set("devwatch.hasServers", running && servers.length > 0);
    set("devwatch.canStart", running && servers.some((s) => s.state !== "ready" && s.state !== "starting"));
    set("devwatch.canStop", running && servers.some((s) => s.state !== "stopped" && s.state !== "crashed"));
    set("devwatch.hasUrl", running && servers.some((s) => s.url !== undefined));
  }

  dispose(): void {
    for (const { channel } of this.channels.values()) channel.dispose();
    this.channels.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function openLocation(location: proto.Location): Promise<void> {
  const { start, end } = location.range;
  const selection = new vscode.Range(start.line, start.character, end.line, end.character);
  await vscode.window.showTextDocument(vscode.Uri.parse(location.uri), { selection, preview: false });
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === "object" && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}
