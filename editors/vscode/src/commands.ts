// The palette commands and the status bar's quick pick. Each command is a
// small function over the Ctx; `when` clauses in package.json hide the ones
// that make no sense in the current state.
import { execFile } from "child_process";
import * as vscode from "vscode";
import { ResponseError } from "vscode-languageclient/node";

import { errorText, type Ctx } from "./ctx";
import { describeDiscovery } from "./discovery";
import type { ServerView } from "./model";
import * as proto from "./protocol";
import { renderStatus } from "./statusDocument";
import { describeServer } from "./status";

const SCHEME = "devwatch";

/** Read-only documents for Show Status and Check Setup. */
class Documents implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? "";
  }
  async show(path: string, text: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: SCHEME, path });
    this.contents.set(path, text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}

type Filter = (s: ServerView) => boolean;

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  const docs = new Documents();

  // Which server a command is for: the argument, the only one, or the user's pick.
  async function pick(arg: unknown, title: string, filter: Filter = () => true): Promise<string | undefined> {
    if (typeof arg === "string") return arg;
    const all = ctx.model.list();
    const servers = all.filter(filter).length ? all.filter(filter) : all;
    if (servers.length === 0) {
      void vscode.window.showInformationMessage(ctx.running ? "devwatch: no dev server is configured (add one in devwatch.json)." : "devwatch is not running.");
      return undefined;
    }
    if (servers.length === 1) return servers[0].name;
    const item = await vscode.window.showQuickPick(
      servers.map((s) => ({ label: s.name, description: describeServer(s).slice(s.name.length + 2) })),
      { title },
    );
    return item?.label;
  }

  async function request(type: typeof proto.startServer, name: string | undefined, consent = false): Promise<void> {
    if (!name || !ctx.client) return;
    try {
      ctx.model.update(await ctx.client.sendRequest(type, consent ? { name, consent } : { name }));
    } catch (e) {
      if (e instanceof ResponseError && e.code === proto.ErrorCodes.Untrusted) {
        // A refused start may run once with the user's consent; nothing else can (docs/security.md).
        const once = type === proto.startServer ? ["Start Once"] : [];
        const a = await vscode.window.showWarningMessage(e.message, ...once, "Manage Workspace Trust");
        if (a === "Start Once") await request(type, name, true);
        else if (a) void vscode.commands.executeCommand("workbench.trust.manage");
        return;
      }
      void vscode.window.showErrorMessage(`devwatch: ${type.method.split("/").pop()} ${name} failed: ${errorText(e)}`);
    }
  }

  const canStart: Filter = (s) => s.state !== "ready" && s.state !== "starting";
  const canStop: Filter = (s) => s.state !== "stopped" && s.state !== "crashed";

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    "devwatch.start": async (arg) => request(proto.startServer, await pick(arg, "Start dev server", canStart)),
    "devwatch.stop": async (arg) => request(proto.stopServer, await pick(arg, "Stop dev server", canStop)),
    "devwatch.restart": async (arg) => request(proto.restartServer, await pick(arg, "Restart dev server")),
    "devwatch.restartAll": async () => {
      await Promise.all(ctx.model.list().map((s) => request(proto.restartServer, s.name)));
    },
    "devwatch.showOutput": async (arg) => {
      const name = await pick(arg, "Show output of");
      if (name) ctx.showOutput(name);
    },
    "devwatch.showLog": () => ctx.log.show(),
    "devwatch.openInBrowser": async (arg) => {
      const name = await pick(arg, "Open in browser", (s) => s.url !== undefined);
      const url = name ? ctx.model.get(name)?.url : undefined;
      if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
      else if (name) void vscode.window.showInformationMessage(`devwatch: ${name} has no ready port, so there is no URL to open.`);
    },
    "devwatch.showStatus": async () => {
      if (!ctx.client || !ctx.running) {
        const tried = ctx.discovery?.tried.map((t) => `- ${t}`).join("\n") ?? "";
        await docs.show("/status.md", `# devwatch is not running\n\n${ctx.model.phase.kind === "failed" ? ctx.model.phase.message : ""}\n\n${tried}\n`);
        return;
      }
      const status = await ctx.client.sendRequest(proto.status);
      await docs.show("/status.md", renderStatus(status, { binary: ctx.discovery?.path, binarySource: ctx.discovery?.source, trusted: ctx.trusted }));
    },
    "devwatch.checkSetup": async () => {
      const bin = ctx.discovery?.path;
      const which = ctx.discovery ? describeDiscovery(ctx.discovery).join("\n") + "\n" : "devwatch has not looked for its binary yet.\n";
      if (!bin) {
        await docs.show("/check.txt", which);
        return;
      }
      const folders = vscode.workspace.workspaceFolders ?? [];
      const parts = await Promise.all(
        (folders.length ? folders.map((f) => f.uri.fsPath) : [undefined]).map((cwd) => runCheck(bin, cwd)),
      );
      await docs.show("/check.txt", [which, ...parts].join("\n"));
    },
    "devwatch.restartDevwatch": () => ctx.restart(),
    "devwatch.menu": () => menu(),
  };

  async function menu(): Promise<void> {
    const servers = ctx.model.list();
    type Item = vscode.QuickPickItem & { command: string };
    const items: Item[] = [];
    const add = (when: boolean, label: string, command: string, detail?: string) => {
      if (when) items.push({ label, command, detail });
    };
    const one = servers.length === 1 ? servers[0] : undefined;
    add(ctx.running && servers.some(canStart), "$(play) Start", "devwatch.start", !ctx.trusted ? "the workspace is not trusted: devwatch asks before it starts one server once" : undefined);
    add(ctx.running && servers.some(canStop), "$(debug-stop) Stop", "devwatch.stop");
    add(ctx.running && servers.length > 0, "$(debug-restart) Restart", "devwatch.restart");
    add(ctx.running && servers.length > 1, "$(debug-restart) Restart All", "devwatch.restartAll");
    add(servers.length > 0, "$(output) Show Output", "devwatch.showOutput");
    add(servers.some((s) => s.url !== undefined), "$(globe) Open in Browser", "devwatch.openInBrowser", one?.url);
    add(!ctx.trusted, "$(workspace-untrusted) Manage Workspace Trust", "workbench.trust.manage", "devwatch starts dev servers only in a trusted workspace");
    add(true, "$(info) Show Status", "devwatch.showStatus");
    add(true, "$(checklist) Check Setup", "devwatch.checkSetup");
    add(true, "$(list-flat) Show devwatch Log", "devwatch.showLog");
    add(true, "$(refresh) Restart devwatch", "devwatch.restartDevwatch");
    const title = one ? `devwatch — ${describeServer(one)}` : "devwatch";
    const choice = await vscode.window.showQuickPick(items, { title, placeHolder: "What should devwatch do?" });
    if (choice) await vscode.commands.executeCommand(choice.command);
  }

  return [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    ...Object.entries(commands).map(([id, fn]) => vscode.commands.registerCommand(id, fn)),
  ];
}

function runCheck(bin: string, cwd: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, ["check"], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      const head = cwd ? `# ${cwd}\n` : "";
      const tail = error && !stdout ? `devwatch check failed: ${error.message}\n${stderr}` : "";
      resolve(`${head}${stdout}${tail}`);
    });
  });
}
